/**
 * What every file in src/cli/commands/ exports as `command`. Names and one-line summaries live in
 * main.ts's COMMANDS list, so that `spinesurv --help` needs no command module (nor libtorch) loaded.
 */
export interface Command {
  /** Returns the exit code (0 when omitted). Throws UsageError/InputError for exit 2. */
  run(argv: string[]): Promise<number | void>;
}
