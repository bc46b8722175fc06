// GOV.UK-style error presentation: a summary at the top (role=alert, focused, one link per
// field) plus the message at each field (aria-describedby + aria-invalid).
import { t, has } from './i18n.js';

let seq = 0;

// Message for one error: our own wording for known fields (so it is in the chosen language),
// else the server's message, else a generic one.
export function messageFor(e) {
  if (e.text) return e.text;
  const f = e.field;
  if (f && e.code && has(`err.${f}.${e.code}`)) return t(`err.${f}.${e.code}`, e.vars);
  if (f && has(`err.${f}`)) return t(`err.${f}`, e.vars);
  if (e.message) return e.message;
  return t('err.unknown');
}

// Turn an RFC 9457 problem into our error list.
export function problemErrors(problem, status, fallbackKey = 'err.rejected') {
  const list = Array.isArray(problem?.errors) ? problem.errors : [];
  const out = list.map((e) => ({ field: e.field ?? null, code: e.code ?? null, message: e.message ?? '' }));
  if (!out.length) {
    const detail = problem?.detail || problem?.title || '';
    out.push({ field: null, text: `${t(fallbackKey, { status })} ${detail}`.trim() });
  }
  return out;
}

export class ErrorDisplay {
  // slot: element the summary goes in. resolve(field) → { focus, wrapper, before, describe, invalid[] }
  // (element ids), or null for errors without a field on this page.
  constructor(slot, resolve) {
    this.slot = slot;
    this.resolve = resolve;
    this.errors = [];
    this.marked = [];
  }

  get active() {
    return this.errors.length > 0;
  }

  show(errors, { focus = true } = {}) {
    this.errors = errors;
    this.render();
    if (focus && errors.length) {
      const box = this.slot.querySelector('.error-summary');
      box.focus();
      box.scrollIntoView({ block: 'start' });
    }
  }

  clear() {
    this.errors = [];
    this.render();
  }

  rerender() {
    this.render();
  }

  unmark() {
    for (const m of this.marked) {
      m.node.remove();
      if (m.wrapper) m.wrapper.classList.remove('has-error');
      for (const el of m.invalid) el.removeAttribute('aria-invalid');
      if (m.describe) {
        const ids = (m.describe.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== m.node.id);
        if (ids.length) m.describe.setAttribute('aria-describedby', ids.join(' '));
        else m.describe.removeAttribute('aria-describedby');
      }
    }
    this.marked = [];
  }

  render() {
    this.unmark();
    this.slot.replaceChildren();
    const base = document.title.replace(/^(Fel|Error): /, '');
    if (!this.errors.length) {
      document.title = base;
      return;
    }
    document.title = t('err.doctitle') + base;

    const box = document.createElement('div');
    box.className = 'error-summary';
    box.tabIndex = -1;
    box.setAttribute('role', 'alert');
    const hid = `error-summary-title-${++seq}`;
    box.setAttribute('aria-labelledby', hid);
    const h = document.createElement('h2');
    h.id = hid;
    h.textContent = t('err.heading');
    const ul = document.createElement('ul');
    box.append(h, ul);

    const seenFields = new Set();
    for (const e of this.errors) {
      const msg = messageFor(e);
      const where = e.field ? this.resolve(e.field) : null;
      const li = document.createElement('li');
      if (where && document.getElementById(where.focus)) {
        const a = document.createElement('a');
        a.href = `#${where.focus}`;
        a.textContent = msg;
        a.addEventListener('click', (ev) => {
          ev.preventDefault();
          const target = document.getElementById(where.focus);
          const wrap = document.getElementById(where.wrapper) || target;
          wrap.scrollIntoView({ block: 'start' });
          target.focus({ preventScroll: true });
        });
        li.append(a);
        // One inline message per field, even if the server sent several codes for it.
        if (!seenFields.has(where.wrapper)) {
          seenFields.add(where.wrapper);
          this.markField(where, msg);
        }
      } else {
        li.textContent = msg;
      }
      ul.append(li);
    }
    this.slot.append(box);
  }

  markField(where, msg) {
    const wrapper = document.getElementById(where.wrapper);
    const before = document.getElementById(where.before);
    if (!wrapper || !before) return;
    const p = document.createElement('p');
    p.className = 'field-error';
    p.id = `${where.focus}-error`;
    const pre = document.createElement('span');
    pre.className = 'visually-hidden';
    pre.textContent = `${t('err.prefix')} `;
    p.append(pre, msg);
    before.parentNode.insertBefore(p, before);
    wrapper.classList.add('has-error');
    const describe = document.getElementById(where.describe || where.focus);
    if (describe) {
      const ids = (describe.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      ids.push(p.id);
      describe.setAttribute('aria-describedby', ids.join(' '));
    }
    const invalid = (where.invalid || [where.focus]).map((id) => document.getElementById(id)).filter(Boolean);
    for (const el of invalid) el.setAttribute('aria-invalid', 'true');
    this.marked.push({ node: p, wrapper, describe, invalid });
  }
}
