// The radiograph in a canvas: window/level done here from the modality values (a lookup table for
// integer pixels, so a drag of the window redraws at once), zoom with the wheel around the cursor,
// pan with the left button, window/level with the right button (right/left: wider/narrower; up/down:
// brighter/darker). The five keypoints are buttons over the canvas: drag them with the mouse, or focus
// one (Tab) and move it with the arrow keys (Shift: 10 pixels) and save with Enter (Escape undoes).
// The predicted points stay visible as hollow rings when a correction moved them.
// Annotation mode (`spinesurv annotate`) passes onPlace: a left click that does not drag places a
// point there; a point not placed yet (NaN) has no marker.
// Coordinates are COCO pixels: the image's top-left corner at 0,0, the first pixel's centre at 0.5,0.5.

// Browser code, served as written: its own copy of the list in src/keypoints/names.ts.
export const VERTEBRAE = ['L1', 'L2', 'L3', 'L4', 'L5'];

export class RadiographView {
  constructor(container, { onCommit, onWindowChange, onPlace }) {
    this.container = container;
    this.canvas = container.querySelector('canvas');
    this.layer = container.querySelector('.markers');
    this.onCommit = onCommit;
    this.onWindowChange = onWindowChange ?? (() => {});
    this.onPlace = onPlace ?? null;
    this.base = document.createElement('canvas');
    this.scale = 1;
    this.ox = 0;
    this.oy = 0;
    this.heatmap = null;
    this.heatmapOn = false;
    this.opacity = 0.6;
    this.points = null; // current points [x1, y1, ...]
    this.saved = null; // the points as the server has them
    this.predicted = null;
    this.busy = false;
    this.buttons = [];
    this.rings = [];
    this.listen();
    new ResizeObserver(() => this.draw()).observe(container);
  }

  setPixels({ type, rows, columns, buffer, center, width }) {
    this.rows = rows;
    this.columns = columns;
    this.values = type === 'uint16' ? new Uint16Array(buffer) : type === 'int16' ? new Int16Array(buffer) : new Float32Array(buffer);
    this.type = type;
    let min = Infinity, max = -Infinity;
    for (const v of this.values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.range = { min, max };
    this.base.width = columns;
    this.base.height = rows;
    this.image = new ImageData(columns, rows);
    this.fit();
    this.setWindow(center, width);
  }

  /** The DICOM linear window (PS3.3 C.11.2.1.2.1), as the server's windowToBytes does it. */
  setWindow(center, width) {
    this.center = center;
    this.width = Math.max(1, width);
    const c = this.center - 0.5, w = this.width - 1;
    const low = c - w / 2, high = c + w / 2;
    const grey = (v) => (v <= low ? 0 : v > high ? 255 : Math.round(((v - c) / (w === 0 ? 1 : w) + 0.5) * 255));
    const data = this.image.data;
    const values = this.values;
    if (this.type === 'float32') {
      for (let i = 0; i < values.length; i++) {
        const g = grey(values[i]);
        data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = g;
        data[4 * i + 3] = 255;
      }
    } else {
      const lut = new Uint8Array(this.range.max - this.range.min + 1);
      for (let v = this.range.min; v <= this.range.max; v++) lut[v - this.range.min] = grey(v);
      const min = this.range.min;
      for (let i = 0; i < values.length; i++) {
        const g = lut[values[i] - min];
        data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = g;
        data[4 * i + 3] = 255;
      }
    }
    this.base.getContext('2d').putImageData(this.image, 0, 0);
    this.draw();
    this.onWindowChange(this.center, this.width);
  }

  setHeatmap(bitmap) {
    this.heatmap = bitmap;
    this.draw();
  }

  showHeatmap(on, opacity) {
    this.heatmapOn = on;
    this.opacity = opacity;
    this.draw();
  }

  /** predicted: the detector's points (or null); current: what the score uses now. */
  setPoints(predicted, current) {
    this.predicted = predicted;
    this.saved = current === null ? null : [...current];
    this.points = current === null ? null : [...current];
    this.buildMarkers();
    this.draw();
  }

  setBusy(busy) {
    this.busy = busy;
    for (const b of this.buttons) b.disabled = busy;
  }

  fit() {
    const w = this.container.clientWidth, h = this.container.clientHeight;
    if (!this.columns || w === 0 || h === 0) return;
    this.scale = Math.min(w / this.columns, h / this.rows);
    this.ox = (w - this.columns * this.scale) / 2;
    this.oy = (h - this.rows * this.scale) / 2;
    this.draw();
  }

  zoomAt(factor, x, y) {
    const next = Math.min(40, Math.max(0.05, this.scale * factor));
    const f = next / this.scale;
    this.ox = x - (x - this.ox) * f;
    this.oy = y - (y - this.oy) * f;
    this.scale = next;
    this.draw();
  }

  zoomCentre(factor) {
    this.zoomAt(factor, this.container.clientWidth / 2, this.container.clientHeight / 2);
  }

  toScreen(x, y) {
    return [this.ox + this.scale * x, this.oy + this.scale * y];
  }

  toImage(sx, sy) {
    return [(sx - this.ox) / this.scale, (sy - this.oy) / this.scale];
  }

  buildMarkers() {
    this.layer.replaceChildren();
    this.buttons = [];
    this.rings = [];
    if (this.showPredicted()) {
      VERTEBRAE.forEach((name) => {
        const ring = document.createElement('span');
        ring.className = 'kp-predicted';
        ring.dataset.kp = name;
        ring.title = `${name} as predicted`;
        this.layer.append(ring);
        this.rings.push(ring);
      });
    }
    if (this.points === null) return;
    VERTEBRAE.forEach((name, k) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'kp';
      b.dataset.kp = name;
      b.textContent = name;
      b.disabled = this.busy;
      this.describe(b, k);
      this.layer.append(b);
      this.buttons.push(b);
      b.addEventListener('pointerdown', (event) => this.startPointDrag(event, k));
      b.addEventListener('keydown', (event) => this.keyOnPoint(event, k));
    });
  }

