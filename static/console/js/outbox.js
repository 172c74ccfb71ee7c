// 发送失败的消息: the outbox's dead letters with the reason in Chinese, the case and a retry.
import { api, esc, flash, fmtTime } from '../lib/api.js';
import { mountLayout } from '../lib/layout.js';

await mountLayout('outbox');
const rows = document.getElementById('rows');
const SUBJECTS = {
  request: (id) => `<a href="/console/request.html?id=${id}">诉求 #${id}</a>`,
  application: (id) => `<a href="/console/members.html?tab=all&application=${id}">入会申请 #${id}</a>`,
  membership: (id) => `<a href="/console/members.html?tab=members&member=${id}">会员 #${id}</a>`,
  contest: (id) => `<a href="/console/contests.html?id=${id}">竞赛 #${id}</a>`,
};

async function load() {
  const letters = await api('/api/outbox/dead-letters');
  if (!letters.length) {
    rows.innerHTML = '<tr><td colspan="8" class="muted">没有发送失败的消息。</td></tr>';
    return;
  }
  rows.innerHTML = letters.map((m) => `<tr data-id="${m.id}">
    <td class="mono">${m.id}</td>
    <td><span class="tag ${m.status === 'failed' ? 'orange' : 'red'}">${esc(m.status_label)}</span></td>
    <td>${esc(m.reason)}</td>
    <td>${m.subject_type ? SUBJECTS[m.subject_type](m.subject_id) : '<span class="muted">—</span>'}</td>
    <td>${esc(m.text.slice(0, 60))}</td>
    <td>${m.attempts}</td>
    <td>${fmtTime(m.created_at)}</td>
    <td><button type="button" data-retry="${m.id}">重新发送</button></td></tr>`).join('');
}

rows.addEventListener('click', async (event) => {
  const id = event.target.dataset.retry;
  if (!id) return;
  event.target.disabled = true;
  try {
    await api(`/api/outbox/${id}/retry`, { method: 'POST' });
    flash('已重新加入发送队列');
    await load();
  } catch (error) {
    flash(error.message, 'error');
    event.target.disabled = false;
  }
});

await load();
