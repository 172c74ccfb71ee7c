// 联合会治理看板: every federation beneath the viewer, worst first, each failing check with its
// evidence and a link to where it is fixed (federation-governance.html#section).
import { api, esc } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';

await mountLayout('governance');
const state = { rows: [], filter: 'all', search: '' };
const SEVERITY = { red: ['red', '需处理'], yellow: ['orange', '提醒'] };

function bucket(row) {
  return row.red ? 'red' : row.yellow ? 'yellow' : 'ok';
}

function renderSummary() {
  const count = key => state.rows.filter(r => bucket(r) === key).length;
  const reds = state.rows.reduce((n, r) => n + r.open_red_warnings, 0);
  document.getElementById('summary').innerHTML = [
    ['all', '联合会', state.rows.length, ''], ['red', '需立即处理', count('red'), 'red'],
    ['yellow', '有提醒', count('yellow'), 'orange'], ['ok', '运行规范', count('ok'), 'green'],
    ['red', '未处置红色预警', reds, 'red'],
  ].map(([filter, label, n, tone]) => `<button type="button" class="gov-stat ${tone}" data-filter="${filter}">
      <strong>${n}</strong><span>${label}</span></button>`).join('');
}

function checkItem(c) {
  const [tone, label] = SEVERITY[c.severity];
  return `<li class="gov-check ${c.severity}"><span class="tag ${tone}">${label}</span>
    <span class="msg">${esc(c.message)}</span> <a href="${esc(c.link)}">去处理</a>
    <div class="evidence">${esc(c.evidence)}</div></li>`;
}

function renderRows() {
  const rows = state.rows.filter(r => (state.filter === 'all' || bucket(r) === state.filter)
    && (!state.search || r.name.includes(state.search)));
  document.getElementById('rows').innerHTML = rows.length ? rows.map(r => `<tr class="gov-row ${bucket(r)}" data-id="${r.id}">
    <td><a class="name" href="${esc(r.link)}">${esc(r.name)}</a>
      <div class="muted">${esc(r.parent_name || '')} · <span class="tag ${r.status === 'active' ? 'green' : 'orange'}">${esc(r.status_label)}</span></div></td>
    <td>${r.term_number ? `第${r.term_number}届<div class="muted">${esc(r.term_ends_on)} 届满</div>` : '<span class="muted">未登记</span>'}</td>
    <td>${r.coverage_rate === null ? '<span class="muted">—</span>' : `${Math.round(r.coverage_rate * 100)}%`}
      <div class="muted">${r.base_unions} 个基层工会</div></td>
    <td>${r.checks.length ? `<ul class="gov-checks">${r.checks.map(checkItem).join('')}</ul>`
      : '<span class="tag green">各项检查均符合要求</span>'}</td></tr>`).join('')
    : '<tr><td colspan="4" class="empty">没有符合条件的联合会</td></tr>';
}

function setFilter(filter) {
  state.filter = filter;
  document.querySelectorAll('#filters button').forEach(b => b.classList.toggle('active', b.dataset.filter === filter));
  renderRows();
}

document.addEventListener('click', event => {
  const button = event.target.closest('[data-filter]');
  if (button) setFilter(button.dataset.filter);
});
document.getElementById('search').addEventListener('input', event => {
  state.search = event.target.value.trim();
  renderRows();
});

state.rows = await api('/api/governance/board');
renderSummary();
renderRows();
