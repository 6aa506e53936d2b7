// The study page: one radiograph with its score, keypoints and heatmap. Moving a keypoint posts the
// correction; the server re-scores and the page shows the new score. Every value reaches the page via
// textContent or an attribute, never as HTML.
import { ApiError, getJson, imagePath, postJson, request } from './api.js';
import { el, percentText, percentileText, riskText, STATUS_WORDS, timeText } from './format.js';
import { RadiographView, VERTEBRAE } from './radiograph-view.js';
import { showPixels, windowReadout, wireWindowControls } from './window-controls.js';

const BY_KEY = 'spinesurv.by';
const BINARY = new Set(['glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis', 'prior_fracture']);
const uid = decodeURIComponent(window.location.pathname.split('/').pop() ?? '');
const $ = (id) => document.getElementById(id);

let fileWindow = null;
let image = null;

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = message === '';
}

function setBusy(text) {
  $('busy').textContent = text;
  view.setBusy(text !== '');
}

const view = new RadiographView($('view'), {
  onCommit: (points) => correct(points),
  onWindowChange: windowReadout,
});

function who() {
  const by = $('by').value.trim();
  if (by === '') {
    $('by').focus();
    throw new Error('Enter your name under "Corrections" first: each change records who made it.');
  }
  localStorage.setItem(BY_KEY, by);
  return by;
}

function pointText(points, k) {
  return points ? `${points[2 * k].toFixed(1)}, ${points[2 * k + 1].toFixed(1)}` : '–';
}

function render(next) {
  image = next;
  $('uid').textContent = `…${image.sopInstanceUid.slice(-12)}`;
  $('uid').title = image.sopInstanceUid;
  if (image.phi) {
    $('patient').textContent = `Patient: ${image.phi.patientName} (${image.phi.patientId})`;
    $('patient').hidden = false;
  }
  $('status').textContent = STATUS_WORDS[image.status] ?? image.status;
  $('risk').textContent = riskText(image.risk);
  $('risk').dataset.risk = image.risk === null ? '' : String(image.risk);
  for (const t of ['1', '3', '5']) $(`surv-${t}`).textContent = percentText(image.surv?.[t]);
  $('percentile').textContent = percentileText(image.percentile);
  const flags = [...image.flags, ...(image.reason ? [image.reason] : [])];
  $('flags').textContent = flags.length > 0 ? flags.join('; ') : 'none';
  $('warnings').replaceChildren(...image.warnings.map((w) => el('p', w, { class: 'flag warning' })));
  $('warnings-row').hidden = image.warnings.length === 0;
  $('scored-at').textContent = timeText(image.scoredAt);
  $('model-version').textContent = image.modelVersion ?? '–';

  const predicted = image.predictedKeypoints;
  const corrected = image.correctedKeypoints;
  const rows = VERTEBRAE.map((name, k) => {
    const tr = el('tr', null, { 'data-kp': name });
    tr.append(el('th', name, { scope: 'row' }), el('td', pointText(predicted, k), { class: 'predicted' }), el('td', corrected ? pointText(corrected.keypoints, k) : '–', { class: 'corrected' }));
    return tr;
  });
  document.querySelector('#keypoints tbody').replaceChildren(...rows);
  $('kp-caption').textContent = corrected
    ? `Corrected by ${corrected.by} at ${timeText(corrected.at)}; the score uses the corrected points.`
    : predicted ? 'As predicted by the keypoint detector.' : 'No keypoints found.';
  view.setPoints(predicted, corrected ? corrected.keypoints : predicted);
  renderClinical();
  renderHistory();
}

