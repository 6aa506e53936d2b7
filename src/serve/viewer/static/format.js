// Numbers and dates in words for the pages. Every string reaches the page through textContent.

export function riskText(risk) {
  return risk === null || risk === undefined ? '–' : risk.toFixed(4);
}

export function percentText(p) {
  return p === null || p === undefined ? '–' : `${(100 * p).toFixed(1)}%`;
}

export function percentileText(p) {
  return p === null || p === undefined ? '–' : p.toFixed(0);
}

export function timeText(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export const STATUS_WORDS = {
  received: 'waiting',
  scored: 'scored',
  flagged: 'flagged',
  failed: 'failed',
};

/** An element with text, built without innerHTML. */
export function el(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
}
