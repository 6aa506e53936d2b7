/**
 * Every line the server logs goes through here. Much of what it logs comes from outside: AE titles,
 * reasons that quote a header value, error messages naming what a request sent. A newline in one of
 * them would start a forged log line ("dicom: stored instance ..." written by the sender), and other
 * control characters can rewrite a terminal; so each control character (C0, DEL, C1, and the Unicode
 * line and paragraph separators) is written as a visible escape, \n, \r, \t or \xNN / \uNNNN, and the
 * line stays one line.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** A log function that writes each line escaped (idempotent: an escaped line has no control characters left). */
export function escapingLog(sink: (line: string) => void): (line: string) => void {
  return (line) => sink(escapeControls(line));
}
