/** What every file in src/cli/commands/ exports as `command`. */
export interface Command {
  name: string;
  summary: string;
  /** Returns the exit code (0 when omitted). Throws UsageError/InputError for exit 2. */
  run(argv: string[]): Promise<number | void>;
}
