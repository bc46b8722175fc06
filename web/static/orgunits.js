// Org unit picker: ARIA 1.2 combobox (input + listbox, aria-activedescendant, manual selection).
// Typing matches a unit's own name or any ancestor's name, so "Lyckeby" also finds the units
// under "Lyckeby rektorsområde". The list is kept in localStorage so reporting works offline.
import { t, tn } from './i18n.js';

const CACHE_KEY = 'tillbud.orgunits.v1';
const MAX_SHOWN = 50;

const norm = (s) => s.toLocaleLowerCase('sv').normalize('NFD').replace(/[\u0300-\u036f]/g, '');

export class OrgUnitPicker {
  constructor({ input, listbox, hidden, status, note, onChange }) {
    Object.assign(this, { input, listbox, hidden, status, note, onChange });
    this.units = [];
    this.byId = new Map();
    this.results = [];
    this.active = -1;
    this.loaded = false;
    this.selectedLabel = '';
    this.bind();
  }

  async load() {
    this.showNote(t('units.loading'), false);
    try {
      const items = await fetchAll();
      this.setUnits(items);
      try {
        localStorage.setItem(CACHE_KEY, JSON.stringify({ at: Date.now(), items }));
      } catch {
        /* storage full or private mode: the live list still works */
      }
      this.showNote('', false);
    } catch {
      let cached = null;
      try {
        cached = JSON.parse(localStorage.getItem(CACHE_KEY) || 'null');
      } catch {
        cached = null;
      }
      if (cached?.items?.length) {
        this.setUnits(cached.items);
        this.showNote('', false);
      } else {
        this.showNote(t('units.failed'), true);
      }
    }
  }

