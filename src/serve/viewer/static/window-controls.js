// The window/level and zoom controls under a RadiographView, shared by the study page and the
// annotation page: sliders for centre and width, the file's window, zoom in / out / fit; and the
// pixels of a /pixels response (X-Pixel-Type, X-Rows, X-Columns, X-Window-* headers) put into the view.
const $ = (id) => document.getElementById(id);

export function windowReadout(center, width) {
  $('center').value = String(center);
  $('width').value = String(width);
  $('center-value').textContent = center.toFixed(0);
  $('width-value').textContent = width.toFixed(0);
}

export function wireWindowControls(view, fileWindow) {
  $('center').addEventListener('input', () => view.setWindow(Number($('center').value), view.width));
  $('width').addEventListener('input', () => view.setWindow(view.center, Number($('width').value)));
  $('reset-window').addEventListener('click', () => fileWindow() && view.setWindow(fileWindow().center, fileWindow().width));
  $('zoom-in').addEventListener('click', () => view.zoomCentre(1.25));
  $('zoom-out').addEventListener('click', () => view.zoomCentre(0.8));
  $('zoom-fit').addEventListener('click', () => view.fit());
}

/** Shows a /pixels response in the view at the file's window; returns that window. */
export async function showPixels(view, response) {
  const h = (name) => response.headers.get(name);
  const rows = Number(h('X-Rows')), columns = Number(h('X-Columns'));
  const fileWindow = { center: Number(h('X-Window-Center')), width: Number(h('X-Window-Width')) };
  view.setPixels({ type: h('X-Pixel-Type'), rows, columns, buffer: await response.arrayBuffer(), ...fileWindow });
  const span = Math.max(1, view.range.max - view.range.min);
  $('center').min = String(view.range.min);
  $('center').max = String(view.range.max);
  $('width').min = '1';
  $('width').max = String(2 * span);
  view.setWindow(fileWindow.center, fileWindow.width);
  return fileWindow;
}
