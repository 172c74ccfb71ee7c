// 统计: figures of the viewer's part of the union tree for a period (China time), drill-down
// province → city → county → federation, charts with tables and CSV, monthly / half-year reports.
import { api, esc, flash, fmtTime } from '../lib/api.js';
import { mountLayout } from '../lib/layout.js';
import { disposeCharts, fmtCount, fmtShare, fmtYuan } from './stats-charts.js';
import {
  renderCaseworkers, renderChildren, renderContests, renderGaps, renderMembers, renderPositions, renderRequests,
} from './stats-sections.js';

const staff = await mountLayout('stats');
const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const china = new Date(Date.now() + 8 * 3600 * 1000);
const thisYear = china.getUTCFullYear();
const thisMonth = `${thisYear}-${String(china.getUTCMonth() + 1).padStart(2, '0')}`;
const monthsAgo = n => {
  const d = new Date(Date.UTC(china.getUTCFullYear(), china.getUTCMonth() - n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};
// Without a period in the address: the last 12 months, this one included.
const state = {
  node: params.get('node') ? Number(params.get('node')) : null,
  kind: params.get('period') || 'custom',
  ref: params.get('ref') || '',
  start: params.get('start') || (params.get('period') ? '' : monthsAgo(11)),
  end: params.get('end') || (params.get('period') ? '' : thisMonth),
};

function setupPicker() {
  $('year').innerHTML = Array.from({ length: 8 }, (_, i) => thisYear - i).map(y => `<option value="${y}">${y}年</option>`).join('');
  $('kind').value = state.kind;
  $('month').value = state.kind === 'month' && state.ref ? state.ref : thisMonth;
  if (state.ref && state.kind !== 'month') $('year').value = state.ref.slice(0, 4);
  $('start').value = state.start || monthsAgo(11);
  $('end').value = state.end || thisMonth;
  showPickerParts();
  if (state.ref && (state.kind === 'quarter' || state.kind === 'half')) $('part').value = state.ref.slice(5);
  $('kind').addEventListener('change', showPickerParts);
  $('picker').addEventListener('submit', e => {
    e.preventDefault();
    readPicker();
    load();
  });
  $('child').addEventListener('change', () => {
    if ($('child').value) drill(Number($('child').value));
  });
}

function showPickerParts() {
  const kind = $('kind').value;
  $('month').hidden = kind !== 'month';
  $('year').hidden = !['quarter', 'half', 'year'].includes(kind);
  $('part').hidden = !['quarter', 'half'].includes(kind);
  $('custom').hidden = kind !== 'custom';
  const current = Math.floor(china.getUTCMonth() / 3) + 1;
  if (kind === 'quarter') $('part').innerHTML = [1, 2, 3, 4].map(q => `<option value="Q${q}" ${q === current ? 'selected' : ''}>第${q}季度</option>`).join('');
  if (kind === 'half') $('part').innerHTML = `<option value="H1">上半年</option><option value="H2" ${china.getUTCMonth() >= 6 ? 'selected' : ''}>下半年</option>`;
}

function readPicker() {
  state.kind = $('kind').value;
  state.ref = { month: $('month').value, quarter: `${$('year').value}-${$('part').value}`,
    half: `${$('year').value}-${$('part').value}`, year: $('year').value, custom: '' }[state.kind];
  state.start = state.kind === 'custom' ? $('start').value : '';
  state.end = state.kind === 'custom' ? $('end').value : '';
}

function query(extra = {}) {
  const q = new URLSearchParams({ period: state.kind });
  if (state.ref) q.set('ref', state.ref);
  if (state.kind === 'custom') { q.set('start', state.start); q.set('end', state.end); }
  if (state.node) q.set('node_id', state.node);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

function remember() {
  const q = new URLSearchParams({ period: state.kind });
  if (state.ref) q.set('ref', state.ref);
  if (state.kind === 'custom') { q.set('start', state.start); q.set('end', state.end); }
  if (state.node) q.set('node', state.node);
  history.replaceState(null, '', `?${q}`);
}

function drill(nodeId) {
  state.node = nodeId;
  load();
}

function renderNode(node) {
  $('crumbs').innerHTML = node.path.map((p, i) => (i < node.path.length - 1
    ? `<a href="#" data-node="${p.id}">${esc(p.name)}</a>` : `<span>${esc(p.name)}</span>`)).join('');
  $('crumbs').querySelectorAll('[data-node]').forEach(a => a.addEventListener('click', e => {
    e.preventDefault();
    drill(Number(a.dataset.node));
  }));
  $('child').innerHTML = '<option value="">下钻到下级单位…</option>'
    + node.children.map(c => `<option value="${c.id}">${esc(c.name)}</option>`).join('');
  $('child').hidden = !node.children.length;
  $('fresh').textContent = node.counted === 'rollup'
    ? `汇总数据截至 ${node.rolled_up_at ? fmtTime(node.rolled_up_at) : '（尚未汇总）'}` : '联合会数据实时计算';
}

function renderKpis(m, r, g, period) {
  const tiles = [
    ['新入会会员', `${fmtCount(m.totals.new)}人`], ['期末会员', `${fmtCount(m.totals.members_at_end)}人`],
    ['新受理诉求', `${fmtCount(r.totals.new)}件`], ['已办结', `${fmtCount(r.totals.resolved)}件`],
    ['追回/协议金额', fmtYuan(r.totals.amount_recovered)], ['惠及职工', `${fmtCount(r.totals.workers_covered)}人`],
    ['满意度', r.satisfaction.average === null ? '—' : `${r.satisfaction.average}分`],
    ['入会申请按时审结', fmtShare(m.applications.on_time_share)],
    ['未能分配到联合会', `${fmtCount(g.totals.requests + g.totals.applications)}件`],
  ];
  $('kpis').innerHTML = `<div class="kpi"><div class="l">统计周期</div><div class="v" style="font-size:16px">${esc(period.label)}</div></div>`
    + tiles.map(([l, v]) => `<div class="kpi"><div class="l">${l}</div><div class="v">${v}</div></div>`).join('');
}

async function renderReports(node) {
  const box = $('reports');
  const mayGenerate = ['admin', 'chair'].includes(staff.role);
  const { items } = await api(`/api/stats/reports?node_id=${node.id}`);
  box.innerHTML = `<div class="toolbar">${mayGenerate ? `
      <button type="button" data-kind="month">生成月度报告</button>
      <button type="button" data-kind="half">生成半年报告</button>
      <span class="muted">所选周期为月或半年时生成该周期的报告，否则为上一个已结束的周期；每月、每半年结束后系统也会自动生成。</span>` : ''}</div>
    <table id="report-list"><thead><tr><th>报告</th><th>周期</th><th>生成</th><th>方式</th><th></th></tr></thead><tbody>
    ${items.length ? items.map(r => `<tr><td>${esc(r.node_name)} · ${esc(r.kind_label)}</td><td>${esc(r.period_label)}</td>
      <td>${fmtTime(r.generated_at)}</td><td>${r.source === 'job' ? '自动' : '手动'}</td>
      <td><a href="/console/report.html?id=${r.id}" target="_blank">打印版</a>
      <a href="/api/stats/reports/${r.id}/xlsx" data-xlsx="${r.id}">下载 Excel</a></td></tr>`).join('')
    : '<tr><td colspan="5" class="muted">暂无报告</td></tr>'}</tbody></table>`;
  box.querySelectorAll('[data-kind]').forEach(button => button.addEventListener('click', async () => {
    const kind = button.dataset.kind;
    const body = { node_id: node.id, kind };
    if (state.kind === kind && state.ref) body.ref = state.ref;
    button.disabled = true;
    try {
      const report = await api('/api/stats/reports', { method: 'POST', body });
      flash(`已生成：${report.period_label}${report.kind_label}`);
      await renderReports(node);
    } catch (e) {
      flash(Object.values(e.fields)[0] || e.message, 'error');
      button.disabled = false;
    }
  }));
}

async function load() {
  remember();
  $('error').hidden = true;
  const q = query();
  try {
    const node = await api(`/api/stats/node?${state.node ? `node_id=${state.node}` : ''}`);
    state.node = node.id;
    renderNode(node);
    const wantsCaseworkers = ['admin', 'chair'].includes(staff.role);
    const [m, r, g, kids, contests, low, workers, positions] = await Promise.all([
      api(`/api/stats/members?${q}`), api(`/api/stats/requests?${q}`), api(`/api/stats/gaps?${q}`),
      api(`/api/stats/children?${q}`), api(`/api/stats/contests?${q}`), api(`/api/stats/low-ratings?${q}`),
      wantsCaseworkers ? api(`/api/stats/caseworkers?${q}`) : Promise.resolve(null),
      api(`/api/stats/positions?node_id=${node.id}`),
    ]);
    disposeCharts();
    const tag = `${node.name}-${m.period.ref}`;
    renderKpis(m, r, g, m.period);
    renderMembers($('members'), m, tag);
    renderRequests($('requests'), r, low.items, tag);
    renderGaps($('gaps'), g, tag);
    renderChildren($('children'), kids.items, tag, drill);
    $('children-head').hidden = $('children').hidden = !kids.items.length;
    renderContests($('contests'), contests, tag);
    renderPositions($('positions'), positions, tag);
    $('caseworkers-box').hidden = !workers;
    if (workers) renderCaseworkers($('caseworkers'), workers.items, tag);
    await renderReports(node);
    document.body.dataset.loaded = `${node.id}:${m.period.ref}`;
  } catch (e) {
    $('error').textContent = Object.values(e.fields || {})[0] || e.message;
    $('error').hidden = false;
  }
}

setupPicker();
load();
