/**
 * `spinesurv km --data F.csv --time COL --event COL [--group COL] [--times t1,t2] [--json]`:
 * Kaplan-Meier estimates with Greenwood (log) 95% CIs as R's survfit, per group when asked, and the
 * log-rank test between groups.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { delimiterOption, eventValue, eventValueOption, readDataCsv } from '../data-options.js';
import { rowCount } from '../wording.js';
import { kaplanMeier, logRank, type KaplanMeier } from '../../survival/index.js';
import { medianSurvival } from '../../survival/kaplan-meier.js';
import { formatPEquals } from '../wording.js';
import { readSurvivalColumns } from '../../survival/csv-input.js';
import { log } from '../../util/progress.js';

const spec: CommandSpec = {
  usage: 'spinesurv km',
  description: 'Kaplan-Meier survival with Greenwood (log) 95% CIs; log-rank test across --group.',
  options: {
    data: { type: 'string', description: 'input CSV', placeholder: 'F.csv', required: true },
    time: { type: 'string', description: 'follow-up time column', placeholder: 'COL', required: true },
    event: { type: 'string', description: 'event column (1 = event, 0 = censored)', placeholder: 'COL', required: true },
    group: { type: 'string', description: 'estimate per group and test them (log-rank)', placeholder: 'COL' },
    times: { type: 'string', description: 'report the curve at these times (default: every distinct time)', placeholder: 't1,t2' },
    'drop-missing': { type: 'boolean', description: 'skip rows with a missing value in a used column' },
    ...eventValueOption,
    ...delimiterOption,
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
};

/**
 * The median's 95% CI as R's survfit prints it (0.95LCL, 0.95UCL): where the lower and the upper
 * confidence curves reach 0.5 (R's median rule); null when a curve never does.
 */
function medianCi(km: KaplanMeier): [number | null, number | null] {
  const clean = (v: number) => (Number.isFinite(v) ? v : null);
  const curve = (c: Float64Array) => Float64Array.from(c, (v) => (Number.isNaN(v) ? 1 : v));
  return [clean(medianSurvival(km.time, curve(km.lower))), clean(medianSurvival(km.time, curve(km.upper)))];
}

function curveJson(km: KaplanMeier, times: number[] | undefined): Record<string, unknown> {
  const clean = (v: number) => (Number.isFinite(v) ? v : null);
  const events = km.nEvent.reduce((a, b) => a + b, 0);
  const head = { n: km.nRisk[0] ?? 0, events, median: clean(km.median), median_ci95: medianCi(km) };
  if (times) {
    const at = km.at(times);
    return { ...head, time: at.time, n_risk: at.nRisk, surv: at.surv, lower95: at.lower.map(clean), upper95: at.upper.map(clean) };
  }
  return {
    ...head,
    time: Array.from(km.time),
    n_risk: Array.from(km.nRisk),
    n_event: Array.from(km.nEvent),
    n_censor: Array.from(km.nCensor),
    surv: Array.from(km.surv),
    lower95: Array.from(km.lower, clean),
    upper95: Array.from(km.upper, clean),
  };
}

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const times = a.numberList('times');
    const group = a.optionalString('group');
    const table = readDataCsv(a);
    const cols = readSurvivalColumns(table, { time: a.string('time'), event: a.string('event'), labels: group ? [group] : [], dropMissing: a.flag('drop-missing'), eventValue: eventValue(a) });
    for (const note of cols.notes) log(`km: ${note}`);
    if (cols.dropped > 0) log(`km: dropped ${rowCount(cols.dropped)} with missing values`);
    let events = 0;
    for (const e of cols.event) events += e;
    const result: Record<string, unknown> = { n: cols.n, nevent: events, overall: curveJson(kaplanMeier(cols.time, cols.event), times) };
    if (group) {
      const labels = cols.labels[0];
      const levels = Array.from(new Set(labels)).sort();
      const groups: Record<string, unknown> = {};
      for (const level of levels) {
        const rows = labels.flatMap((l, i) => (l === level ? [i] : []));
        const km = kaplanMeier(Float64Array.from(rows, (i) => cols.time[i]), Uint8Array.from(rows, (i) => cols.event[i]));
        groups[level] = curveJson(km, times);
      }
      result.groups = groups;
      if (levels.length >= 2) {
        const lr = logRank(cols.time, cols.event, labels);
        result.log_rank = { chisq: lr.chisq, df: lr.df, p: lr.p, observed: lr.observed, expected: lr.expected, groups: lr.groups };
      }
    }
    if (a.flag('json')) {
      printJson(result);
      return 0;
    }
    const f = (x: number | null) => (x === null ? 'NA' : x.toFixed(4));
    const limit = (x: number | null) => (x === null ? 'NA' : String(x));
    const print = (title: string, c: Record<string, unknown>) => {
      const ci = c.median_ci95 as [number | null, number | null];
      const median = c.median === null ? 'not reached' : `${String(c.median)} (95% CI ${limit(ci[0])} to ${limit(ci[1])})`;
      const t = c.time as number[];
      const s = c.surv as number[];
      const lo = c.lower95 as (number | null)[];
      const hi = c.upper95 as (number | null)[];
      const nr = c.n_risk as number[];
      process.stdout.write(`${title}: n = ${String(c.n)}, events = ${String(c.events)}, median ${median}\n  time   n.risk   surv   lower95  upper95\n`);
      t.forEach((tt, k) => process.stdout.write(`  ${String(tt).padEnd(6)} ${String(nr[k]).padStart(6)}  ${f(s[k])}  ${f(lo[k])}   ${f(hi[k])}\n`));
    };
    print('All', result.overall as Record<string, unknown>);
    if (result.groups) for (const [g, c] of Object.entries(result.groups as Record<string, Record<string, unknown>>)) print(`${group} = ${g}`, c);
    if (result.log_rank) {
      const lr = result.log_rank as { chisq: number; df: number; p: number };
      process.stdout.write(`log-rank chi-square ${lr.chisq.toFixed(3)} on ${lr.df} df, p ${formatPEquals(lr.p)}\n`);
    }
    return 0;
  },
};
