// The annotation page (`spinesurv annotate`): one radiograph at a time from the worklist, L1-L5 placed
// with the mouse and keys, accepted, skipped or undone. The server writes the keypoints file before it
// answers, so what the page shows as accepted is on disk. Every value reaches the page via textContent.
import { ApiError, getJson, postJson, request } from './api.js';
import { RadiographView, VERTEBRAE } from './radiograph-view.js';
import { showPixels, windowReadout, wireWindowControls } from './window-controls.js';

const BY_KEY = 'spinesurv.by';
const $ = (id) => document.getElementById(id);
const api = (index, what = '') => `/api/annotate/images/${index}${what}`;

let image = null; // the server's view of the current radiograph
let fileWindow = null;
let selected = 0;
let edits = []; // earlier point arrays of this image, for U
let shownAt = 0;
let lastDone = null; // {index, revision} of this tab's last accepted or skipped radiograph
let busy = false;

const view = new RadiographView($('view'), {
  onCommit: (points) => {
    // A dragged marker: the points are the view's; keep the state before for U.
    edits.push(lastPoints);
    lastPoints = [...points];
    render();
  },
  onWindowChange: windowReadout,
  onPlace: (x, y) => place(x, y),
});
let lastPoints = null;
wireWindowControls(view, () => fileWindow);

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = message === '';
}

function who() {
  const by = $('by').value.trim();
  if (by === '') {
    $('by').focus();
    throw new Error('Enter your name under "Annotator" first: each image records who annotated it.');
  }
  localStorage.setItem(BY_KEY, by);
  return by;
}

const placed = (points, k) => Number.isFinite(points[2 * k]) && Number.isFinite(points[2 * k + 1]);

function render() {
  if (image === null) return;
  const points = view.points ?? [];
  $('which').textContent = `– cohort line ${image.line} (${image.split})`;
  document.body.dataset.index = String(image.index);
  $('status').textContent = image.status === 'skipped' ? `skipped: ${image.reason}` : image.status === 'accepted' ? `accepted by ${image.annotator ?? '?'}` : 'to do';
  $('proposal').textContent = image.proposal ? `score ${image.proposal.score.toFixed(2)}${image.proposal.flags.length ? `, flagged: ${image.proposal.flags.join('; ')}` : ''}` : 'none';
  $('accept-proposal').disabled = busy || !image.proposal;
  $('selected').textContent = VERTEBRAE[selected];
  const rows = VERTEBRAE.map((name, k) => {
    const tr = document.createElement('tr');
    tr.dataset.kp = name;
    if (k === selected) tr.className = 'selected';
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    const td = document.createElement('td');
    td.textContent = placed(points, k) ? `${points[2 * k].toFixed(1)}, ${points[2 * k + 1].toFixed(1)}` : 'not placed';
    tr.append(th, td);
    return tr;
  });
  $('keypoints').querySelector('tbody').replaceChildren(...rows);
  view.buttons.forEach((b, k) => b.classList.toggle('selected', k === selected));
  $('accept').disabled = busy || !VERTEBRAE.every((_, k) => placed(points, k));
}

function setPoints(points) {
  view.setPoints(image?.proposal ? image.proposal.keypoints : null, points);
  lastPoints = [...points];
  render();
}

function remember() {
  edits.push([...view.points]);
}

function place(x, y) {
  if (busy || image === null) return;
  // The canvas takes no focus (its pointerdown is the view's); leave the name field so keys act on the points.
  if (document.activeElement instanceof HTMLInputElement) document.activeElement.blur();
  remember();
  view.points[2 * selected] = x;
  view.points[2 * selected + 1] = y;
  view.buildMarkers();
  view.draw();
  lastPoints = [...view.points];
  // On to the next point not placed yet, so five clicks place L1..L5.
  const next = VERTEBRAE.findIndex((_, k) => !placed(view.points, k));
  if (next >= 0) selected = next;
  render();
}

function nudge(dx, dy) {
  if (!placed(view.points, selected)) return;
  remember();
  view.points[2 * selected] = Math.min(view.columns, Math.max(0, view.points[2 * selected] + dx));
  view.points[2 * selected + 1] = Math.min(view.rows, Math.max(0, view.points[2 * selected + 1] + dy));
  lastPoints = [...view.points];
  view.draw();
  render();
}

async function refreshStatus() {
  try {
    const w = await getJson('/api/annotate/worklist');
    $('progress').textContent = `${w.counts.accepted} accepted, ${w.counts.skipped} skipped, ${w.counts.todo} to do (order: ${w.order})`;
    const d = w.detector;
    $('det-state').textContent = d.message ? `${d.state}: ${d.message}` : d.state;
    $('det-learnt').textContent = d.images_learnt === null ? '–' : `${d.images_learnt} radiographs`;
    $('det-mre').textContent = d.held_out === null ? '–' : `${d.held_out.mre_mm.toFixed(2)} mm (${d.held_out.images} held out)`;
    $('det-ap').textContent = d.held_out === null ? '–' : d.held_out.ap.toFixed(3);
    $('det-next').textContent = d.next_retrain_at === null ? '–' : `${d.next_retrain_at} accepted`;
  } catch (error) {
    showError(error.message);
  }
}