  showNote(text, retry) {
    this.note.replaceChildren();
    this.note.hidden = !text;
    if (!text) return;
    this.note.append(text);
    if (retry) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'button-link';
      b.textContent = t('units.retry');
      b.addEventListener('click', () => this.load());
      this.note.append(' ', b);
    }
  }

  setUnits(items) {
    this.byId = new Map(items.map((u) => [u.id, u]));
    this.units = items.map((u) => {
      const chain = [];
      const seen = new Set();
      let top = u;
      for (let p = u; p && !seen.has(p.id); p = this.byId.get(p.parent_id)) {
        seen.add(p.id);
        chain.push(p.name);
        top = p;
      }
      // The group (the whole kommunkoncern) is on every path: leave it out of the label.
      const shown = chain.length > 1 && top.kind === 'group' ? chain.slice(1, -1) : chain.slice(1);
      return {
        id: u.id,
        name: u.name,
        path: shown.join(' › '),
        label: shown.length ? `${u.name} — ${shown.join(' — ')}` : u.name,
        own: norm(u.name),
        all: norm(chain.join(' ')),
      };
    });
    this.units.sort((a, b) => a.label.localeCompare(b.label, 'sv'));
    this.loaded = true;
    // Re-label a selection made before the list arrived (restored drafts).
    if (this.hidden.value) this.setValue(this.hidden.value, this.input.value);
  }

  get value() {
    return this.hidden.value;
  }

  get label() {
    return this.selectedLabel;
  }

  setValue(id, fallbackLabel = '') {
    const u = this.units.find((x) => x.id === id);
    this.hidden.value = id || '';
    this.selectedLabel = u ? u.label : fallbackLabel;
    this.input.value = this.selectedLabel;
  }

  clear() {
    this.setValue('');
    this.close();
  }

  search(q) {
    const terms = norm(q).split(/\s+/).filter(Boolean);
    if (!terms.length) return this.units.slice();
    const hits = this.units.filter((u) => terms.every((term) => u.all.includes(term)));
    // Names that start with the text first, then other own-name matches, then units found
    // through a parent; alphabetical within each (the list is already sorted).
    const rank = (u) => (u.own.startsWith(terms[0]) ? 2 : u.own.includes(terms[0]) ? 1 : 0);
    return hits.sort((a, b) => rank(b) - rank(a));
  }

  bind() {
    const { input, listbox } = this;
    input.addEventListener('input', () => {
      if (input.value !== this.selectedLabel && this.hidden.value) {
        this.hidden.value = '';
        this.selectedLabel = '';
        this.onChange?.();
      }
      if (input.value.trim()) this.open(input.value, -1);
      else this.close();
    });
    input.addEventListener('keydown', (e) => {
      const isOpen = !listbox.hidden;
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          if (!isOpen) this.open(input.value, 0);
          else this.move(1);
          break;
        case 'ArrowUp':
          e.preventDefault();
          if (!isOpen) this.open(input.value, this.results.length - 1);
          else this.move(-1);
          break;
        case 'Enter':
          if (isOpen) {
            e.preventDefault();
            const pick = this.active >= 0 ? this.active : this.results.length === 1 ? 0 : -1;
            if (pick >= 0) this.choose(pick);
          }
          break;
        case 'Escape':
          if (isOpen) {
            e.preventDefault();
            this.close();
          } else if (input.value) {
            e.preventDefault();
            this.clear();
            this.onChange?.();
          }
          break;
        case 'Tab':
          this.close();
          break;
        default:
      }
    });
    input.addEventListener('blur', () => {
      // Let a click on an option land first.
      setTimeout(() => {
        if (document.activeElement === input) return;
        this.close();
        this.autoSelectExact();
      }, 150);
    });
    // Keep focus in the input when an option is clicked or tapped.
    listbox.addEventListener('pointerdown', (e) => e.preventDefault());
    listbox.addEventListener('click', (e) => {
      const li = e.target.closest('[role="option"]');
      if (li) this.choose(Number(li.dataset.index));
    });
  }

  autoSelectExact() {
    if (this.hidden.value || !this.input.value.trim()) return;
    const q = norm(this.input.value.trim());
    const exact = this.units.filter((u) => norm(u.label) === q || u.own === q);
    if (exact.length === 1) {
      this.setValue(exact[0].id);
      this.onChange?.();
    }
  }

  open(q, activeIndex) {
    if (!this.loaded) return;
    const all = this.search(q);
    this.results = all.slice(0, MAX_SHOWN);
    const { listbox } = this;
    listbox.replaceChildren();
    if (!this.results.length) {
      this.close();
      this.status.textContent = t('units.none', { q: q.trim() });
      return;
    }
    this.results.forEach((u, i) => {
      const li = document.createElement('li');
      li.id = `${this.input.id}-opt-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.index = String(i);
      const name = document.createElement('span');
      name.textContent = u.name;
      li.append(name);
      if (u.path) {
        const sep = document.createElement('span');
        sep.className = 'visually-hidden';
        sep.textContent = ' — ';
        const path = document.createElement('span');
        path.className = 'opt-path';
        path.textContent = u.path;
        li.append(sep, path);
      }
      listbox.append(li);
    });
    listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    let msg = tn('units.count', all.length);
    if (all.length > this.results.length) msg += ` ${t('units.more', { shown: this.results.length, n: all.length })}`;
    this.status.textContent = msg;
    this.setActive(Math.min(activeIndex, this.results.length - 1));
  }

  close() {
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
    this.active = -1;
  }

  move(delta) {
    const n = this.results.length;
    if (!n) return;
    this.setActive(this.active < 0 ? (delta > 0 ? 0 : n - 1) : (this.active + delta + n) % n);
  }

  setActive(i) {
    const opts = this.listbox.children;
    if (this.active >= 0 && opts[this.active]) {
      opts[this.active].classList.remove('active');
      opts[this.active].setAttribute('aria-selected', 'false');
    }
    this.active = i;
    if (i < 0 || !opts[i]) {
      this.input.removeAttribute('aria-activedescendant');
      return;
    }
    opts[i].classList.add('active');
    opts[i].setAttribute('aria-selected', 'true');
    this.input.setAttribute('aria-activedescendant', opts[i].id);
    opts[i].scrollIntoView({ block: 'nearest' });
  }

  choose(i) {
    const u = this.results[i];
    if (!u) return;
    this.setValue(u.id);
    this.close();
    this.status.textContent = t('units.selected', { name: u.label });
    this.onChange?.();
  }
}

async function fetchAll() {
  const items = [];
  let cursor = null;
  // The API may paginate (cursor convention); follow next_cursor a bounded number of times.
  for (let page = 0; page < 50; page++) {
    const url = cursor ? `/api/v1/org-units?cursor=${encodeURIComponent(cursor)}` : '/api/v1/org-units';
    const res = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error(`org units ${res.status}`);
    const body = await res.json();
    items.push(...(body.items || []));
    cursor = body.next_cursor;
    if (!cursor) break;
  }
  return items;
}
