/** Text formatting for the report: escaping and the number styles clinical papers use. */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A fixed number of decimals; an em dash for a value that does not exist. */
export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** "0.612 (0.571 to 0.653)" */
export function withCi(value: number | null | undefined, ci: [number, number] | null | undefined, digits = 3): string {
  if (ci === null || ci === undefined) return fixed(value, digits);
  return `${fixed(value, digits)} (${fixed(ci[0], digits)} to ${fixed(ci[1], digits)})`;
}

/** P-values as journals print them: "<0.001", else three decimals. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Thousands separators for counts ("1,416"). */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
