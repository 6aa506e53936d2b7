/**
 * Each patient's baseline lateral lumbar radiograph among the candidates factsOf left undecided
 * (readable, lumbar, lateral or of unknown view, dated, with a clinical row). The baseline study is the
 * patient's earliest (StudyDate, StudyTime) study holding a candidate. In it, the first lateral (by
 * series, then instance number, then name) is taken. When that study holds no lateral but radiographs
 * whose view cannot be told, nothing is taken: one of them may be the baseline lateral, and taking a
 * later study instead would be a guess. `--pick` overrides the rule for its patients.
 */
import type { FileFacts } from './file-facts.js';
import type { Pick } from './pick-file.js';
import { left, taken } from './decisions.js';

export interface PatientChoice {
  /** The taken file, or null when the patient has none. */
  chosen: FileFacts | null;
  /** Why none was taken (for the clinical row's report line); '' when one was. */
  whyNone: string;
}

export function chooseBaselines(files: FileFacts[], picks: Map<string, Pick>): Map<string, PatientChoice> {
  const byName = new Map(files.map((f) => [f.file.name, f]));
  const pickedNames = new Set([...picks.values()].map((p) => p.file));
  const candidates = new Map<string, FileFacts[]>();
  for (const f of files) {
    if (f.decision !== null || pickedNames.has(f.file.name)) continue;
    let list = candidates.get(f.patient);
    if (list === undefined) candidates.set(f.patient, (list = []));
    list.push(f);
  }
  const choices = new Map<string, PatientChoice>();
  for (const [id, pick] of picks) {
    const f = byName.get(pick.file)!; // readPickFile's names are checked against the export by the caller
    f.decision = taken('picked', `picked with --pick (line ${pick.line})${f.patient !== id ? ' for another patient than its header names' : ''}`);
    for (const other of candidates.get(id) ?? []) other.decision = left('another-picked', `another radiograph was picked with --pick (line ${pick.line})`);
    candidates.delete(id);
    choices.set(id, { chosen: f, whyNone: '' });
  }
  for (const [id, list] of candidates) choices.set(id, chooseOne(list));
  return choices;
}

function chooseOne(list: FileFacts[]): PatientChoice {
  list.sort(byAcquisition);
  const baseline = list[0].study;
  const baselineDate = formatDate(list[0].studyDate);
  const inBaseline = list.filter((f) => f.study === baseline);
  for (const f of list) {
    if (f.study !== baseline) f.decision = left('later-study', `a later study (the baseline study is of ${baselineDate})`);
  }
  const laterals = inBaseline.filter((f) => f.view!.view === 'lateral');
  const unknown = inBaseline.filter((f) => f.view!.view === 'unknown');
  for (const f of unknown) {
    const why = f.view!.conflict ? `the header disagrees with itself: ${f.view!.evidence}` : 'nothing in the header says lateral or AP';
    f.decision = left('view-unknown', `view unknown (${why})${laterals.length === 0 ? '; the baseline study has no lateral view that can be told: choose with --pick' : ''}`);
  }
  if (laterals.length === 0) {
    return { chosen: null, whyNone: `the view of the baseline study's radiograph(s) cannot be told (${unknown.length} file(s) marked view-unknown): choose one with --pick` };
  }
  const [first, ...rest] = laterals;
  first.decision = taken('baseline-lateral', `the baseline lateral lumbar radiograph (${first.view!.evidence})`);
  for (const f of rest) f.decision = left('another-lateral', 'another lateral view of the baseline study (the first by series and instance number is taken)');
  return { chosen: first, whyNone: '' };
}

function byAcquisition(a: FileFacts, b: FileFacts): number {
  return compare(a.studyDate, b.studyDate) || compare(a.studyTime, b.studyTime) || compare(a.study, b.study)
    || a.seriesNumber - b.seriesNumber || a.instanceNumber - b.instanceNumber || compare(a.file.name, b.file.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** YYYYMMDD as YYYY-MM-DD (the report's form); anything else as it is. */
export function formatDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date;
}
