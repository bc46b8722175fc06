// A case's cost panel: the totals, the entries (append-only: a mistake is corrected by a
// reversal that names the entry), a form for a new entry, and the insurance claim (saved
// whole with If-Match). On the manager's case page (/cases/{id}) and on the finance desk's
// case view (/ekonomi/cases/{id}). The API decides who may do what; the panel shows what it
// answers (`can_set_claim`), and hides itself when the caller may not see the money.
import { kr, stampText } from './costs-i18n.js';
import { t, onLangChange } from './i18n.js';
import { ErrorDisplay } from './errors.js';
import { api, answerErrors, toLogin, parseKr, todayYmd, uuid } from './staff.js';

function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.dataset.cp = v;
    else if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  if (attrs.text) e.prepend(t(attrs.text));
  return e;
}

function field(id, labelKey, control, hintKey) {
  const wrap = h('div', { class: 'field', id: `${id}-field` });
  wrap.append(h('label', { class: 'label', for: id, text: labelKey }));
  if (hintKey) {
    wrap.append(h('p', { class: 'hint', id: `${id}-hint`, text: hintKey }));
    control.setAttribute('aria-describedby', `${id}-hint`);
  }
  wrap.append(control);
  return wrap;
}

const input = (id, attrs = {}) => h('input', { class: 'input', id, type: 'text', autocomplete: 'off', ...attrs });

// Where each field the API names is on the panel (for the error displays).
const FIELDS = {
  category: 'cp-category',
  amount_ore: 'cp-amount',
  basis: 'cp-basis-actual',
  incurred_on: 'cp-date',
  voucher_ref: 'cp-voucher',
  note: 'cp-note',
  reason: 'cp-reason',
  state: 'cp-state',
  insurer: 'cp-insurer',
  claim_number: 'cp-claimno',
  deductible_ore: 'cp-deductible',
  expected_recovery_ore: 'cp-expected',
};
function resolve(f) {
  const name = f.replace(/^cp\./, '');
  const id = FIELDS[name];
  if (!id) return null;
  if (name === 'basis') return { focus: id, wrapper: 'cp-basis-field', before: 'cp-basis-choices', describe: 'cp-basis-field', invalid: [] };
  return { focus: id, wrapper: `${id}-field`, before: id };
}

export class CostPanel {
  constructor(root, caseId, { headingLevel = 2, onChange = null, initial = null } = {}) {
    Object.assign(this, { root, caseId, headingLevel, onChange });
    this.base = `/incidents/${encodeURIComponent(caseId)}`;
    this.data = initial?.json || null;
    this.etag = initial?.etag || null;
    this.vocab = null;
    this.keys = { add: null, reverse: null };
    this.reversing = null;
    this.said = null;
    this.build();
    onLangChange(() => this.relabel());
  }

  // Loads the case's money and the vocabulary. False when the caller may not see the money
  // (the panel then stays hidden).
  async load() {
    const [costs, vocab] = await Promise.all([this.data ? null : api('GET', `${this.base}/costs`), api('GET', '/costs/categories')]);
    if (costs) {
      if (costs.status === 401) {
        toLogin();
        return false;
      }
      if (!costs.ok) return false;
      this.data = costs.json;
      this.etag = costs.etag;
    }
    this.vocab = vocab.ok ? vocab.json : { categories: [], claim_states: [] };
    this.fillCategories();
    this.fillClaimStates();
    this.fillClaim();
    this.render();
    this.root.hidden = false;
    return true;
  }

  async reload() {
    const r = await api('GET', `${this.base}/costs`);
    if (r.status === 401) {
      toLogin();
      return;
    }
    if (!r.ok) return;
    this.data = r.json;
    this.etag = r.etag;
    this.render();
  }

  say(key, vars) {
    this.said = key ? [key, vars] : null;
    this.status.textContent = key ? t(key, vars) : '';
  }