async function open(index) {
  showError('');
  image = await getJson(api(index));
  edits = [];
  selected = 0;
  fileWindow = null;
  try {
    fileWindow = await showPixels(view, await request(api(index, '/pixels')));
  } catch (error) {
    // An unreadable radiograph: say why; it can still be skipped with that reason.
    if (!(error instanceof ApiError)) throw error;
    showError(error.message);
    $('skip-reason').value = 'cannot be read';
  }
  const start = image.keypoints ?? image.proposal?.keypoints ?? new Array(10).fill(Number.NaN);
  setPoints([...start]);
  selected = Math.max(0, VERTEBRAE.findIndex((_, k) => !placed(view.points, k)));
  shownAt = performance.now();
  render();
  document.body.dataset.ready = 'true';
}

async function openNext(after) {
  const { index } = await getJson(`/api/annotate/next?after=${after ?? -1}`);
  await refreshStatus();
  if (index === null) {
    image = null;
    $('which').textContent = '– all done';
    document.body.dataset.index = 'done';
    return;
  }
  await open(index);
}

/** Runs one change with the server; the page waits for the answer (the file is on disk by then). */
async function change(what, body, index = image?.index) {
  if (busy || index === undefined) return;
  busy = true;
  document.body.dataset.ready = 'false';
  render();
  try {
    const done = await postJson(api(index, `/${what}`), body);
    if (what !== 'undo') lastDone = { index: done.index, revision: done.revision };
    busy = false;
    if (what === 'undo') {
      lastDone = null;
      await open(done.index);
    } else {
      await openNext(done.index);
    }
  } catch (error) {
    busy = false;
    showError(error.message);
    document.body.dataset.ready = 'true';
    render();
  }
}

const seconds = () => Math.round((performance.now() - shownAt) / 100) / 10;

function accept(points) {
  try {
    change('accept', { keypoints: points, by: who(), seconds: seconds(), revision: image.revision });
  } catch (error) {
    showError(error.message);
  }
}

function skip(reason) {
  try {
    change('skip', { reason, by: who(), seconds: seconds(), revision: image.revision });
    $('skip-form').hidden = true;
  } catch (error) {
    showError(error.message);
  }
}

/** U: the last edit of this radiograph; with none, the last radiograph this tab accepted or skipped. */
async function undo() {
  if (edits.length > 0) {
    view.points = edits.pop();
    lastPoints = [...view.points];
    view.buildMarkers();
    view.draw();
    render();
    return;
  }
  if (lastDone === null || busy) return;
  // The radiograph on screen stays the current one until the server has undone the other.
  await change('undo', { revision: lastDone.revision }, lastDone.index);
}

function openSkipForm() {
  $('skip-form').hidden = false;
  $('skip-reason').focus();
}

$('accept').addEventListener('click', () => accept([...view.points]));
$('accept-proposal').addEventListener('click', () => image?.proposal && accept([...image.proposal.keypoints]));
$('skip').addEventListener('click', openSkipForm);
$('undo').addEventListener('click', undo);
$('skip-cancel').addEventListener('click', () => ($('skip-form').hidden = true));
$('skip-form').addEventListener('submit', (event) => {
  event.preventDefault();
  skip($('skip-reason').value.trim());
});

// Keys act on the page, not on whichever marker has focus (captured before the view's own handlers);
// typing in a text field is left alone.
window.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.type === 'text') {
    if (event.key === 'Escape' && target.id === 'skip-reason') $('skip-form').hidden = true;
    // Enter in the name field ends the typing; the keys act on the points again.
    if (event.key === 'Enter' && target.id === 'by') target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const step = event.shiftKey ? 10 : 1;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  let handled = true;
  if (/^[1-5]$/.test(event.key)) {
    selected = Number(event.key) - 1;
    render();
  } else if (event.key in moves) nudge(...moves[event.key]);
  else if (event.key === 'Enter') {
    if (!$('accept').disabled) accept([...view.points]);
  } else if (event.key === 'p' || event.key === 'P') {
    if (image?.proposal) accept([...image.proposal.keypoints]);
  } else if (event.key === 's' || event.key === 'S') openSkipForm();
  else if (event.key === 'u' || event.key === 'U') undo();
  else handled = false;
  if (handled) {
    event.preventDefault();
    event.stopPropagation();
  }
}, { capture: true });

$('by').value = localStorage.getItem(BY_KEY) ?? '';
setInterval(refreshStatus, 5000);
openNext(null).catch((error) => showError(error.message));
