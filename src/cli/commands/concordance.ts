/**
 * `spinesurv concordance --data F.csv --time COL --event COL --score COL [--tau T] [--bootstrap B]
 * [--seed N] [--json]`: Harrell's C with its infinitesimal-jackknife SE and Uno's C (truncated at tau
 * when given), as R's survival::concordance; with --bootstrap, percentile bootstrap 95% CIs (seeded).
 * A higher score means a higher risk.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { delimiterOption, eventValue, eventValueOption, readDataCsv } from '../data-options.js';
import { rowCount } from '../wording.js';
import { UsageError } from '../../util/errors.js';
import { log, progress } from '../../util/progress.js';
import { Random } from '../../util/random.js';
import { concordanceOfRows, concordances } from '../../survival/concordance.js';
import { bootstrapCi } from '../../survival/bootstrap.js';
import { readSurvivalColumns } from '../../survival/csv-input.js';

const spec: CommandSpec = {
  usage: 'spinesurv concordance',
  description: "Harrell's C (with IJ standard error) and Uno's C of a risk score; higher score = higher risk.",
  options: {
    data: { type: 'string', description: 'input CSV', placeholder: 'F.csv', required: true },
    time: { type: 'string', description: 'follow-up time column', placeholder: 'COL', required: true },
    event: { type: 'string', description: 'event column (1 = event, 0 = censored)', placeholder: 'COL', required: true },
    score: { type: 'string', description: 'risk score column (higher = riskier)', placeholder: 'COL', required: true },
    tau: { type: 'string', description: "truncation time for Uno's C (events after tau do not count)", placeholder: 'T' },
    bootstrap: { type: 'string', description: 'number of bootstrap resamples for percentile 95% CIs', placeholder: 'B' },
    seed: { type: 'string', description: 'seed for the bootstrap', placeholder: 'N', default: '1' },
    'drop-missing': { type: 'boolean', description: 'skip rows with a missing value in a used column' },
    ...eventValueOption,
    ...delimiterOption,
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
};

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const tau = a.optionalNumber('tau');
    if (tau !== undefined && !(tau > 0)) throw new UsageError(`${spec.usage}: --tau must be > 0, got ${tau}`);
    const B = a.optionalString('bootstrap') === undefined ? 0 : a.integer('bootstrap', 0, 2);
    const seed = a.integer('seed', 1);
    const scoreName = a.string('score');
    // The table (the file's bytes and cell positions) is not kept past this line: on a million rows
    // that is memory the C-index computation can use.
    const { source, cols } = ((table) => ({
      source: table.source,
      cols: readSurvivalColumns(table, { time: a.string('time'), event: a.string('event'), numeric: [scoreName], dropMissing: a.flag('drop-missing'), eventValue: eventValue(a) }),
    }))(readDataCsv(a));
    for (const note of cols.notes) log(`concordance: ${note}`);
    if (cols.dropped > 0) log(`concordance: dropped ${rowCount(cols.dropped)} with missing values`);
    const score = cols.numeric[0];
    let events = 0;
    for (const e of cols.event) events += e;
    if (events === 0) throw new UsageError(`${source}: no events in column "${a.string('event')}": the C-index is undefined`);
    // Both C's of one score in one go: they share the checks, the sorts and the sweep.
    const [harrell, uno] = concordances(cols.time, cols.event, score, [{ timewt: 'n' }, { timewt: 'n/G2', tau }]);
    const result: Record<string, unknown> = {
      n: cols.n,
      nevent: events,
      harrell: harrell.c,
      harrell_se: harrell.se,
      uno: uno.c,
      uno_se: uno.se,
    };
    if (tau !== undefined) result.tau = tau;
    if (B > 0) {
      const stat = (kind: 'n' | 'n/G2') => concordanceOfRows(cols.time, cols.event, score, { timewt: kind, tau: kind === 'n/G2' ? tau : undefined });
      // The same seed gives both C's the same resamples (paired). Progress only on a terminal.
      const bar = process.stderr.isTTY ? progress('bootstrap', 2 * B) : undefined;
      const h = bootstrapCi(cols.n, stat('n'), { B, random: new Random(seed), onProgress: bar && ((d) => bar.tick(d)) });
      const u = bootstrapCi(cols.n, stat('n/G2'), { B, random: new Random(seed), onProgress: bar && ((d) => bar.tick(B + d)) });
      bar?.done();
      result.harrell_ci95 = [h.lower, h.upper];
      result.uno_ci95 = [u.lower, u.upper];
      result.bootstrap = { B, seed, failed: h.failed + u.failed };
    }
    if (a.flag('json')) printJson(result);
    else {
      const f = (x: number) => x.toFixed(4);
      const lines = [
        `n = ${cols.n}, events = ${events}`,
        `Harrell's C ${f(harrell.c)} (se ${f(harrell.se)})${B > 0 ? `, bootstrap 95% CI ${f((result.harrell_ci95 as number[])[0])}-${f((result.harrell_ci95 as number[])[1])}` : ''}`,
        `Uno's C     ${f(uno.c)} (se ${f(uno.se)})${tau !== undefined ? `, tau = ${tau}` : ''}${B > 0 ? `, bootstrap 95% CI ${f((result.uno_ci95 as number[])[0])}-${f((result.uno_ci95 as number[])[1])}` : ''}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  },
};
