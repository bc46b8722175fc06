// /ekonomi/cases/{id}: a case as finance sees it — the cost view only (reference, kind, unit,
// date, status, title; never the description, reporter, photos, investigation or comments)
// and its cost panel. What the caller may see is the API's answer (404 / 403).
import { initPage, t, onLangChange } from './i18n.js';
import { $, api, loadMe, setupStaffHeader, toLogin } from './staff.js';
import { mountCostPanel } from './costs-panel.js';

initPage();

const caseId = (() => {
  try {
    return decodeURIComponent(location.pathname.split('/')[3] || '').trim();
  } catch {
    return '';
  }
})();

let view = null;
let problem = null;

function render() {
  $('fcase-loading').hidden = true;
  $('fcase-problem').hidden = !problem;
  $('fcase').hidden = Boolean(problem) || !view;
  if (problem) {
    const [h, p] = problem;
    $('fcase-problem-heading').textContent = t(h);
    $('fcase-problem-text').textContent = p ? t(p) : '';
    document.title = `${t(h)} – Tillbud`;
    return;
  }
  const c = view.case;
  document.title = `${c.title} – ${t('fcase.doctitle.suffix')}`;
  $('fcase-title').textContent = c.title;
  $('fcase-ref').textContent = c.id;
  $('fcase-kind').textContent = c.kind_label;
  $('fcase-unit').textContent = c.unit.name;
  $('fcase-date').textContent = c.occurred_on;
  $('fcase-status').textContent = c.status_label;
}

async function start() {
  // Back to the desk with the filter the reader came from.
  const ref = sessionStorage.getItem('tillbud.desk');
  if (ref && ref.startsWith('/ekonomi')) $('back').href = ref;
  const me = await loadMe();
  if (!me) return;
  setupStaffHeader(me);
  const r = caseId ? await api('GET', `/incidents/${encodeURIComponent(caseId)}/costs`) : { status: 404 };
  if (r.status === 401) {
    toLogin();
    return;
  }
  if (r.status === 403) problem = ['fcase.forbidden.h', 'desk.forbidden.p'];
  else if (r.status === 404 || r.status === 400 || r.status === 422) problem = ['fcase.notfound.h', 'fcase.notfound.p'];
  else if (!r.ok) problem = ['desk.failed.h', r.status === 0 ? 'err.network' : 'err.server'];
  else view = r.json;
  render();
  if (problem) {
    $('fcase-problem-heading').focus();
    return;
  }
  // Coordinators may open the whole case; finance sees only its cost view.
  if (me.can?.read_all_cases) {
    $('fcase-open').hidden = false;
    $('fcase-open-link').href = `/cases/${encodeURIComponent(caseId)}`;
  }
  await mountCostPanel($('sec-costs'), caseId, { initial: r, headingLevel: 2 });
}

onLangChange(async () => {
  if (!view) return render();
  const r = await api('GET', `/incidents/${encodeURIComponent(caseId)}/costs`);
  if (r.ok) view = r.json;
  render();
});

start();
