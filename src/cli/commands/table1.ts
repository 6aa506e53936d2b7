/**
 * `spinesurv table1 --data F.csv --group COL [--continuous A,B] [--categorical C,D] [--json]
 * [--markdown]`: baseline characteristics by group, mean +- SD or n (%), with t-tests (Student and
 * Welch), chi-square and Fisher's exact tests.
 */
import type { Command } from '../command.js';
import { parseCommand, printJson, type CommandSpec } from '../args.js';
import { formatCsv, isMissingCell } from '../../util/csv.js';
import { delimiterOption, readDataCsv } from '../data-options.js';
import { UsageError, InputError } from '../../util/errors.js';
import { table1, table1Cells, table1Markdown, type Table1Input } from '../../stats/index.js';

const spec: CommandSpec = {
  usage: 'spinesurv table1',
  description: 'Table 1: mean ± SD or n (%) by group, with t-tests (continuous) and chi-square / Fisher (categorical).',
  options: {
    data: { type: 'string', description: 'input CSV', placeholder: 'F.csv', required: true },
    group: { type: 'string', description: 'grouping column (e.g. fracture or split)', placeholder: 'COL', required: true },
    continuous: { type: 'string', description: 'comma-separated continuous columns', placeholder: 'A,B' },
    categorical: { type: 'string', description: 'comma-separated categorical columns', placeholder: 'C,D' },
    markdown: { type: 'boolean', description: 'print a Markdown table (default: CSV)' },
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
    ...delimiterOption,
  },
};

export const command: Command = {
  async run(argv) {
    const a = parseCommand(argv, spec);
    if (a === null) return 0;
    const continuous = a.optionalList('continuous') ?? [];
    const categorical = a.optionalList('categorical') ?? [];
    if (continuous.length + categorical.length === 0) throw new UsageError(`${spec.usage}: give --continuous and/or --categorical columns`);
    const table = readDataCsv(a);
    const groupName = a.string('group');
    const group = table.strings(groupName).map((g) => g.trim());
    const g = table.columnIndex(groupName);
    // A missing group (empty or NA, the same rule as every command) is an error, never a group called "NA".
    group.forEach((_, i) => {
      if (table.isMissing(i, g)) throw new InputError(`${table.source}: column "${groupName}", line ${table.lineOfRow(i)}: missing group (empty or NA)`);
    });
    const vars: Table1Input[] = [
      ...continuous.map((name): Table1Input => ({ name, kind: 'continuous', values: table.numbers(name, { missing: 'nan' }) })),
      ...categorical.map((name): Table1Input => ({ name, kind: 'categorical', values: table.strings(name).map((s) => (isMissingCell(s) ? '' : s.trim())) })),
    ];
    const t = table1(group, vars);
    if (a.flag('json')) printJson(t);
    else if (a.flag('markdown')) process.stdout.write(table1Markdown(t));
    else {
      const cells = table1Cells(t);
      process.stdout.write(formatCsv(cells[0], cells.slice(1)));
    }
    return 0;
  },
};
