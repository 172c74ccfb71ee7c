// 入会审核与会员管理: application lists (pending / overdue / correction / decided / all), the
// member list and incoming transfers, the member-card check; details open on the right.
import { api, esc, fmtTime } from '../lib/api.js';
import { mountLayout } from '../lib/layout.js';
import { showApplication, showMember } from './members-detail.js';

const PAGE = 30;
const staff = await mountLayout('members');
const state = { tab: new URLSearchParams(location.search).get('tab') || 'pending', q: '', offset: 0, selected: null };
const list = document.getElementById('list');
const detail = document.getElementById('detail');

const APP_HEAD = '<tr><th>编号</th><th>申请人</th><th>身份证号</th><th>就业形态 / 行业</th><th>受理单位</th><th>提交</th><th>期限</th><th>状态</th></tr>';
const MEMBER_HEAD = '<tr><th>会员号</th><th>姓名</th><th>身份证号</th><th>手机</th><th>所属</th><th>入会</th><th>状态</th></tr>';

function statusTag(row) {
  if (row.overdue) return '<span class="tag red">已超期</span>';
  const color = { pending: 'orange', correction: 'orange', approved: 'green', rejected: 'red', active: 'green',
    transferring: 'orange', retained: '', withdrawn: '' }[row.status] ?? '';
  return `<span class="tag ${color}">${esc(row.status_label)}</span>`;
}

function appRow(a) {
  return `<tr data-id="${a.id}" class="${state.selected === a.id ? 'selected' : ''}">
    <td class="mono">${a.id}</td><td>${esc(a.name || '（已删除）')}<div class="muted">${esc(a.phone_masked || '')}</div></td>
    <td class="mono">${esc(a.id_masked || '')}</td>
    <td>${esc(a.employment_form_label || '')}<div class="muted">${esc(a.industry_name || '')}</div></td>
    <td>${esc(a.federation.name)}</td><td>${fmtTime(a.submitted_at)}</td>
    <td>${esc(a.due_on || '')}</td><td>${statusTag(a)}</td></tr>`;
}

function memberRow(m) {
  return `<tr data-id="${m.id}" class="${state.selected === m.id ? 'selected' : ''}">
    <td class="mono">${esc(m.member_no)}</td><td>${esc(m.name || '（已删除）')}</td>
    <td class="mono">${esc(m.id_masked || '')}</td><td class="mono">${esc(m.phone_masked || '')}</td>
    <td>${esc(m.federation.name)}${m.transfer_to ? `<div class="muted">转入：${esc(m.transfer_to.name)}</div>` : ''}</td>
    <td>${fmtTime(m.joined_at).slice(0, 10)}</td><td>${statusTag(m)}</td></tr>`;
}

function setCounts(counts = {}) {
  document.querySelectorAll('[data-count]').forEach(el => {
    const n = counts[el.dataset.count];
    el.textContent = n ? String(n) : '';
  });
}

function pager(total) {
  const box = document.getElementById('pager');
  if (total <= PAGE) { box.innerHTML = ''; return; }
  const page = Math.floor(state.offset / PAGE) + 1;
  const pages = Math.ceil(total / PAGE);
  box.innerHTML = `<button type="button" id="prev" ${page <= 1 ? 'disabled' : ''}>上一页</button>
    <span class="muted">第 ${page} / ${pages} 页</span>
    <button type="button" id="next" ${page >= pages ? 'disabled' : ''}>下一页</button>`;
  box.querySelector('#prev').onclick = () => { state.offset -= PAGE; load(); };
  box.querySelector('#next').onclick = () => { state.offset += PAGE; load(); };
}

const isMemberTab = () => state.tab === 'members' || state.tab === 'incoming';

export async function load() {
  document.querySelectorAll('#tabs [data-tab]').forEach(b => b.classList.toggle('active', b.dataset.tab === state.tab));
  const verifying = state.tab === 'verify';
  document.getElementById('verify-box').hidden = !verifying;
  document.getElementById('toolbar').hidden = verifying;
  detail.hidden = verifying;
  list.hidden = verifying;
  document.getElementById('q').placeholder = isMemberTab() ? '会员号 / 姓名 / 手机号' : '姓名 / 手机号 / 申请编号';
  if (verifying) {
    document.getElementById('pager').innerHTML = '';
    const counts = await api('/api/applications?view=pending&limit=1');
    setCounts(counts.counts);
    return;
  }
  const params = new URLSearchParams({ limit: PAGE, offset: state.offset });
  if (state.q) params.set('q', state.q);
  let body;
  if (isMemberTab()) {
    if (state.tab === 'incoming') params.set('incoming', 'true');
    body = await api('/api/members?' + params);
    const counts = await api('/api/applications?view=pending&limit=1');
    setCounts(counts.counts);
    list.tHead.innerHTML = MEMBER_HEAD;
    list.tBodies[0].innerHTML = body.items.map(memberRow).join('') ||
      '<tr><td colspan="7" class="muted">没有记录</td></tr>';
  } else {
    params.set('view', state.tab);
    body = await api('/api/applications?' + params);
    setCounts(body.counts);
    list.tHead.innerHTML = APP_HEAD;
    list.tBodies[0].innerHTML = body.items.map(appRow).join('') ||
      '<tr><td colspan="8" class="muted">没有记录</td></tr>';
  }
  document.getElementById('total').textContent = `共 ${body.total} 条`;
  pager(body.total);
}

async function open(id) {
  state.selected = id;
  list.querySelectorAll('tr[data-id]').forEach(tr => tr.classList.toggle('selected', Number(tr.dataset.id) === id));
  const ctx = { staff, detail, reload: load, reopen: () => open(id) };
  if (isMemberTab()) await showMember(id, ctx);
  else await showApplication(id, ctx);
}

list.addEventListener('click', e => {
  const tr = e.target.closest('tr[data-id]');
  if (tr) open(Number(tr.dataset.id));
});
document.getElementById('tabs').addEventListener('click', e => {
  const button = e.target.closest('[data-tab]');
  if (!button) return;
  state.tab = button.dataset.tab;
  state.offset = 0;
  state.selected = null;
  detail.innerHTML = '<p class="muted">在左侧选择一条记录查看详情。</p>';
  history.replaceState(null, '', `?tab=${state.tab}`);
  load();
});
const search = () => { state.q = document.getElementById('q').value.trim(); state.offset = 0; load(); };
document.getElementById('search').addEventListener('click', search);
document.getElementById('q').addEventListener('keydown', e => { if (e.key === 'Enter') search(); });

// --- member card check ------------------------------------------------------------------------
document.getElementById('verify-go').addEventListener('click', async () => {
  const raw = document.getElementById('verify-input').value.trim();
  let token = raw;
  try { token = new URL(raw).searchParams.get('t') || raw; } catch { /* a bare token */ }
  const out = document.getElementById('verify-result');
  const r = await api('/api/verify?t=' + encodeURIComponent(token));
  out.innerHTML = r.valid
    ? `<p class="verify-ok">✔ 有效会员</p><dl class="kv"><dt>姓名</dt><dd>${esc(r.name)}</dd>
       <dt>所属</dt><dd>${esc(r.federation)}</dd><dt>会籍</dt><dd>${esc(r.status_label)}</dd>
       <dt>入会年份</dt><dd>${esc(r.joined_year)}</dd><dt>核验时间</dt><dd>${fmtTime(r.checked_at)}</dd></dl>`
    : `<p class="verify-bad">✘ 核验未通过</p><p>${esc(r.message)}</p>`;
});

load();
