/**
 * The five keypoints spinesurv works with: the L1 to L5 vertebral body centres, top to bottom. This is
 * the one list; every layer (the synthetic cohort, the detector, preprocessing, the report, the DICOM
 * node) takes the names and their order from here. Annotation files name their points by these labels.
 */
export const KEYPOINT_NAMES = ['L1', 'L2', 'L3', 'L4', 'L5'] as const;
export type KeypointName = (typeof KEYPOINT_NAMES)[number];
export const NUM_KEYPOINTS = KEYPOINT_NAMES.length;

export function isKeypointName(name: string): name is KeypointName {
  return (KEYPOINT_NAMES as readonly string[]).includes(name);
}
