/**
 * Argument parsing for every command, on Node's own util.parseArgs (no dependency needed): each
 * command declares its options once, and gets --help text, unknown-option errors (exit 2) and typed
 * accessors from that declaration.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../util/errors.js';
import { closestName } from './suggest.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in --help as the value's placeholder, e.g. "F.csv". */
  placeholder?: string;
  default?: string | boolean;
  required?: boolean;
}

export interface CommandSpec {
  /** e.g. "spinesurv cox" */
  usage: string;
  description: string;
  options: Record<string, OptionSpec>;
  /** Names of positional arguments, for the help text; their count is checked. */
  positionals?: string[];
}

export class ParsedArgs {
  constructor(
    private readonly spec: CommandSpec,
    readonly values: Record<string, string | boolean | undefined>,
    readonly positionals: string[],
  ) {}

  string(name: string): string {
    const v = this.values[name];
    if (typeof v !== 'string' || v === '') throw new UsageError(`${this.spec.usage}: --${name} is required`);
    return v;
  }

  optionalString(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  number(name: string, fallback?: number): number {
    const v = this.values[name];
    if (v === undefined) {
      if (fallback === undefined) throw new UsageError(`${this.spec.usage}: --${name} is required`);
      return fallback;
    }
    const n = Number(v);
    if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`${this.spec.usage}: --${name} must be a number, got "${String(v)}"`);
    }
    return n;
  }

  integer(name: string, fallback?: number, min = -Infinity): number {
    const n = this.number(name, fallback);
    if (!Number.isInteger(n) || n < min) {
      throw new UsageError(`${this.spec.usage}: --${name} must be an integer >= ${min}, got ${n}`);
    }
    return n;
  }

  optionalNumber(name: string): number | undefined {
    return this.values[name] === undefined ? undefined : this.number(name);
  }

  /** A comma-separated list ("a,b,c"); empty items are dropped. */
  list(name: string): string[] {
    return this.string(name)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }

  optionalList(name: string): string[] | undefined {
    return this.optionalString(name) === undefined ? undefined : this.list(name);
  }

  numberList(name: string): number[] | undefined {
    const items = this.optionalList(name);
    return items?.map((s) => {
      const n = Number(s);
      if (!Number.isFinite(n)) throw new UsageError(`${this.spec.usage}: --${name}: "${s}" is not a number`);
      return n;
    });
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.optionalString(name) ?? fallback;
    if (!choices.includes(v as T)) {
      throw new UsageError(`${this.spec.usage}: --${name} must be one of ${choices.join(', ')}, got "${v}"`);
    }
    return v as T;
  }
}

/** Node's parseArgs messages, said in the command's own terms: the flag as typed, and the nearest real one. */
function describeParseError(error: unknown, spec: CommandSpec): string {
  const { code, message } = error as { code?: string; message: string };
  const quoted = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    const typed = quoted.replace(/^-+/, '').split('=')[0];
    const near = closestName(typed, [...Object.keys(spec.options), 'help']);
    return `unknown option ${quoted.split('=')[0]}${near ? `; did you mean --${near}?` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    const name = quoted.replace(/^-+/, '');
    return spec.options[name]?.type === 'boolean' || name === 'help' || name === 'h'
      ? `${quoted} takes no value`
      : `${quoted} needs a value (a value starting with "-" is written ${quoted}=-1)`;
  }
  return message;
}

export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.usage}${(spec.positionals ?? []).map((p) => ` ${p}`).join('')} [options]`, '', spec.description, '', 'Options:'];
  const entries = Object.entries(spec.options);
  entries.push(['help', { type: 'boolean', description: 'show this help' }]);
  for (const [name, o] of entries) {
    const flag = o.type === 'string' ? `--${name} ${o.placeholder ?? 'VALUE'}` : name === 'help' ? '-h, --help' : `--${name}`;
    const extra = o.required ? ' (required)' : o.default !== undefined ? ` (default: ${String(o.default)})` : '';
    lines.push(`  ${flag.padEnd(30)} ${o.description}${extra}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Parses argv for one command. Returns null after printing help for --help (the caller exits 0).
 */
export function parseCommand(argv: string[], spec: CommandSpec): ParsedArgs | null {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) {
    options[name] = o.default === undefined ? { type: o.type } : { type: o.type, default: o.default };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${spec.usage}: ${describeParseError(error, spec)} (see --help)`);
  }
  if (parsed.values.help === true) {
    process.stdout.write(helpText(spec));
    return null;
  }
  const expected = spec.positionals ?? [];
  if (parsed.positionals.length !== expected.length) {
    throw new UsageError(
      `${spec.usage}: expected ${expected.length === 0 ? 'no positional arguments' : expected.join(' ')}, got "${parsed.positionals.join(' ')}" (see --help)`,
    );
  }
  const args = new ParsedArgs(spec, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
  for (const [name, o] of Object.entries(spec.options)) if (o.required) args.string(name);
  return args;
}

/**
 * Runs `spinesurv <command> <subcommand> ...` for a command made of subcommands: prints `help` for
 * no subcommand (exit 2), --help, -h or help (exit 0), and refuses an unknown one (exit 2).
 */
export async function runSubcommand(
  argv: string[],
  help: string,
  subcommands: Record<string, (argv: string[]) => Promise<number>>,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(help);
    return sub === undefined ? 2 : 0;
  }
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (run === undefined) {
    const names = Object.keys(subcommands);
    const expected = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
    throw new UsageError(`unknown subcommand "${sub}" (expected ${expected})`);
  }
  return run(rest);
}

/** Writes a --json result: one JSON object on stdout and nothing else there. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}
