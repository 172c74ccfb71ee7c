// Charts for the 统计 page: every chart is an ECharts chart, the same figures as a table, and a
// CSV download of them. Numbers in Chinese conventions (万, 亿; amounts in 元).
import * as echarts from '/vendor/echarts-6.1.0/echarts.esm.min.mjs';
import { esc } from '../lib/api.js';

const charts = [];
window.addEventListener('resize', () => charts.forEach(c => c.resize()));
export const COLORS = ['#c8161d', '#1677ff', '#00b42a', '#ff7d00', '#722ed1', '#14c9c9', '#f7ba1e', '#86909c'];

export function fmtCount(n) {
  if (n === null || n === undefined) return '—';
  const v = Number(n);
  if (Math.abs(v) >= 1e8) return `${(v / 1e8).toFixed(2)}亿`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e4).toFixed(2)}万`;
  return v.toLocaleString('zh-CN');
}

export function fmtYuan(s) {
  if (s === null || s === undefined) return '—';
  const v = Number(s);
  if (Math.abs(v) >= 1e8) return `${(v / 1e8).toFixed(2)}亿元`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e4).toFixed(2)}万元`;
  return `${v.toFixed(2)}元`;
}

export const fmtShare = x => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

export function fmtHours(h) {
  if (h === null || h === undefined) return '—';
  return h >= 48 && h % 24 === 0 ? `≤${h / 24}天` : `≤${h}小时`;
}

export function disposeCharts() {
  while (charts.length) charts.pop().dispose();
}

function csvCell(value) {
  const text = String(value ?? '');
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function downloadCsv(filename, columns, rows) {
  const lines = [columns.map(c => csvCell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map(c => csvCell(c.csv ? c.csv(row) : row[c.key])).join(','));
  // A byte-order mark so that Excel opens the UTF-8 file with its Chinese intact.
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename.endsWith('.csv') ? filename : `${filename}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function tableHtml(columns, rows) {
  const head = columns.map(c => `<th class="${c.num ? 'num' : ''}">${esc(c.label)}</th>`).join('');
  const body = rows.length ? rows.map(row => `<tr>${columns.map(c => {
    const value = c.fmt ? c.fmt(row[c.key], row) : row[c.key];
    return `<td class="${c.num ? 'num' : ''}">${c.html ? value : esc(value ?? '')}</td>`;
  }).join('')}</tr>`).join('') : `<tr><td colspan="${columns.length}" class="muted">暂无数据</td></tr>`;
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

// A card: title, chart (if `option` and rows), the table (folded when there is a chart, unless
// `open`), CSV download.
export function chartCard(parent, { title, option, columns, rows, filename, height = 280, open, note = '' }) {
  const card = document.createElement('div');
  card.className = 'card chart-card';
  card.dataset.chart = filename;
  card.innerHTML = `<h3>${esc(title)}<span class="tools"><button type="button" class="link" data-csv>下载CSV</button></span></h3>
    ${note ? `<p class="muted">${note}</p>` : ''}
    ${option ? `<div class="chart" style="height:${height}px"></div>` : ''}
    <details ${(open ?? !option) ? 'open' : ''}><summary>数据表</summary>${tableHtml(columns, rows)}</details>`;
  parent.append(card);
  card.querySelector('[data-csv]').addEventListener('click', () => downloadCsv(filename, columns, rows));
  const box = card.querySelector('.chart');
  if (box) {
    if (!rows.length) {
      box.innerHTML = '<p class="muted">本期暂无数据</p>';
      box.style.height = 'auto';
    } else {
      const chart = echarts.init(box);
      chart.setOption({ color: COLORS, animation: false, ...option });
      charts.push(chart);
    }
  }
  return card;
}

// Option builders
const grid = { left: 48, right: 16, top: 36, bottom: 28, containLabel: true };
const tooltip = { trigger: 'axis' };

export function barOption(labels, series, { horizontal = false, stack = false, yName = '', fmt = fmtCount } = {}) {
  const category = { type: 'category', data: labels, axisLabel: { interval: 0, width: horizontal ? 170 : 90, overflow: 'truncate' } };
  const value = { type: 'value', name: yName, axisLabel: { formatter: v => fmt(v) } };
  return {
    grid, tooltip, legend: series.length > 1 ? { top: 0 } : undefined,
    xAxis: horizontal ? value : category, yAxis: horizontal ? { ...category, inverse: true } : value,
    series: series.map(s => ({ type: 'bar', stack: stack ? 'all' : undefined, barMaxWidth: 28, ...s })),
  };
}

export function lineOption(labels, series) {
  return {
    grid, tooltip, legend: { top: 0 },
    xAxis: { type: 'category', data: labels, boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: v => fmtCount(v) } },
    series: series.map(s => ({ type: 'line', smooth: true, showSymbol: labels.length < 40, ...s })),
  };
}

export function pieOption(items) {
  return {
    tooltip: { trigger: 'item', formatter: p => `${esc(p.name)}：${fmtCount(p.value)}（${p.percent}%）` },
    legend: { orient: 'vertical', left: 0, top: 'middle' },
    series: [{ type: 'pie', radius: ['38%', '68%'], center: ['62%', '52%'], data: items,
      label: { formatter: '{b}\n{d}%' } }],
  };
}

export function treemapOption(groups) {
  return {
    tooltip: { formatter: p => `${esc(p.treePathInfo.slice(1).map(x => x.name).join(' / '))}：${fmtCount(p.value)}件` },
    series: [{ type: 'treemap', roam: false, nodeClick: 'zoomToNode', breadcrumb: { show: true, bottom: 0 },
      top: 8, bottom: 30, left: 4, right: 4, leafDepth: 2,
      levels: [{ itemStyle: { borderColor: '#fff', borderWidth: 3, gapWidth: 3 }, upperLabel: { show: true, height: 22 } },
        { itemStyle: { borderColor: '#fff', borderWidth: 1, gapWidth: 1 }, colorSaturation: [0.35, 0.6] }],
      label: { formatter: p => `${p.name}\n${fmtCount(p.value)}` },
      data: groups.map((g, i) => ({ name: g.name, value: g.value, itemStyle: { color: COLORS[i % COLORS.length] },
        children: g.children.map(c => ({ name: c.name, value: c.value })) })) }],
  };
}
