// Bar charts as SVG for the yearly follow-up and the open statistics: classes only (the CSP
// forbids inline style), a title and description for screen readers, and the numbers in a
// table beside each chart. A hidden value (a suppressed cell) draws no bar and is written out.
const NS = 'http://www.w3.org/2000/svg';
let seq = 0;

function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

// items: [{ label, value, prev, text, prevText }]; value/prev null = not shown.
export function barChart({ items, title, desc }) {
  const n = Math.max(items.length, 1);
  const W = 640;
  const H = 240;
  const left = 8;
  const bottom = H - 40;
  const top = 24;
  const band = (W - left * 2) / n;
  const twoSeries = items.some((i) => i.prev !== undefined);
  const max = Math.max(1, ...items.flatMap((i) => [i.value ?? 0, i.prev ?? 0]));
  const id = `bars-${++seq}`;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'bars', role: 'img', 'aria-labelledby': `${id}-t ${id}-d` });
  el('title', { id: `${id}-t` }, svg).textContent = title;
  el('desc', { id: `${id}-d` }, svg).textContent = desc;
  el('line', { x1: left, x2: W - left, y1: bottom, y2: bottom, class: 'axis' }, svg);
  const barW = Math.max(4, Math.min(28, band * (twoSeries ? 0.36 : 0.6)));
  const y = (v) => bottom - (v / max) * (bottom - top);
  items.forEach((it, i) => {
    const x = left + band * i + (band - barW * (twoSeries ? 2 : 1)) / 2;
    const draw = (v, cls, bx, label) => {
      if (v === null || v === undefined) {
        const t = el('text', { x: bx + barW / 2, y: bottom - 4, 'text-anchor': 'middle' }, svg);
        t.textContent = label;
        return;
      }
      el('rect', { x: bx.toFixed(1), y: y(v).toFixed(1), width: barW.toFixed(1), height: Math.max(0.5, bottom - y(v)).toFixed(1), class: cls }, svg);
      const t = el('text', { x: bx + barW / 2, y: y(v) - 4, 'text-anchor': 'middle' }, svg);
      t.textContent = label;
    };
    draw(it.value, 'bar-now', x, it.text);
    if (twoSeries) draw(it.prev, 'bar-prev', x + barW + 2, it.prevText);
    const lab = el('text', { x: left + band * (i + 0.5), y: bottom + 16, 'text-anchor': 'middle' }, svg);
    lab.textContent = it.label;
  });
  return svg;
}

// A table: caption, head cells and rows of cells ({ text, num, header }).
export function table({ caption, head, rows }) {
  const id = `table-${++seq}`;
  const wrap = document.createElement('div');
  wrap.className = 'table-scroll';
  // Focusable, so a keyboard can scroll a wide table on a phone.
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-labelledby', id);
  wrap.tabIndex = 0;
  const t = document.createElement('table');
  t.className = 'data';
  const c = document.createElement('caption');
  c.id = id;
  c.textContent = caption;
  t.append(c);
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  head.forEach((h, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    if (i > 0) th.className = 'num';
    hr.append(th);
  });
  thead.append(hr);
  t.append(thead);
  const tbody = document.createElement('tbody');
  for (const row of rows) {
    const tr = document.createElement('tr');
    row.forEach((cell, i) => {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) td.scope = 'row';
      else td.className = 'num';
      td.textContent = typeof cell === 'object' && cell !== null ? cell.text : String(cell ?? '');
      tr.append(td);
    });
    tbody.append(tr);
  }
  t.append(tbody);
  wrap.append(t);
  return wrap;
}

export function node(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
