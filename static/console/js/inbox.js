// 诉求收件箱: views, filters, search, keyset pages (a stack of cursors for 上一页), bulk assign, CSV.
import { api, esc, flash, fmtTime } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';

const VIEWS = [['unassigned', '未分派'], ['mine', '我的'], ['overdue', '已超期'], ['incoming', '转入'], ['involved', '我参与的'], ['all', '全部']];
const POLL_MS = 15000;  // tab counts and the first page refresh by themselves
let counts = {};
const TYPES = { wage_arrears: '欠薪', mediation: '劳动争议调解', legal_aid: '法律援助', work_injury: '工伤', consultation: '法律咨询' };
const STATUSES = { new: '待受理', in_progress: '办理中', awaiting_worker: '待职工补充', resolved: '已办结', closed: '已结案', withdrawn: '已撤回' };

const staff = await mountLayout('inbox');
const manager = ['admin', 'chair'].includes(staff.role);
const form = document.getElementById('filters');
const params = new URLSearchParams(location.search);
let view = params.get('view') || 'unassigned';
let cursors = [null];  // cursors[i] opens page i
let nextCursor = null;

document.getElementById('scope-name').textContent = staff.federation_name;
document.querySelectorAll('.manager-only').forEach(el => { el.hidden = !manager; });
form.type.innerHTML += Object.entries(TYPES).map(([k, v]) => `<option value="${k}">${v}</option>`).join('');
form.status.innerHTML += Object.entries(STATUSES).map(([k, v]) => `<option value="${k}">${v}</option>`).join('');
for (const name of ['q', 'type', 'status', 'date_from', 'date_to', 'assignee_id']) if (params.get(name)) form[name].value = params.get(name);

const assignees = await api('/api/inbox/assignees');
const options = assignees.map(s => `<option value="${s.id}">${esc(s.display_name)}（${esc(s.federation_name)}）</option>`).join('');
form.assignee_id.innerHTML += options;
if (params.get('assignee_id')) form.assignee_id.value = params.get('assignee_id');
document.getElementById('bulk-assignee').innerHTML = options;

function renderTabs() {
  document.getElementById('tabs').innerHTML = VIEWS.map(([key, label]) =>
    `<button type="button" data-view="${key}" class="${key === view ? 'active' : ''}">${label}${
      counts[key] !== undefined ? ` <span class="badge ${key === 'overdue' && counts[key] ? 'badge-red' : ''}">${counts[key]}</span>` : ''}</button>`).join('');
  document.getElementById('unread-note').hidden = !counts.unread;
  document.getElementById('unread-note').textContent = `${counts.unread || 0} 件诉求有职工新消息`;
}
async function refreshCounts() {
  try { counts = await api('/api/inbox/counts'); renderTabs(); } catch { /* next time */ }
}
document.getElementById('tabs').addEventListener('click', e => {
  const key = e.target.closest('button')?.dataset.view;
  if (!key) return;
  view = key; renderTabs(); reload();
});

function query(extra = {}) {
  const q = new URLSearchParams({ view });
  for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
  for (const [k, v] of Object.entries(extra)) if (v) q.set(k, v);
  return q;
}

function dueCell(r) {
  if (!r.due_at) return '<span class="muted">—</span>';
  const due = new Date(r.due_at + 'Z');
  const hours = (due - Date.now()) / 3600e3;
  const label = r.due_kind === 'first_response' ? '首次答复' : '办结';
  const cls = hours < 0 ? 'due-late' : hours < 24 ? 'due-soon' : '';
  return `<span class="${cls}" title="${label}期限">${label} ${fmtTime(r.due_at).slice(5)}</span>`;
}

function row(r) {
  const tags = [
    r.overdue ? '<span class="tag red">超期</span>' : '',
    r.incoming ? '<span class="tag orange">转入</span>' : '',
    r.escalated ? '<span class="tag orange">已上报</span>' : '',
    r.limitation_warning ? '<span class="tag red">时效临近</span>' : '',
    r.worker_unread ? `<span class="tag orange unread" title="${r.worker_unread} 条未读">职工有新消息</span>` : '',
  ].join(' ');
  return `<tr class="${r.overdue ? 'overdue' : ''}">
    ${manager ? `<td><input type="checkbox" class="pick" value="${r.id}" aria-label="选择 ${esc(r.number)}"></td>` : ''}
    <td><a href="/console/request.html?id=${r.id}">${esc(r.number)}</a> ${tags}</td>
    <td>${esc(r.type_label)}</td><td>${esc(r.worker_name)}</td><td class="wrap">${esc(r.employer_name)}</td>
    <td class="wrap">${esc(r.federation_name)}</td><td>${esc(r.assignee_name) || '<span class="muted">未分派</span>'}</td>
    <td>${esc(r.status_label)}</td><td>${dueCell(r)}</td><td>${fmtTime(r.created_at)}</td></tr>`;
}

