// Charts as SVG built from DOM elements: no library, no inline style (the CSP forbids it).
// Colours come from classes in costs.css (light and dark); every series also has its own
// pattern — solid, dotted, hatched — so the bars differ in greyscale and without colour
// vision. The numbers are in the data table beside each chart; the SVG is a picture of them.
const NS = 'http://www.w3.org/2000/svg';
let seq = 0;

export function svgEl(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

function text(parent, x, y, s, cls, anchor = 'start') {
  const t = svgEl('text', { x, y, class: cls, 'text-anchor': anchor }, parent);
  t.textContent = s;
  return t;
}

// The series' fills. Each SVG carries its own patterns (a pattern in another SVG that is not
// rendered would not paint).
const SERIES = {
  now: { cls: 'bar-now' },
  rec: { cls: 'bar-rec', pattern: 'dots' },
  prev: { cls: 'bar-prev', pattern: 'hatch' },
};

function defs(svg) {
  const id = `c${++seq}`;
  const d = svgEl('defs', {}, svg);
  const hatch = svgEl('pattern', { id: `${id}-hatch`, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, d);
  svgEl('rect', { width: 6, height: 6, class: 'pat-prev-bg' }, hatch);
  svgEl('line', { x1: 1, y1: 0, x2: 1, y2: 6, class: 'pat-prev-line' }, hatch);
  const dots = svgEl('pattern', { id: `${id}-dots`, width: 5, height: 5, patternUnits: 'userSpaceOnUse' }, d);
  svgEl('rect', { width: 5, height: 5, class: 'pat-rec-bg' }, dots);
  svgEl('circle', { cx: 2.5, cy: 2.5, r: 1.4, class: 'pat-rec-dot' }, dots);
  return (series) => {
    const s = SERIES[series];
    return { class: s.cls, fill: s.pattern ? `url(#${id}-${s.pattern})` : null };
  };
}

function rect(parent, fill, series, x, y0, y1, w, title) {
  const y = Math.min(y0, y1);
  const h = Math.max(Math.abs(y1 - y0), 0.5);
  const r = svgEl('rect', { x: x.toFixed(1), y: y.toFixed(1), width: Math.max(w, 1).toFixed(1), height: h.toFixed(1), ...fill(series) }, parent);
  if (title) svgEl('title', {}, r).textContent = title;
  return r;
}

// A legend swatch: a small SVG with the series' fill.
export function swatch(series) {
  const svg = svgEl('svg', { width: 22, height: 14, viewBox: '0 0 22 14', 'aria-hidden': 'true', focusable: 'false', class: 'swatch' });
  const fill = defs(svg);
  svgEl('rect', { x: 0.5, y: 0.5, width: 21, height: 13, ...fill(series) }, svg);
  return svg;
}

export function legend(ul, items) {
  ul.replaceChildren();
  for (const [series, label] of items) {
    const li = document.createElement('li');
    li.append(swatch(series), document.createTextNode(label));
    ul.append(li);
  }
}

// Round steps (1, 2, 5 × 10ⁿ) covering [min, max] with about `count` intervals.
function ticks(min, max, count) {
  if (min === max) max = min + 100000;
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const out = [];
  for (let v = lo; v <= hi + step / 2; v += step) out.push(Math.round(v));
  return out;
}

// Cut text (in place) to `max` pixels, with an ellipsis. Needs the SVG in the document.
export function fitText(svg) {
  for (const t of svg.querySelectorAll('[data-fit]')) {
    const max = Number(t.dataset.fit);
    const full = t.textContent;
    if (t.getComputedTextLength() <= max) continue;
    let n = full.length;
    while (n > 1 && t.getComputedTextLength() > max) {
      n -= 1;
      t.textContent = `${full.slice(0, n).trimEnd()}…`;
    }
  }
}

// Per period: this period's net (solid) with its recoveries below it (dotted), and the same
// period a year earlier beside it (hatched).
// points: [{ label, short: [line1, line2], net, recovery, prev }], all amounts in öre.
export function periodChart({ width, points, axis, tip, labelledBy }) {
  const W = Math.max(280, Math.round(width));
  const H = W < 500 ? 240 : 300;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img', 'aria-labelledby': labelledBy });
  const fill = defs(svg);
  let hi = 0;
  let lo = 0;
  for (const p of points) {
    hi = Math.max(hi, p.net, p.prev);
    lo = Math.min(lo, Math.min(p.net, 0) - p.recovery, p.prev);
  }
  const ys = ticks(lo, hi, W < 500 ? 4 : 5);
  const labels = ys.map((v) => axis(v));
  const left = Math.min(96, 12 + Math.max(...labels.map((s) => s.length)) * 7);
  const top = 10;
  const bottom = H - 36;
  const right = W - 6;
  const y = (v) => bottom - ((v - ys[0]) / (ys[ys.length - 1] - ys[0])) * (bottom - top);
  const grid = svgEl('g', { class: 'grid' }, svg);
  ys.forEach((v, i) => {
    svgEl('line', { x1: left, x2: right, y1: y(v).toFixed(1), y2: y(v).toFixed(1), class: v === 0 ? 'axis-zero' : 'grid-line' }, grid);
    text(grid, left - 6, y(v) + 4, labels[i], 'tick', 'end');
  });
  const n = Math.max(points.length, 1);
  const band = (right - left) / n;
  const barW = Math.min(26, band * 0.36);
  const every = Math.max(1, Math.ceil((n * 40) / (right - left)));
  const bars = svgEl('g', {}, svg);
  points.forEach((p, i) => {
    const x = left + band * i + (band - barW * 2 - 2) / 2;
    const base = Math.min(p.net, 0);
    rect(bars, fill, 'now', x, y(0), y(p.net), barW, tip(p, 'now'));
    if (p.recovery > 0) rect(bars, fill, 'rec', x, y(base), y(base - p.recovery), barW, tip(p, 'rec'));
    rect(bars, fill, 'prev', x + barW + 2, y(0), y(p.prev), barW, tip(p, 'prev'));
    if (i % every === 0 || (p.short[1] && every < 3)) {
      const cx = left + band * (i + 0.5);
      text(svg, cx, bottom + 15, p.short[0], 'tick', 'middle');
      if (p.short[1]) text(svg, cx, bottom + 30, p.short[1], 'tick tick-year', 'middle');
    }
  });
  return svg;
}

// One bar per row (a category or a unit), labelled with its name and amount, and a thin
// hatched bar for the same period a year earlier. Rows with `href` are links (a unit to go
// down into): focusable, activated by Enter or a click.
// rows: [{ label, value, prev, series: 'now' | 'rec', valueText, href, name }]
export function rowChart({ width, rows, labelledBy, onPick }) {
  const W = Math.max(280, Math.round(width));
  const rowH = 56;
  const H = Math.max(rowH, rows.length * rowH) + 4;
  const links = rows.some((r) => r.href);
  const svg = svgEl('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    class: 'chart',
    role: links ? 'group' : 'img',
    'aria-labelledby': labelledBy,
  });
  const fill = defs(svg);
  let hi = 0;
  let lo = 0;
  for (const r of rows) {
    hi = Math.max(hi, r.value, r.prev);
    lo = Math.min(lo, r.value, r.prev);
  }
  if (hi === lo) hi = lo + 1;
  const valueW = W < 420 ? 108 : 130;
  const x0 = 4;
  const x1 = W - valueW - 8;
  const x = (v) => x0 + ((v - lo) / (hi - lo)) * (x1 - x0);
  rows.forEach((r, i) => {
    const top = i * rowH + 2;
    let g = svg;
    if (r.href) {
      g = svgEl('a', { href: r.href, class: 'bar-link', 'aria-describedby': r.describedBy }, svg);
      svgEl('rect', { x: 0, y: top, width: W, height: rowH - 4, class: 'row-bg' }, g);
      g.addEventListener('click', (ev) => {
        if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
        ev.preventDefault();
        onPick?.(r);
      });
    }
    // Name and amount in one text element, so a link's name is what it shows.
    const words = svgEl('text', {}, g);
    const label = svgEl('tspan', { x: x0, y: top + 15, class: r.href ? 'row-label row-label-link' : 'row-label' }, words);
    label.textContent = r.label;
    label.dataset.fit = String(W - x0 - 4);
    const amount = svgEl('tspan', { x: (Math.max(x(r.value), x(0)) + 6).toFixed(1), y: top + 35, class: 'row-value' }, words);
    amount.textContent = ` ${r.valueText}`;
    const bx = Math.min(x(0), x(r.value));
    rect(g, fill, r.series, bx, top + 22, top + 38, Math.abs(x(r.value) - x(0)), null);
    const px = Math.min(x(0), x(r.prev));
    rect(g, fill, 'prev', px, top + 41, top + 48, Math.abs(x(r.prev) - x(0)), null);
  });
  if (lo < 0) svgEl('line', { x1: x(0), x2: x(0), y1: 0, y2: H, class: 'axis-zero' }, svg);
  return svg;
}
