/**
 * Progress and log lines go to stderr (stdout is reserved for results and --json). A redrawn bar is
 * shown only when stderr is a terminal; otherwise occasional plain lines are written.
 */
export interface Progress {
  tick(done: number, note?: string): void;
  done(note?: string): void;
}

export function log(message: string): void {
  process.stderr.write(message + '\n');
}

export function progress(label: string, total: number): Progress {
  const tty = process.stderr.isTTY === true;
  const start = Date.now();
  // Without a terminal, print a plain line each time another quarter is reached.
  let lastQuarter = -1;
  return {
    tick(done: number, note = '') {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (tty) {
        process.stderr.write(`\r${label} ${done}/${total} (${pct}%) ${note}`.padEnd(70));
      } else if (Math.floor(pct / 25) > lastQuarter) {
        lastQuarter = Math.floor(pct / 25);
        process.stderr.write(`${label} ${done}/${total} (${pct}%) ${note}\n`);
      }
    },
    done(note = '') {
      const secs = ((Date.now() - start) / 1000).toFixed(1);
      process.stderr.write(`${tty ? '\r' : ''}${label} done in ${secs} s ${note}`.padEnd(tty ? 70 : 0) + '\n');
    },
  };
}
