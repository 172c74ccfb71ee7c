// The printable monthly / half-year report: the figures stored with the report, as tables.
import { api, esc } from '../lib/api.js';
import { mountLayout } from '../lib/layout.js';
import { fmtCount, fmtHours, fmtShare, fmtYuan, tableHtml } from './stats-charts.js';

await mountLayout('stats');
const id = Number(new URLSearchParams(location.search).get('id'));
const box = document.getElementById('report');
document.getElementById('print').addEventListener('click', () => window.print());

function section(title, columns, rows) {
  return `<section class="card"><h2>${esc(title)}</h2>${tableHtml(columns, rows)}</section>`;
}

try {
  const report = await api(`/api/stats/reports/${id}`);
  document.getElementById('xlsx').href = `/api/stats/reports/${id}/xlsx`;
  const d = report.data;
  const m = d.members, r = d.requests, g = d.gaps, c = d.contests;
  const n = { num: true, fmt: v => fmtCount(v) };
  const kv = [
    ['新入会会员', `${fmtCount(m.totals.new)}人`], ['期末会员', `${fmtCount(m.totals.members_at_end)}人`],
    ['退会', `${fmtCount(m.totals.withdrawn)}人`], ['会员转入/转出', `${m.totals.transfers_in}/${m.totals.transfers_out}人`],
    ['入会申请', `${fmtCount(m.applications.submitted)}件，15个工作日内审结 ${fmtShare(m.applications.on_time_share)}`],
    ['新受理诉求', `${fmtCount(r.totals.new)}件（已办结 ${fmtCount(r.totals.resolved)}，办理中 ${fmtCount(r.totals.open)}）`],
    ['超期上报', `${fmtCount(r.totals.escalated)}件`], ['追回/协议金额', fmtYuan(r.totals.amount_recovered)],
    ['惠及职工', `${fmtCount(r.totals.workers_covered)}人`],
    ['满意度', r.satisfaction.average === null ? '—' : `${r.satisfaction.average}分（${r.satisfaction.rated}件评价）`],
    ['未能分配到联合会', `诉求 ${g.totals.requests} 件，入会申请 ${g.totals.applications} 件`],
    ['技能竞赛', `${c.totals.published}场，报名 ${fmtCount(c.totals.signups)} 人次`],
  ].map(([k, v]) => ({ k, v }));
  box.innerHTML = `<h1>${esc(d.node.name)}${esc(d.period.label)}统计报告</h1>
    <p class="muted">${esc(report.kind_label)}；统计周期 ${esc(d.period.start)} 至 ${esc(d.period.end)}（北京时间）；生成于 ${esc(d.generated_at_china)}。</p>
    ${section('概况', [{ key: 'k', label: '项目' }, { key: 'v', label: '数值' }], kv)}
    ${section('诉求类型', [{ key: 'label', label: '类型' }, { key: 'n', label: '件数', ...n }], r.by_type)}
    ${section('服务时效', [{ key: 'label', label: '类型' },
      { key: 'fr', label: '首次响应按时率', fmt: (v, x) => fmtShare(x.first_response.on_time_share) },
      { key: 'frm', label: '响应中位数', fmt: (v, x) => fmtHours(x.first_response.median_hours) },
      { key: 'rs', label: '办结按时率', fmt: (v, x) => fmtShare(x.resolution.on_time_share) },
      { key: 'rsm', label: '办结中位数', fmt: (v, x) => fmtHours(x.resolution.median_hours) },
      { key: 'rsp', label: '办结90%分位', fmt: (v, x) => fmtHours(x.resolution.p90_hours) }], r.service_levels)}
    ${section('办理结果', [{ key: 'type_label', label: '类型' }, { key: 'label', label: '结果' }, { key: 'n', label: '件数', ...n }], r.outcomes)}
    ${section('追回金额与惠及职工', [{ key: 'label', label: '类型' }, { key: 'cases', label: '件数', ...n },
      { key: 'amount', label: '金额', fmt: v => fmtYuan(v) }, { key: 'workers_covered', label: '惠及职工', ...n }], r.amounts)}
    ${section('新会员的就业形态', [{ key: 'label', label: '就业形态' }, { key: 'n', label: '人数', ...n }], m.by_form)}
    ${section('需要新建联合会的地方', [{ key: 'region_name', label: '地区' }, { key: 'industry_name', label: '行业' },
      { key: 'requests', label: '诉求', ...n }, { key: 'applications', label: '入会申请', ...n }], g.rows.slice(0, 30))}
    ${section('下级单位', [{ key: 'name', label: '单位' }, { key: 'members_new', label: '新会员', ...n },
      { key: 'requests_new', label: '新诉求', ...n }, { key: 'resolution_on_time_share', label: '办结按时率', fmt: v => fmtShare(v) },
      { key: 'amount_recovered', label: '金额', fmt: v => fmtYuan(v) }], d.children)}`;
  document.body.dataset.loaded = 'report';
} catch (e) {
  box.innerHTML = `<p class="error">${esc(e.message)}</p>`;
}