  // ---------- the DOM, built once ----------
  build() {
    const H = `h${this.headingLevel}`;
    const H3 = `h${this.headingLevel + 1}`;
    const root = this.root;
    root.classList.add('cost-panel');
    root.setAttribute('aria-labelledby', 'cp-heading');
    root.replaceChildren();
    this.status = h('p', { class: 'notice notice-ok', id: 'cp-status', role: 'status' });
    this.totalsBody = h('tbody');
    const totals = h(
      'div',
      { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-labelledby': 'cp-totals-caption' },
      h(
        'table',
        { class: 'data' },
        h('caption', { id: 'cp-totals-caption', text: 'cp.totals.caption' }),
        h('thead', {}, h('tr', {}, h('td'), h('th', { scope: 'col', class: 'num', text: 'cp.totals.actual' }), h('th', { scope: 'col', class: 'num', text: 'cp.totals.estimate' }), h('th', { scope: 'col', class: 'num', text: 'cp.totals.all' }))),
        this.totalsBody,
      ),
    );
    this.entriesBody = h('tbody');
    this.entriesTable = h(
      'div',
      { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-labelledby': 'cp-entries-caption' },
      h(
        'table',
        { class: 'data' },
        h('caption', { id: 'cp-entries-caption', text: 'cp.entries.caption' }),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['cp.col.date', 'cp.col.category', 'cp.col.basis', 'cp.col.amount', 'cp.col.voucher', 'cp.col.by', 'cp.col.action'].map((k) => h('th', { scope: 'col', class: k === 'cp.col.amount' ? 'num' : null, text: k })),
          ),
        ),
        this.entriesBody,
      ),
    );
    this.none = h('p', { class: 'hint', text: 'cp.entries.none', hidden: true });

    // Reversal: one form, opened for the entry chosen.
    this.revErrors = h('div', { id: 'cp-rev-errors' });
    this.revWhat = h('p', { id: 'cp-reverse-what' });
    this.revHeading = h(H3, { id: 'cp-reverse-heading', tabindex: -1, text: 'cp.reverse.h' });
    this.revForm = h(
      'form',
      { id: 'cp-reverse-form', novalidate: true, 'aria-labelledby': 'cp-reverse-heading', hidden: true },
      this.revHeading,
      this.revErrors,
      this.revWhat,
      field('cp-reason', 'cp.reverse.reason', h('textarea', { class: 'input', id: 'cp-reason', rows: 3 }), 'cp.reverse.reason.hint'),
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'button', id: 'cp-reverse-submit', text: 'cp.reverse.button' }), h('button', { type: 'button', class: 'button button-secondary', id: 'cp-reverse-cancel', text: 'cp.reverse.cancel' })),
    );

    // A new entry.
    this.addErrors = h('div', { id: 'cp-add-errors' });
    const basis = h('fieldset', { class: 'group', id: 'cp-basis-field' }, h('legend', { class: 'label', text: 'cp.add.basis' }));
    const choices = h('div', { class: 'choices', id: 'cp-basis-choices' });
    for (const b of ['actual', 'estimate']) {
      choices.append(h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'cp-basis', id: `cp-basis-${b}`, value: b, checked: b === 'actual' }), h('label', { for: `cp-basis-${b}`, text: `cp.add.basis.${b}` })));
    }
    basis.append(choices);
    this.category = h('select', { class: 'input', id: 'cp-category' });
    this.addForm = h(
      'form',
      { id: 'cp-add-form', novalidate: true, 'aria-labelledby': 'cp-add-heading' },
      h(H3, { id: 'cp-add-heading', text: 'cp.add.h' }),
      this.addErrors,
      h('div', { class: 'form-row' }, field('cp-category', 'cp.add.category', this.category), field('cp-amount', 'cp.add.amount', input('cp-amount', { inputmode: 'decimal', class: 'input input-amount' }), 'cp.add.amount.hint')),
      basis,
      h('div', { class: 'form-row' }, field('cp-date', 'cp.add.date', input('cp-date', { type: 'date', class: 'input input-date' })), field('cp-voucher', 'cp.add.voucher', input('cp-voucher', { spellcheck: 'false' }))),
      field('cp-note', 'cp.add.note', h('textarea', { class: 'input', id: 'cp-note', rows: 2 })),
      h('button', { type: 'submit', class: 'button', id: 'cp-add-submit', text: 'cp.add.button' }),
    );

    // The insurance claim.
    this.claimErrors = h('div', { id: 'cp-claim-errors' });
    this.claimState = h('select', { class: 'input', id: 'cp-state' });
    this.claimFacts = h('dl', { class: 'facts claim-facts', id: 'cp-claim-facts' });
    this.claimUpdated = h('p', { class: 'hint', id: 'cp-claim-updated' });
    this.claimReadonly = h('p', { class: 'hint', text: 'cp.claim.readonly', hidden: true });
    this.claimForm = h(
      'form',
      { id: 'cp-claim-form', novalidate: true, 'aria-labelledby': 'cp-claim-heading', hidden: true },
      this.claimErrors,
      h('p', { class: 'hint', text: 'cp.claim.hint' }),
      h('div', { class: 'form-row' }, field('cp-state', 'cp.claim.state', this.claimState), field('cp-insurer', 'cp.claim.insurer', input('cp-insurer'))),
      h('div', { class: 'form-row' }, field('cp-claimno', 'cp.claim.number', input('cp-claimno', { spellcheck: 'false' })), field('cp-deductible', 'cp.claim.deductible', input('cp-deductible', { inputmode: 'decimal', class: 'input input-amount' }))),
      field('cp-expected', 'cp.claim.expected', input('cp-expected', { inputmode: 'decimal', class: 'input input-amount' })),
      h('button', { type: 'submit', class: 'button', id: 'cp-claim-submit', text: 'cp.claim.button' }),
    );

    root.append(
      h(H, { id: 'cp-heading', text: 'cp.h' }),
      this.status,
      totals,
      h(H3, { id: 'cp-entries-heading', text: 'cp.entries.h' }),
      h('p', { class: 'hint', text: 'cp.entries.hint' }),
      this.entriesTable,
      this.none,
      this.revForm,
      this.addForm,
      h(H3, { id: 'cp-claim-heading', text: 'cp.claim.h' }),
      this.claimFacts,
      this.claimUpdated,
      this.claimReadonly,
      this.claimForm,
    );

    this.displays = {
      add: new ErrorDisplay(this.addErrors, resolve),
      reverse: new ErrorDisplay(this.revErrors, resolve),
      claim: new ErrorDisplay(this.claimErrors, resolve),
    };
    const today = todayYmd();
    const date = this.addForm.querySelector('#cp-date');
    date.max = today;
    date.value = today;
    this.addForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.addEntry();
    });
    this.revForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.reverse();
    });
    this.revForm.querySelector('#cp-reverse-cancel').addEventListener('click', () => this.closeReverse(true));
    this.claimForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.saveClaim();
    });
  }

  relabel() {
    for (const e of this.root.querySelectorAll('[data-cp]')) {
      // Only the element's own first text, so children (inputs, spans) stay.
      const first = e.firstChild;
      if (first && first.nodeType === Node.TEXT_NODE) first.textContent = t(e.dataset.cp);
      else e.prepend(t(e.dataset.cp));
    }
    for (const d of Object.values(this.displays)) d.rerender();
    if (this.said) this.say(...this.said);
    // Category, basis and state labels come from the server in the chosen language.
    Promise.all([api('GET', '/costs/categories'), api('GET', `${this.base}/costs`)]).then(([v, c]) => {
      if (v.ok) this.vocab = v.json;
      if (c.ok) {
        this.data = c.json;
        this.etag = c.etag;
      }
      this.fillCategories();
      this.fillClaimStates();
      this.render();
    });
  }

  fillCategories() {
    const sel = this.category;
    const chosen = sel.value;
    sel.replaceChildren(h('option', { value: '' }, t('cp.add.choose')));
    for (const dir of ['cost', 'recovery']) {
      const g = h('optgroup', { label: t(dir === 'cost' ? 'cp.add.costs' : 'cp.add.recoveries') });
      for (const c of this.vocab.categories.filter((x) => x.direction === dir)) g.append(h('option', { value: c.code }, c.label));
      if (g.children.length) sel.append(g);
    }
    sel.value = chosen;
  }

  fillClaimStates() {
    const sel = this.claimState;
    const chosen = sel.value || this.data?.claim?.state || 'none';
    sel.replaceChildren();
    for (const s of this.vocab.claim_states || []) sel.append(h('option', { value: s.value }, s.label));
    sel.value = chosen;
  }

  // The claim's form from the stored claim (after a load, a save or a stale answer).
  fillClaim() {
    const c = this.data?.claim;
    if (!c) return;
    const f = this.claimForm;
    const krText = (ore) => (ore === null || ore === undefined ? '' : kr(ore).replace(/\u00a0kr$/, ''));
    this.claimState.value = c.state;
    f.querySelector('#cp-insurer').value = c.insurer || '';
    f.querySelector('#cp-claimno').value = c.claim_number || '';
    f.querySelector('#cp-deductible').value = krText(c.deductible_ore);
    f.querySelector('#cp-expected').value = krText(c.expected_recovery_ore);
  }

  // ---------- rendering ----------
  render() {
    const d = this.data;
    if (!d) return;
    this.renderTotals(d.totals);
    this.renderEntries(d);
    this.renderClaim(d);
  }

  renderTotals(tot) {
    this.totalsBody.replaceChildren();
    for (const [key, field] of [
      ['cp.totals.cost', 'cost_ore'],
      ['cp.totals.recovery', 'recovery_ore'],
      ['cp.totals.net', 'net_ore'],
    ]) {
      const tr = h('tr', { class: field === 'net_ore' ? 'total-row' : null }, h('th', { scope: 'row' }, t(key)));
      for (const b of ['actual', 'estimate', 'all']) tr.append(h('td', { class: 'num', 'data-basis': b, 'data-field': field }, kr(tot[b][field])));
      this.totalsBody.append(tr);
    }
  }

  unitName(id) {
    return this.data.units?.find((u) => u.id === id)?.name || this.data.case?.unit?.name || '';
  }

  renderEntries(d) {
    const body = this.entriesBody;
    body.replaceChildren();
    this.none.hidden = d.entries.length > 0;
    this.entriesTable.hidden = !d.entries.length;
    const byId = new Map(d.entries.map((e) => [e.id, e]));
    for (const e of d.entries) {
      const reversed = Boolean(e.reversed_by);
      const tr = h('tr', { class: reversed || e.reverses ? 'entry-reversed' : null, 'data-entry': e.id });
      tr.append(h('td', { class: 'nowrap' }, e.incurred_on));
      const cat = h('th', { scope: 'row' }, e.category_label);
      if (e.origin === 'reversal' && e.reason) cat.append(h('span', { class: 'entry-flag' }, t('cp.entry.reversal', { reason: e.reason })));
      else if (e.origin === 'move_out') cat.append(h('span', { class: 'entry-flag' }, t('cp.entry.moveout', { unit: this.unitName(e.org_unit_id) })));
      else if (e.origin === 'move_in') cat.append(h('span', { class: 'entry-flag' }, t('cp.entry.movein', { unit: this.unitName(e.org_unit_id) })));
      if (reversed) {
        // Taken out by a correction, or by the case's move to another unit.
        const by = byId.get(e.reversed_by);
        const key = by?.origin === 'move_out' ? 'cp.entry.movedout' : 'cp.entry.reversed';
        cat.append(h('span', { class: 'entry-flag' }, t(key, { at: by ? stampText(by.entered_at) : '' }).trim()));
      }
      tr.append(cat);
      tr.append(h('td', {}, e.basis_label));
      // As it counts: a recovery or a reversal takes away.
      const counts = e.direction === 'recovery' ? -e.signed_ore : e.signed_ore;
      tr.append(h('td', { class: 'num' }, kr(counts)));
      const ref = h('td', {}, e.voucher_ref || '');
      if (e.note) ref.append(h('span', { class: 'entry-note' }, e.note));
      tr.append(ref);
      tr.append(h('td', { class: 'nowrap' }, `${stampText(e.entered_at)}`, h('br'), e.entered_by));
      const act = h('td');
      const reversible = !reversed && (e.origin === 'entry' || e.origin === 'move_in');
      if (reversible) {
        const b = h('button', { type: 'button', class: 'button-link' }, t('cp.reverse'), h('span', { class: 'visually-hidden' }, ` ${t('cp.reverse.which', { category: e.category_label, amount: kr(e.amount_ore), date: e.incurred_on })}`));
        b.addEventListener('click', () => this.openReverse(e));
        act.append(b);
      }
      tr.append(act);
      body.append(tr);
    }
  }

  renderClaim(d) {
    const c = d.claim;
    const dl = this.claimFacts;
    dl.replaceChildren();
    const row = (k, v) => dl.append(h('div', {}, h('dt', {}, t(k)), h('dd', {}, v || t('cp.none'))));
    row('cp.claim.state', c.state_label);
    if (c.state !== 'none' || c.insurer) {
      row('cp.claim.insurer', c.insurer);
      row('cp.claim.number', c.claim_number);
      row('cp.claim.deductible', c.deductible_ore === null ? '' : kr(c.deductible_ore));
      row('cp.claim.expected', c.expected_recovery_ore === null ? '' : kr(c.expected_recovery_ore));
    }
    this.claimUpdated.textContent = c.updated_at ? t('cp.claim.updated', { at: stampText(c.updated_at), by: c.updated_by || '' }) : '';
    this.claimUpdated.hidden = !c.updated_at;
    // Those who may set the claim see it in the form; the others read it.
    this.claimForm.hidden = !d.can_set_claim;
    dl.hidden = Boolean(d.can_set_claim);
    this.claimReadonly.hidden = Boolean(d.can_set_claim);
  }

  // ---------- changes ----------
  async answer(name, r) {
    if (r.status === 401) {
      toLogin();
      return false;
    }
    if (r.ok) {
      this.displays[name].clear();
      return true;
    }
    let list;
    if (r.status === 409) list = [{ field: null, text: t('cp.conflict') }];
    else if (r.status === 412) list = [{ field: null, text: t('cp.stale') }];
    else if (r.status === 403) list = [{ field: null, text: r.json?.detail || t('cp.forbidden') }];
    else list = answerErrors(r).map((e) => ({ ...e, field: e.field ? `cp.${e.field}` : null }));
    this.say(null);
    // A conflict shows the latest first, so the message is read beside what is now true.
    if (r.status === 409 || r.status === 412) {
      await this.reload();
      if (r.status === 412) this.fillClaim();
    }
    this.displays[name].show(list);
    return false;
  }

  async addEntry() {
    const f = this.addForm;
    this.displays.add.clear();
    const category = this.category.value;
    const amount = parseKr(f.querySelector('#cp-amount').value);
    const basis = f.querySelector('input[name="cp-basis"]:checked')?.value || '';
    const date = f.querySelector('#cp-date').value;
    const voucher = f.querySelector('#cp-voucher').value.trim();
    const note = f.querySelector('#cp-note').value.trim();
    const errs = [];
    if (!category) errs.push({ field: 'cp.category' });
    if (!amount) errs.push({ field: 'cp.amount_ore' });
    if (!basis) errs.push({ field: 'cp.basis' });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errs.push({ field: 'cp.incurred_on' });
    else if (date > todayYmd()) errs.push({ field: 'cp.incurred_on', code: 'in_future' });
    if ([...voucher].length > 50) errs.push({ field: 'cp.voucher_ref' });
    if ([...note].length > 1000) errs.push({ field: 'cp.note' });
    if (errs.length) {
      this.say(null);
      this.displays.add.show(errs);
      return;
    }
    const body = { category, amount_ore: amount, currency: 'SEK', basis, incurred_on: date };
    if (voucher) body.voucher_ref = voucher;
    if (note) body.note = note;
    // The same entry sent again (a lost answer, a double tap) reuses its key: written once.
    const sig = JSON.stringify(body);
    if (this.keys.add?.sig !== sig) this.keys.add = { sig, key: uuid() };
    const button = f.querySelector('#cp-add-submit');
    button.disabled = true;
    const r = await api('POST', `${this.base}/costs`, { body, key: this.keys.add.key });
    button.disabled = false;
    if (!(await this.answer('add', r))) return;
    this.keys.add = null;
    for (const id of ['#cp-amount', '#cp-voucher', '#cp-note']) f.querySelector(id).value = '';
    this.category.value = '';
    await this.reload();
    this.say('cp.add.done', { category: r.json?.category_label || category, amount: kr(amount), basis: r.json?.basis_label || basis });
    this.onChange?.();
  }

  openReverse(e) {
    this.reversing = e;
    this.displays.reverse.clear();
    this.revForm.hidden = false;
    this.revWhat.textContent = t('cp.reverse.what', { category: e.category_label, amount: kr(e.amount_ore), basis: e.basis_label, date: e.incurred_on });
    this.revForm.querySelector('#cp-reason').value = '';
    this.revHeading.focus();
  }

  closeReverse(refocus) {
    const e = this.reversing;
    this.reversing = null;
    this.revForm.hidden = true;
    this.displays.reverse.clear();
    if (refocus && e) this.entriesBody.querySelector(`tr[data-entry="${e.id}"] button`)?.focus();
  }

  async reverse() {
    const e = this.reversing;
    if (!e) return;
    const reason = this.revForm.querySelector('#cp-reason').value.trim();
    const n = [...reason].length;
    if (n < 3 || n > 500) {
      this.displays.reverse.show([{ field: 'cp.reason' }]);
      return;
    }
    const body = { reason };
    const sig = `${e.id}|${reason}`;
    if (this.keys.reverse?.sig !== sig) this.keys.reverse = { sig, key: uuid() };
    const button = this.revForm.querySelector('#cp-reverse-submit');
    button.disabled = true;
    const r = await api('POST', `${this.base}/costs/${encodeURIComponent(e.id)}/reversal`, { body, key: this.keys.reverse.key });
    button.disabled = false;
    if (!(await this.answer('reverse', r))) return;
    this.keys.reverse = null;
    this.closeReverse(false);
    await this.reload();
    this.say('cp.reverse.done', { category: e.category_label, amount: kr(e.amount_ore) });
    this.status.scrollIntoView({ block: 'nearest' });
    this.onChange?.();
  }

  async saveClaim() {
    const f = this.claimForm;
    this.displays.claim.clear();
    const state = this.claimState.value;
    const insurer = f.querySelector('#cp-insurer').value.trim();
    const number = f.querySelector('#cp-claimno').value.trim();
    const deductible = parseKr(f.querySelector('#cp-deductible').value);
    const expected = parseKr(f.querySelector('#cp-expected').value);
    const errs = [];
    if (!state) errs.push({ field: 'cp.state' });
    if (state && state !== 'none' && !insurer) errs.push({ field: 'cp.insurer' });
    if (deductible === null) errs.push({ field: 'cp.deductible_ore' });
    if (expected === null) errs.push({ field: 'cp.expected_recovery_ore' });
    if (errs.length) {
      this.say(null);
      this.displays.claim.show(errs);
      return;
    }
    // The claim is saved whole: what is left empty is cleared.
    const body = { state };
    if (insurer) body.insurer = insurer;
    if (number) body.claim_number = number;
    if (deductible !== undefined) body.deductible_ore = deductible;
    if (expected !== undefined) body.expected_recovery_ore = expected;
    const button = f.querySelector('#cp-claim-submit');
    button.disabled = true;
    const r = await api('PUT', `${this.base}/insurance-claim`, { body, etag: this.etag || `"${this.data.claim.version}"` });
    button.disabled = false;
    if (!(await this.answer('claim', r))) return;
    await this.reload();
    this.fillClaim();
    this.say('cp.claim.done', { state: r.json?.state_label || state });
    this.onChange?.();
  }
}

// Mounts the panel in `root` (a hidden section) and shows it when the caller may see the
// case's money. Returns the panel, or null.
export async function mountCostPanel(root, caseId, options = {}) {
  const panel = new CostPanel(root, caseId, options);
  return (await panel.load()) ? panel : null;
}