async function load(page) {
  const q = query({ cursor: cursors[page], limit: 50 });
  history.replaceState(null, '', '?' + query().toString());
  const body = await api('/api/inbox?' + q.toString());
  nextCursor = body.next_cursor;
  if (cursors.length === page + 1 && nextCursor) cursors.push(nextCursor);
  document.getElementById('rows').innerHTML = body.items.map(row).join('');
  document.getElementById('empty').hidden = body.items.length > 0;
  document.getElementById('page-no').textContent = `第 ${page + 1} 页`;
  document.getElementById('prev').disabled = page === 0;
  document.getElementById('first').disabled = page === 0;
  document.getElementById('next').disabled = !nextCursor;
  document.getElementById('check-all').checked = false;
  currentPage = page;
  updateBulk();
  const exportLink = document.getElementById('export');
  exportLink.hidden = !manager;
  exportLink.href = '/api/inbox/export.csv?' + query().toString();
}
let currentPage = 0;
function reload() { cursors = [null]; load(0).catch(err => flash(err.message, 'error')); }

form.addEventListener('submit', e => { e.preventDefault(); if (form.q.value.trim()) { view = 'all'; renderTabs(); } reload(); });
document.getElementById('reset').addEventListener('click', () => { form.reset(); reload(); });
document.getElementById('next').addEventListener('click', () => load(currentPage + 1));
document.getElementById('prev').addEventListener('click', () => load(currentPage - 1));
document.getElementById('first').addEventListener('click', () => load(0));

function picked() { return [...document.querySelectorAll('.pick:checked')].map(el => Number(el.value)); }
function updateBulk() {
  document.getElementById('bulkbar').hidden = !manager || picked().length === 0;
  document.getElementById('selected-count').textContent = picked().length;
}
document.getElementById('rows').addEventListener('change', updateBulk);
document.getElementById('check-all').addEventListener('change', e => {
  document.querySelectorAll('.pick').forEach(el => { el.checked = e.target.checked; });
  updateBulk();
});
document.getElementById('bulk-assign').addEventListener('click', async () => {
  try {
    const body = await api('/api/inbox/bulk-assign', { method: 'POST',
      body: { request_ids: picked(), assignee_id: Number(document.getElementById('bulk-assignee').value) } });
    flash(`已分派 ${body.assigned} 件`);
    reload();
  } catch (err) { flash(err.fields?.assignee_id || err.message, 'error'); }
});

document.getElementById('targets').addEventListener('toggle', async e => {
  if (!e.target.open || e.target.dataset.loaded) return;
  const t = await api('/api/inbox/targets');
  e.target.dataset.loaded = '1';
  document.getElementById('targets-body').innerHTML = `<table><thead><tr><th>类型</th><th>首次答复</th><th>办结期限</th><th>起算</th><th>依据</th></tr></thead><tbody>${
    t.types.map(x => `<tr><td>${esc(x.label)}</td><td>${x.first_response_days}日内</td><td>${x.resolution_days}日内${esc(x.resolution_label)}</td>
      <td>${x.resolution_from === 'accepted' ? '受理之日' : '提交之日'}</td><td class="muted">${esc(x.basis)}</td></tr>`).join('')}</tbody></table>
    <p class="muted">超期${t.escalation_grace_days}日仍未办理的，系统自动上报上级工会；距仲裁时效届满${t.limitation_warning_days}日内的诉求标记“时效临近”。转办不重新计时。</p>`;
});

renderTabs();
reload();
refreshCounts();
setInterval(() => {
  if (document.hidden) return;
  refreshCounts();
  if (currentPage === 0 && !picked().length) load(0).catch(() => {});
}, POLL_MS);