function renderClinical() {
  const known = $('clinical-known');
  known.replaceChildren();
  for (const [k, v] of Object.entries(image.clinical)) known.append(el('dt', k), el('dd', v));
  const form = $('clinical-form');
  const fields = $('clinical-fields');
  fields.replaceChildren();
  form.hidden = image.missingClinical.length === 0;
  for (const column of image.missingClinical) {
    const id = `clinical-${column}`;
    const label = el('label', column.replace(/_/g, ' '), { for: id });
    let input;
    if (column === 'sex' || BINARY.has(column)) {
      input = el('select', null, { id, name: column, required: '' });
      input.append(el('option', 'choose…', { value: '' }));
      const choices = column === 'sex' ? [['F', 'F (female)'], ['M', 'M (male)']] : [['0', '0 (no)'], ['1', '1 (yes)']];
      for (const [value, text] of choices) input.append(el('option', text, { value }));
    } else {
      input = el('input', null, { id, name: column, type: 'number', step: 'any', required: '' });
    }
    const row = el('div', null, { class: 'field' });
    row.append(label, input);
    fields.append(row);
  }
}

/** Every change made to this image, oldest first: who, when, what (the server never rewrites one). */
function renderHistory() {
  const items = image.changes.map((c) => {
    const what = c.kind === 'keypoints'
      ? `moved keypoints to ${VERTEBRAE.map((name, k) => `${name} ${pointText(c.value, k)}`).join('; ')}`
      : `set ${Object.entries(c.value).map(([k, v]) => `${k} = ${v}`).join(', ')}`;
    return el('li', `${timeText(c.at)}, ${c.by}: ${what}`, { 'data-kind': c.kind });
  });
  $('history').replaceChildren(...items);
  $('history-empty').hidden = items.length > 0;
}

async function loadHeatmap() {
  $('heatmap-on').disabled = true;
  $('heatmap-opacity').disabled = true;
  view.setHeatmap(null);
  if (image.risk === null) return;
  try {
    const blob = await (await request(imagePath(uid, '/heatmap.png'))).blob();
    view.setHeatmap(await createImageBitmap(blob));
    $('heatmap-on').disabled = false;
    $('heatmap-opacity').disabled = false;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) showError(error.message);
  }
}

async function correct(points) {
  let by;
  try {
    by = who();
  } catch (error) {
    showError(error.message);
    view.revert();
    return;
  }
  showError('');
  setBusy('Re-scoring with the corrected keypoints…');
  try {
    render(await postJson(imagePath(uid, '/keypoints'), { keypoints: points, by }));
    await loadHeatmap();
  } catch (error) {
    showError(`Correction not saved: ${error.message}`);
    view.revert();
  } finally {
    setBusy('');
  }
}

$('clinical-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const values = {};
  for (const column of image.missingClinical) {
    const raw = $(`clinical-${column}`).value.trim();
    values[column] = column === 'sex' ? raw : Number(raw);
  }
  try {
    const by = who();
    setBusy('Scoring with the clinical values…');
    render(await postJson(imagePath(uid, '/clinical'), { values, by }));
    await loadHeatmap();
    showError('');
  } catch (error) {
    showError(`Clinical values not saved: ${error.message}`);
  } finally {
    setBusy('');
  }
});

wireWindowControls(view, () => fileWindow);
const overlay = () => view.showHeatmap($('heatmap-on').checked, Number($('heatmap-opacity').value));
$('heatmap-on').addEventListener('change', overlay);
$('heatmap-opacity').addEventListener('input', overlay);
$('by').value = localStorage.getItem(BY_KEY) ?? '';

/**
 * While the server has not scored the image yet (just received, or waiting for a clinical value that
 * another client or a restart with --clinical may give), look again every few seconds.
 */
const PENDING_MS = 3000;
function watchWhilePending() {
  if (image.status !== 'received') return;
  setTimeout(async () => {
    try {
      const next = await getJson(imagePath(uid));
      // A correction or clinical value being saved brings its own answer.
      if ($('busy').textContent === '' && (next.status !== image.status || next.scoredAt !== image.scoredAt)) {
        render(next);
        await loadHeatmap();
      }
    } catch (error) {
      showError(error.message);
    }
    watchWhilePending();
  }, PENDING_MS);
}

async function load() {
  try {
    const [data, pixels] = await Promise.all([getJson(imagePath(uid)), request(imagePath(uid, '/pixels'))]);
    fileWindow = await showPixels(view, pixels);
    render(data);
    await loadHeatmap();
    document.body.dataset.ready = 'true';
    watchWhilePending();
  } catch (error) {
    showError(error.message);
  }
}

load();
