/**
 * Whether a radiograph shows the lumbar spine, from Body Part Examined (0018,0015) and, when that is
 * empty or says only "SPINE", from the series description and protocol name ("L-SPINE LAT", "LWS").
 * A header that names the lumbar spine nowhere is "unknown": listed for the user, never guessed.
 */
export type BodyPartVerdict = 'lumbar' | 'other' | 'unknown';

export interface BodyPartReading {
  verdict: BodyPartVerdict;
  /** What the header says, for the report ("CHEST", "SeriesDescription L-SPINE LAT"), '' when nothing. */
  said: string;
}

/** Lumbar in the codes and words PACSs use: LSPINE, L-SPINE, LUMBAR, LUMBOSACRAL, LS SPINE, LWS (German). */
const LUMBAR_WORDS = /(^|[^A-Z])(L[-_ ]?SPINE|LS[-_ ]?SPINE|LUMBAR|LUMBOSACRAL|LUMB|LWS|LSP)([^A-Z]|$)|LUMBAR/;

/** Body Part Examined values that say "spine" without saying which part: the descriptions decide. */
const GENERIC_SPINE = new Set(['SPINE', 'WHOLESPINE', 'WHOLE SPINE', 'SKELETON']);

export function readBodyPart(bodyPartExamined: string | null, descriptions: { name: string; text: string }[]): BodyPartReading {
  const tag = (bodyPartExamined ?? '').trim().toUpperCase();
  if (tag !== '' && !GENERIC_SPINE.has(tag)) {
    return { verdict: LUMBAR_WORDS.test(tag) ? 'lumbar' : 'other', said: tag };
  }
  for (const { name, text } of descriptions) {
    if (LUMBAR_WORDS.test(text.toUpperCase())) return { verdict: 'lumbar', said: `${name} ${text}` };
  }
  return { verdict: 'unknown', said: tag };
}
