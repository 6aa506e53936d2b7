// The worklist page: every image, highest risk first (the server sorts), refreshed every few seconds
// as radiographs arrive. Each row opens its study page (a link, so Tab reaches it and Enter opens it;
// a click anywhere on the row does the same).
import { download, getJson } from './api.js';
import { el, percentText, percentileText, riskText, STATUS_WORDS, timeText } from './format.js';

const REFRESH_MS = 5000;
const body = document.querySelector('#worklist tbody');
const summary = document.getElementById('summary');
const errorBox = document.getElementById('error');

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = message === '';
}

function row(entry, rank, showPhi) {
  const tr = el('tr', null, { 'data-uid': entry.sopInstanceUid, 'data-status': entry.status });
  if (entry.flags.length > 0) tr.classList.add('flagged');
  tr.append(el('td', rank, { class: 'rank' }));
  if (showPhi) tr.append(el('td', entry.patientName ?? '', { class: 'patient' }));
  const link = el('a', `…${entry.sopInstanceUid.slice(-12)}`, { href: `/study/${entry.sopInstanceUid}`, title: entry.sopInstanceUid });
  const uidCell = el('td', null, { class: 'uid' });
  uidCell.append(link);
  tr.append(uidCell);
  const risk = el('td', riskText(entry.risk), { class: 'risk num' });
  if (entry.risk !== null) risk.dataset.risk = String(entry.risk);
  tr.append(risk);
  tr.append(el('td', percentText(entry.surv?.['5']), { class: 'surv num' }));
  tr.append(el('td', percentileText(entry.percentile), { class: 'percentile num' }));
  const status = entry.missingClinical.length > 0 && entry.status === 'received'
    ? `needs ${entry.missingClinical.join(', ')}` : STATUS_WORDS[entry.status] ?? entry.status;
  tr.append(el('td', status, { class: `status status-${entry.status}` }));
  const flags = el('td', null, { class: 'flags' });
  for (const f of entry.flags) flags.append(el('span', f, { class: 'flag' }));
  if (entry.reason) flags.append(el('span', entry.reason, { class: 'flag reason' }));
  // A score made outside what the model saw (e.g. an age beyond the training range): it is there, but
  // the badge says to read it with care; the full sentence is its tooltip and on the study page.
  for (const w of entry.warnings) flags.append(el('span', 'extrapolated', { class: 'flag warning', title: w }));
  tr.append(flags);
  tr.append(el('td', entry.corrected ? `${entry.corrected.by}, ${timeText(entry.corrected.at)}` : '', { class: 'corrected' }));
  tr.append(el('td', timeText(entry.receivedAt), { class: 'received' }));
  tr.addEventListener('click', (event) => {
    if (event.target instanceof HTMLAnchorElement) return;
    window.location.href = link.href;
  });
  return tr;
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const data = await getJson('/api/viewer/worklist');
    document.getElementById('model-name').textContent = data.modelName ?? 'unnamed';
    for (const th of document.querySelectorAll('th.phi')) th.hidden = !data.showPhi;
    // Keep keyboard focus on the same row's link across refreshes.
    const focused = document.activeElement?.closest?.('tr')?.dataset.uid;
    body.replaceChildren(...data.images.map((e, i) => row(e, i + 1, data.showPhi)));
    if (focused) body.querySelector(`tr[data-uid="${CSS.escape(focused)}"] a`)?.focus();
    const scored = data.images.filter((e) => e.risk !== null).length;
    summary.textContent = `${data.images.length} radiograph${data.images.length === 1 ? '' : 's'}, ${scored} scored.`;
    showError('');
  } catch (error) {
    showError(error.message);
  } finally {
    refreshing = false;
  }
}

document.getElementById('download-csv').addEventListener('click', () => {
  download('/api/viewer/worklist.csv', 'spinesurv-worklist.csv').catch((error) => showError(error.message));
});

refresh();
setInterval(refresh, REFRESH_MS);
