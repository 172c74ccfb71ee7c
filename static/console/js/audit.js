// The audit log (admins): kinds as tabs, filters, newest first, "更早的记录" pages on by id.
import { api, esc, flash, fmtTime } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';

const KINDS = [['all', '全部'], ['id_views', '查看完整身份证号'], ['exports', '导出'], ['staff', '账号与权限'],
  ['privacy', '职工个人信息']];
const SUBJECTS = { application: '入会申请', member: '会员', membership: '会员', request: '求助', staff: '员工账号',
  contest: '竞赛', contest_signup: '竞赛报名', worker: '职工', federation: '联合会' };

await mountLayout('audit');
let kind = new URLSearchParams(location.search).get('kind') || 'all';
let before = null;
const form = document.getElementById('filters');
const rows = document.getElementById('rows');

function renderTabs() {
  document.getElementById('tabs').innerHTML = KINDS.map(([key, label]) =>
    `<button type="button" data-kind="${key}" class="${key === kind ? 'active' : ''}">${esc(label)}</button>`).join('');
}

function detailText(detail) {
  if (!detail) return '';
  return Object.entries(detail).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('；');
}

function query() {
  const params = new URLSearchParams({ kind, limit: '50' });
  for (const [key, value] of new FormData(form)) if (String(value).trim()) params.set(key, String(value).trim());
  if (before) params.set('before_id', before);
  return params;
}

let latest = 0; // a slower, older answer must not overwrite a newer one (switching tabs quickly)

async function load(append = false) {
  const mine = ++latest;
  try {
    const page = await api('/api/audit?' + query());
    if (mine !== latest) return;
    const html = page.items.map(e => `<tr>
      <td class="mono">${esc(fmtTime(e.created_at))}</td><td>${esc(e.action_label)}</td>
      <td>${esc(e.actor_name || e.actor)}</td>
      <td>${e.subject_type ? esc((SUBJECTS[e.subject_type] || e.subject_type) + ' #' + (e.subject_id ?? '')) : ''}</td>
      <td>${esc(e.federation_name || '')}</td><td class="muted">${esc(detailText(e.detail))}</td></tr>`).join('');
    rows.innerHTML = append ? rows.innerHTML + html : html;
    document.getElementById('empty').hidden = rows.children.length > 0;
    before = page.next_before_id;
    document.getElementById('more').hidden = !before;
  } catch (err) {
    flash(err.message, 'error');
  }
}

document.getElementById('tabs').addEventListener('click', event => {
  const tab = event.target.closest('button[data-kind]');
  if (!tab) return;
  kind = tab.dataset.kind;
  history.replaceState(null, '', '?kind=' + kind);
  before = null;
  renderTabs();
  load();
});
form.addEventListener('submit', event => { event.preventDefault(); before = null; load(); });
document.getElementById('reset').addEventListener('click', () => { form.reset(); before = null; load(); });
document.getElementById('more').addEventListener('click', () => load(true));
renderTabs();
load();
