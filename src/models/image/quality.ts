/**
 * Plausibility checks on five L1..L5 keypoints before a radiograph is scored, so that a detector
 * failure, a non-lumbar image or a swapped order is refused by name rather than turned into a risk:
 * every point inside the image; consecutive points going one way down the spine; consecutive
 * spacings within a factor 1.8 of each other; no bend sharper than 40 degrees between segments.
 */
export function keypointFlags(k: ArrayLike<number>, rows: number, columns: number): string[] {
  const flags: string[] = [];
  if (k.length !== 10 || !Array.from(k).every(Number.isFinite)) return ['keypoints_missing'];
  for (let i = 0; i < 5; i++) {
    const x = k[2 * i], y = k[2 * i + 1];
    if (x < 0 || y < 0 || x > columns || y > rows) flags.push(`L${i + 1}_outside_image`);
  }
  const seg = [0, 1, 2, 3].map((i) => [k[2 * i + 2] - k[2 * i], k[2 * i + 3] - k[2 * i + 1]]);
  const len = seg.map(([dx, dy]) => Math.hypot(dx, dy));
  const axis = [k[8] - k[0], k[9] - k[1]];
  if (seg.some(([dx, dy]) => dx * axis[0] + dy * axis[1] <= 0)) flags.push('keypoints_out_of_order');
  const lo = Math.min(...len), hi = Math.max(...len);
  if (!(lo > 0) || hi / lo > 1.8) flags.push('uneven_vertebra_spacing');
  for (let i = 0; i < 3; i++) {
    const cos = (seg[i][0] * seg[i + 1][0] + seg[i][1] * seg[i + 1][1]) / (len[i] * len[i + 1]);
    if (!(cos > Math.cos((40 * Math.PI) / 180))) {
      flags.push('implausible_curvature');
      break;
    }
  }
  return flags;
}

/** Body Part Examined values that say the image is not of the lumbar spine (when the tag is there). */
const LUMBAR = /LSPINE|L[- ]?SPINE|LUMB|SPINE|LWS|RACHIS|COLUMN/i;

export function nonLumbarReason(bodyPart: string | null, viewPosition: string | null): string | null {
  if (bodyPart !== null && bodyPart.trim() !== '' && !LUMBAR.test(bodyPart)) return `Body Part Examined is "${bodyPart}", not the lumbar spine`;
  if (viewPosition !== null && /^(AP|PA)$/i.test(viewPosition.trim())) return `View Position is "${viewPosition}", not lateral`;
  return null;
}
