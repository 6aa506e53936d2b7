/**
 * A radiograph's view, from every place a header may say it: View Position (0018,5101), Patient
 * Orientation (0020,0020), and the series description and protocol name. Each source that says
 * something definite gives an opinion; the view is told only when at least one does and none
 * disagrees. Otherwise it is "unknown" and the file is listed for the user (`--pick`), never guessed:
 * a wrongly chosen AP view would silently spoil every image model of the study.
 */
export type View = 'lateral' | 'frontal' | 'oblique' | 'unknown';

export interface ViewReading {
  view: View;
  /** Which sources said what, e.g. "ViewPosition LL; SeriesDescription L-SPINE LAT", for the report. */
  evidence: string;
  /** True when sources disagreed (the view is then unknown). */
  conflict: boolean;
}

export interface ViewSources {
  viewPosition: string | null;
  patientOrientation: string[] | null;
  descriptions: { name: string; text: string }[];
}

const VIEW_POSITIONS: Record<string, View> = {
  LL: 'lateral',
  RL: 'lateral',
  LAT: 'lateral',
  LATERAL: 'lateral',
  AP: 'frontal',
  PA: 'frontal',
  LAO: 'oblique',
  RAO: 'oblique',
  LPO: 'oblique',
  RPO: 'oblique',
  OBL: 'oblique',
  OBLIQUE: 'oblique',
};

/**
 * Words of a description, as whole words: "L-SPINE LAT", "LWS seitlich", "LUMBAR SPINE AP",
 * "LSPINE PA/LAT" (both: no opinion). "LAT" must stand alone so that "LATE" or "PLATE" do not count.
 */
const DESCRIPTION_WORDS: [RegExp, View][] = [
  [/(^|[^A-Z])(LAT|LATERAL|LATERALE|SEITLICH|SEITL|LL|RL)([^A-Z]|$)/, 'lateral'],
  [/(^|[^A-Z])(AP|PA|A\.P\.|P\.A\.|FRONTAL|AP\/PA|PA\/AP)([^A-Z]|$)/, 'frontal'],
  [/(^|[^A-Z])(OBL|OBLIQUE|OBLIQ|SCHRAEG|SCHRAG)([^A-Z]|$)/, 'oblique'],
];

export function readView(sources: ViewSources): ViewReading {
  const opinions: { source: string; said: string; view: View }[] = [];
  const position = (sources.viewPosition ?? '').trim().toUpperCase();
  if (position !== '' && VIEW_POSITIONS[position] !== undefined) {
    opinions.push({ source: 'ViewPosition', said: position, view: VIEW_POSITIONS[position] });
  }
  const fromOrientation = orientationView(sources.patientOrientation);
  if (fromOrientation !== null) {
    opinions.push({ source: 'PatientOrientation', said: (sources.patientOrientation ?? []).join('\\'), view: fromOrientation });
  }
  for (const { name, text } of sources.descriptions) {
    const upper = text.toUpperCase();
    const views = DESCRIPTION_WORDS.filter(([re]) => re.test(upper)).map(([, v]) => v);
    // A description that names two views ("AP + LAT") describes the study, not this image.
    if (views.length === 1) opinions.push({ source: name, said: text, view: views[0] });
  }
  const evidence = opinions.map((o) => `${o.source} ${o.said}`).join('; ');
  const views = new Set(opinions.map((o) => o.view));
  if (views.size === 1) return { view: opinions[0].view, evidence, conflict: false };
  return { view: 'unknown', evidence, conflict: views.size > 1 };
}

/**
 * Patient Orientation gives the patient directions of the image's rows and columns. A lateral image's
 * rows run anterior or posterior (A/P); a frontal image's run left or right (L/R); the columns run to
 * the head or feet (H/F) in both. Anything else (an oblique "LP", a missing value) says nothing.
 */
function orientationView(orientation: string[] | null): View | null {
  if (orientation === null || orientation.length !== 2) return null;
  const [row, column] = orientation.map((s) => s.trim().toUpperCase());
  if (column !== 'H' && column !== 'F') return null;
  if (row === 'A' || row === 'P') return 'lateral';
  if (row === 'L' || row === 'R') return 'frontal';
  return null;
}