  /** The predicted points are drawn apart only when a correction moved them. */
  showPredicted() {
    return this.predicted !== null && this.saved !== null && this.predicted.some((v, i) => v !== this.saved[i]);
  }

  describe(button, k) {
    const x = this.points[2 * k], y = this.points[2 * k + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      button.setAttribute('aria-label', `${VERTEBRAE[k]} keypoint: not placed`);
      return;
    }
    button.setAttribute('aria-label', `${VERTEBRAE[k]} keypoint at x ${x.toFixed(1)}, y ${y.toFixed(1)}. Drag it, or use the arrow keys and Enter to save.`);
  }

  clampPoint(k) {
    this.points[2 * k] = Math.min(this.columns, Math.max(0, this.points[2 * k]));
    this.points[2 * k + 1] = Math.min(this.rows, Math.max(0, this.points[2 * k + 1]));
  }

  startPointDrag(event, k) {
    if (event.button !== 0 || this.busy) return;
    event.preventDefault();
    event.stopPropagation();
    const button = this.buttons[k];
    button.setPointerCapture(event.pointerId);
    button.focus();
    const rect = this.container.getBoundingClientRect();
    const [px, py] = this.toScreen(this.points[2 * k], this.points[2 * k + 1]);
    const grabX = event.clientX - rect.left - px, grabY = event.clientY - rect.top - py;
    let moved = false;
    const move = (e) => {
      const [x, y] = this.toImage(e.clientX - rect.left - grabX, e.clientY - rect.top - grabY);
      this.points[2 * k] = x;
      this.points[2 * k + 1] = y;
      this.clampPoint(k);
      moved = true;
      this.draw();
    };
    const up = (u) => {
      button.removeEventListener('pointermove', move);
      button.removeEventListener('pointerup', up);
      button.removeEventListener('pointercancel', up);
      if (moved) this.commit();
      // Annotation mode: a click on a marker places the selected point there, as a click beside it would.
      else if (u.type === 'pointerup' && this.onPlace !== null) this.onPlace(...this.toImage(u.clientX - rect.left, u.clientY - rect.top));
    };
    button.addEventListener('pointermove', move);
    button.addEventListener('pointerup', up);
    button.addEventListener('pointercancel', up);
  }

  keyOnPoint(event, k) {
    if (this.busy) return;
    const step = event.shiftKey ? 10 : 1;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (event.key in moves) {
      event.preventDefault();
      this.points[2 * k] += moves[event.key][0];
      this.points[2 * k + 1] += moves[event.key][1];
      this.clampPoint(k);
      this.draw();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (this.points.some((v, i) => v !== this.saved[i])) this.commit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.points = [...this.saved];
      this.draw();
    }
  }

  commit() {
    const points = [...this.points];
    this.onCommit(points);
  }

  /** Undoes an unsaved move (after a refused correction). */
  revert() {
    if (this.saved !== null) this.points = [...this.saved];
    this.draw();
  }

  listen() {
    const c = this.container;
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      this.zoomAt(Math.pow(1.0015, -e.deltaY), e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });
    this.canvas.addEventListener('pointerdown', (e) => {
      if (!this.columns) return;
      e.preventDefault();
      this.canvas.setPointerCapture(e.pointerId);
      const start = { x: e.clientX, y: e.clientY, ox: this.ox, oy: this.oy, center: this.center, width: this.width };
      const levelling = e.button === 2;
      const span = Math.max(1, this.range.max - this.range.min);
      const move = (m) => {
        const dx = m.clientX - start.x, dy = m.clientY - start.y;
        if (levelling) {
          this.setWindow(start.center - (dy * span) / 500, Math.max(1, start.width + (dx * span) / 500));
        } else {
          this.ox = start.ox + dx;
          this.oy = start.oy + dy;
          this.draw();
        }
      };
      const up = (u) => {
        this.canvas.removeEventListener('pointermove', move);
        this.canvas.removeEventListener('pointerup', up);
        this.canvas.removeEventListener('pointercancel', up);
        // A click (left button, moved less than 4 screen pixels) places a point in annotation mode.
        const still = Math.hypot(u.clientX - start.x, u.clientY - start.y) < 4;
        if (u.type === 'pointerup' && !levelling && still && this.onPlace !== null) {
          this.ox = start.ox;
          this.oy = start.oy;
          const rect = c.getBoundingClientRect();
          const [x, y] = this.toImage(u.clientX - rect.left, u.clientY - rect.top);
          if (x >= 0 && y >= 0 && x <= this.columns && y <= this.rows) this.onPlace(x, y);
          else this.draw();
        }
      };
      this.canvas.addEventListener('pointermove', move);
      this.canvas.addEventListener('pointerup', up);
      this.canvas.addEventListener('pointercancel', up);
    });
  }

  draw() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.container.clientWidth, h = this.container.clientHeight;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.columns) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    // Zoomed in, show the pixels as they are; zoomed out, let the browser average them.
    ctx.imageSmoothingEnabled = this.scale < 1;
    const dw = this.columns * this.scale, dh = this.rows * this.scale;
    ctx.drawImage(this.base, this.ox, this.oy, dw, dh);
    if (this.heatmapOn && this.heatmap) {
      ctx.globalAlpha = this.opacity;
      ctx.drawImage(this.heatmap, this.ox, this.oy, dw, dh);
      ctx.globalAlpha = 1;
    }
    if (this.showPredicted()) this.drawSpine(ctx, this.predicted, 'rgba(255, 200, 0, 0.8)', [4, 4]);
    this.drawSpine(ctx, this.points, 'rgba(0, 230, 120, 0.9)', []);
    this.rings.forEach((ring, k) => this.place(ring, this.predicted[2 * k], this.predicted[2 * k + 1]));
    this.buttons.forEach((b, k) => {
      b.hidden = !Number.isFinite(this.points[2 * k]) || !Number.isFinite(this.points[2 * k + 1]);
      if (!b.hidden) this.place(b, this.points[2 * k], this.points[2 * k + 1]);
      this.describe(b, k);
    });
  }

  drawSpine(ctx, points, colour, dash) {
    if (!points || points.length !== 10) return;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(dash);
    ctx.beginPath();
    let drawing = false;
    for (let k = 0; k < 5; k++) {
      // A point not placed yet breaks the line.
      if (!Number.isFinite(points[2 * k]) || !Number.isFinite(points[2 * k + 1])) {
        drawing = false;
        continue;
      }
      const [x, y] = this.toScreen(points[2 * k], points[2 * k + 1]);
      if (!drawing) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
      drawing = true;
    }
    ctx.stroke();
    ctx.restore();
  }

  place(node, x, y) {
    const [sx, sy] = this.toScreen(x, y);
    node.style.left = `${sx}px`;
    node.style.top = `${sy}px`;
  }
}
