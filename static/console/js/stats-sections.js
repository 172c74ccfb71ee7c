// The sections of the 统计 page, each a set of chart cards (chart + table + CSV).
import { esc, fmtTime } from '../lib/api.js';
import {
  barOption, chartCard, fmtCount, fmtHours, fmtShare, fmtYuan, lineOption, pieOption, treemapOption,
} from './stats-charts.js';

const TYPES = [['legal_aid', '法律援助'], ['mediation', '劳动争议调解'], ['wage_arrears', '欠薪'],
  ['work_injury', '工伤'], ['consultation', '法律咨询']];
const n = { num: true, fmt: v => fmtCount(v) };
const ranked = [{ key: 'label', label: '类别' }, { key: 'n', label: '人数', ...n }];

export function renderMembers(box, m, tag) {
  box.innerHTML = '';
  chartCard(box, {
    title: '新入会与退会（人）', filename: `会员趋势-${tag}`,
    option: lineOption(m.series.map(s => s.bucket), [
      { name: '新入会', data: m.series.map(s => s.new), areaStyle: { opacity: 0.12 } },
      { name: '退会', data: m.series.map(s => s.withdrawn) }]),
    rows: m.series.filter(s => s.new || s.withdrawn).length ? m.series : [],
    columns: [{ key: 'bucket', label: '时间' }, { key: 'new', label: '新入会', ...n }, { key: 'withdrawn', label: '退会', ...n }],
  });
  chartCard(box, { title: '新会员的就业形态', filename: `会员就业形态-${tag}`, rows: m.by_form, columns: ranked,
    option: pieOption(m.by_form.map(r => ({ name: r.label, value: r.n }))) });
  chartCard(box, { title: '新会员的行业（门类）', filename: `会员行业-${tag}`, rows: m.by_industry, columns: ranked,
    option: barOption(m.by_industry.slice(0, 10).map(r => r.label), [{ name: '人数', data: m.by_industry.slice(0, 10).map(r => r.n) }], { horizontal: true }) });
  chartCard(box, { title: '新会员的工作地（县级）', filename: `会员地区-${tag}`, rows: m.by_region, columns: ranked,
    option: barOption(m.by_region.slice(0, 12).map(r => r.label), [{ name: '人数', data: m.by_region.slice(0, 12).map(r => r.n) }], { horizontal: true }) });
  const a = m.applications;
  chartCard(box, {
    title: '入会申请', filename: `入会申请-${tag}`, rows: a.by_status,
    note: `共 ${fmtCount(a.submitted)} 件；已审结 ${fmtCount(a.decided)} 件，15个工作日内审结 ${fmtShare(a.on_time_share)}，平均 ${a.average_days ?? '—'} 天；转出 ${fmtCount(a.transfers_out)} 件。会员转入 ${fmtCount(m.totals.transfers_in)}、转出 ${fmtCount(m.totals.transfers_out)} 人。`,
    columns: [{ key: 'label', label: '状态' }, { key: 'n', label: '件数', ...n }],
    option: pieOption(a.by_status.map(r => ({ name: r.label, value: r.n }))),
  });
}

export function renderRequests(box, r, low, tag) {
  box.innerHTML = '';
  const series = r.series;
  chartCard(box, {
    title: '各类诉求新增（件）', filename: `诉求趋势-${tag}`,
    rows: series.filter(s => TYPES.some(([k]) => s[k])).length ? series : [],
    columns: [{ key: 'bucket', label: '时间' }, ...TYPES.map(([k, l]) => ({ key: k, label: l, ...n }))],
    option: barOption(series.map(s => s.bucket), TYPES.map(([k, l]) => ({ name: l, data: series.map(s => s[k]) })), { stack: true }),
  });
  chartCard(box, { title: '诉求状态', filename: `诉求状态-${tag}`, rows: r.by_status,
    columns: [{ key: 'label', label: '状态' }, { key: 'n', label: '件数', ...n }],
    option: pieOption(r.by_status.map(x => ({ name: x.label, value: x.n }))) });
  const outcomes = r.outcomes.map(o => ({ ...o, name: `${o.type_label}·${o.label}` }));
  chartCard(box, { title: '办理结果', filename: `办理结果-${tag}`, rows: outcomes,
    columns: [{ key: 'type_label', label: '类型' }, { key: 'label', label: '结果' }, { key: 'n', label: '件数', ...n }],
    option: barOption(outcomes.map(o => o.name), [{ name: '件数', data: outcomes.map(o => o.n) }], { horizontal: true }) });
  const levels = r.service_levels.map(s => ({
    label: s.label, fr_target: s.first_response.target_hours, fr_share: s.first_response.on_time_share,
    fr_median: s.first_response.median_hours, fr_p90: s.first_response.p90_hours, fr_late: s.first_response.late,
    rs_target: s.resolution.target_hours, rs_share: s.resolution.on_time_share,
    rs_median: s.resolution.median_hours, rs_p90: s.resolution.p90_hours, rs_late: s.resolution.late,
  }));
  const h = { num: true, fmt: v => fmtHours(v) };
  const pct = { num: true, fmt: v => fmtShare(v) };
  chartCard(box, {
    title: '服务时效：按时率', filename: `服务时效-${tag}`, rows: levels, open: true,
    note: '首次响应与办结对照各类诉求的时限；中位数、90%分位数按时长区间上限计。',
    columns: [{ key: 'label', label: '类型' }, { key: 'fr_target', label: '响应时限', ...h }, { key: 'fr_share', label: '响应按时率', ...pct },
      { key: 'fr_median', label: '响应中位数', ...h }, { key: 'fr_p90', label: '响应90%', ...h }, { key: 'fr_late', label: '响应超时', ...n },
      { key: 'rs_target', label: '办结时限', ...h }, { key: 'rs_share', label: '办结按时率', ...pct },
      { key: 'rs_median', label: '办结中位数', ...h }, { key: 'rs_p90', label: '办结90%', ...h }, { key: 'rs_late', label: '办结超时', ...n }],
    option: barOption(levels.map(l => l.label), [
      { name: '首次响应按时率', data: levels.map(l => l.fr_share === null ? null : +(l.fr_share * 100).toFixed(1)) },
      { name: '办结按时率', data: levels.map(l => l.rs_share === null ? null : +(l.rs_share * 100).toFixed(1)) }],
    { fmt: v => `${v}%` }),
  });
  chartCard(box, {
    title: '追回金额与惠及职工', filename: `金额-${tag}`, rows: r.amounts,
    note: `合计 ${fmtYuan(r.totals.amount_recovered)}（${fmtCount(r.totals.amount_cases)} 件有记录），惠及职工 ${fmtCount(r.totals.workers_covered)} 人；超期上报 ${fmtCount(r.totals.escalated)} 件，转出 ${fmtCount(r.totals.transferred_out)} 件，转入 ${fmtCount(r.totals.transferred_in)} 件。`,
    columns: [{ key: 'label', label: '类型' }, { key: 'cases', label: '件数', ...n },
      { key: 'amount', label: '金额（元）', num: true, fmt: v => fmtYuan(v) }, { key: 'workers_covered', label: '惠及职工', ...n }],
    option: barOption(r.amounts.map(a => a.label), [{ name: '金额（万元）', data: r.amounts.map(a => +(Number(a.amount) / 1e4).toFixed(2)) }],
      { yName: '万元', fmt: v => `${v}` }),
  });
  const sat = r.satisfaction;
  chartCard(box, {
    title: '满意度', filename: `满意度-${tag}`, rows: sat.rated ? sat.distribution : [],
    note: `评价 ${fmtCount(sat.rated)} 件，平均 ${sat.average ?? '—'} 分（5分制）。`,
    columns: [{ key: 'rating', label: '评分', fmt: v => `${v}分` }, { key: 'n', label: '件数', ...n }],
    option: barOption(sat.distribution.map(d => `${d.rating}分`), [{ name: '件数', data: sat.distribution.map(d => d.n) }]),
  });
  chartCard(box, {
    title: '低分评价（1–2分）', filename: `低分评价-${tag}`, rows: low, open: false,
    note: low.length ? `最近 ${low.length} 条，请逐一回访。` : '本期没有低分评价。',
    columns: [{ key: 'number', label: '编号', html: true, fmt: (v, row) => `<a href="/console/request.html?id=${row.id}">${esc(v)}</a>`, csv: row => row.number },
      { key: 'type_label', label: '类型' }, { key: 'rating', label: '评分' }, { key: 'comment', label: '评价' },
      { key: 'federation_name', label: '受理单位' }, { key: 'rated_at', label: '评价时间', fmt: v => fmtTime(v) }],
  });
}

export function renderGaps(box, gap, tag) {
  box.innerHTML = '';
  chartCard(box, {
    title: '地区图：未覆盖的诉求和申请（按市、县）', filename: `未覆盖地区-${tag}`, height: 320,
    rows: gap.regions.flatMap(c => c.children.map(x => ({ city: c.name, county: x.name, code: x.code, value: x.value }))),
    columns: [{ key: 'city', label: '市' }, { key: 'county', label: '县（市、区）' }, { key: 'code', label: '代码' }, { key: 'value', label: '件数', ...n }],
    option: treemapOption(gap.regions),
    note: '面积表示件数；点击市可放大到县。地区取自随系统发布的 GB/T 2260 区划数据，不依赖在线地图。',
  });
  chartCard(box, {
    title: '未能分配到联合会（件）', filename: `未覆盖趋势-${tag}`,
    rows: gap.series.filter(s => s.requests || s.applications).length ? gap.series : [],
    columns: [{ key: 'bucket', label: '时间' }, { key: 'requests', label: '诉求', ...n }, { key: 'applications', label: '入会申请', ...n }],
    option: lineOption(gap.series.map(s => s.bucket), [
      { name: '诉求', data: gap.series.map(s => s.requests) }, { name: '入会申请', data: gap.series.map(s => s.applications) }]),
  });
  const top = gap.rows.slice(0, 12);
  chartCard(box, {
    title: '地区 × 行业：最需要新建联合会的地方', filename: `地区行业-${tag}`, rows: gap.rows, height: 320,
    columns: [{ key: 'region_name', label: '地区' }, { key: 'region', label: '代码' }, { key: 'industry_name', label: '行业门类' },
      { key: 'requests', label: '诉求', ...n }, { key: 'applications', label: '入会申请', ...n }, { key: 'total', label: '合计', ...n }],
    option: barOption(top.map(g => `${g.region_name}·${g.industry_name}`), [
      { name: '诉求', data: top.map(g => g.requests) }, { name: '入会申请', data: top.map(g => g.applications) }],
    { horizontal: true, stack: true }),
  });
}

export function renderChildren(box, items, tag, onDrill) {
  box.innerHTML = '';
  const card = chartCard(box, {
    title: '下级单位对比（点击单位名称下钻）', filename: `下级单位-${tag}`, rows: items, open: true,
    columns: [{ key: 'name', label: '单位', html: true, fmt: (v, row) => `<a href="#" data-drill="${row.id}">${esc(v)}</a>`, csv: row => row.name },
      { key: 'kind_label', label: '类型' }, { key: 'members_new', label: '新会员', ...n }, { key: 'requests_new', label: '新诉求', ...n },
      { key: 'resolved', label: '已办结', ...n }, { key: 'resolution_on_time_share', label: '办结按时率', num: true, fmt: v => fmtShare(v) },
      { key: 'amount_recovered', label: '金额', num: true, fmt: v => fmtYuan(v) }, { key: 'unrouted', label: '未能分配', ...n }],
    option: items.length ? barOption(items.slice(0, 20).map(c => c.name), [
      { name: '新会员', data: items.slice(0, 20).map(c => c.members_new) },
      { name: '新诉求', data: items.slice(0, 20).map(c => c.requests_new) }], { horizontal: true }) : null,
    height: Math.max(200, Math.min(20, items.length) * 34 + 60),
  });
  card.querySelectorAll('[data-drill]').forEach(a => a.addEventListener('click', e => {
    e.preventDefault();
    onDrill(Number(a.dataset.drill));
  }));
}

export function renderContests(box, c, tag) {
  box.innerHTML = '';
  const t = c.totals;
  chartCard(box, {
    title: '技能竞赛', filename: `竞赛-${tag}`, rows: c.contests,
    note: `发布 ${t.published} 场（取消 ${t.cancelled}），报名 ${fmtCount(t.signups)} 人次，名额填满率 ${fmtShare(t.fill_rate)}，候补 ${fmtCount(t.waitlisted)} 人、候补转正 ${fmtCount(t.promoted)} 人；已举办 ${t.held} 场，签到率 ${fmtShare(t.attendance)}。`,
    columns: [{ key: 'title', label: '竞赛' }, { key: 'capacity', label: '名额', ...n }, { key: 'confirmed', label: '确认', ...n },
      { key: 'waitlisted', label: '候补', ...n }, { key: 'promoted', label: '候补转正', ...n }, { key: 'signups', label: '报名', ...n },
      { key: 'checked_in', label: '签到', ...n }],
    option: barOption(c.contests.slice(0, 10).map(x => x.title), [
      { name: '名额', data: c.contests.slice(0, 10).map(x => x.capacity) }, { name: '确认', data: c.contests.slice(0, 10).map(x => x.confirmed) },
      { name: '候补', data: c.contests.slice(0, 10).map(x => x.waitlisted) }, { name: '签到', data: c.contests.slice(0, 10).map(x => x.checked_in) }]),
  });
}

export function renderCaseworkers(box, items, tag) {
  box.innerHTML = '';
  chartCard(box, {
    title: '本单位工作人员：在办与办结', filename: `办事员-${tag}`, rows: items, open: true,
    columns: [{ key: 'name', label: '姓名' }, { key: 'role_label', label: '角色' }, { key: 'open', label: '在办', ...n },
      { key: 'handled', label: '本期办结', ...n }, { key: 'on_time', label: '按时办结', ...n },
      { key: 'on_time_share', label: '按时率', num: true, fmt: v => fmtShare(v) }],
    option: barOption(items.map(s => s.name), [{ name: '在办', data: items.map(s => s.open) }, { name: '本期办结', data: items.map(s => s.handled) }]),
  });
}

export function renderPositions(box, p, tag) {
  box.innerHTML = '';
  const t = p.totals;
  const rows = p.regions.map(r => ({ ...r, label: r.region_name.replace(/^河北省/, '') }));
  const top = rows.slice().sort((a, b) => b.positions - a.positions).slice(0, 15);
  chartCard(box, {
    title: '服务阵地（按县、市、区）', filename: `服务阵地-${tag}`, rows, open: true,
    note: `当前登记 ${fmtCount(t.positions)} 处（不含已关闭），开放 ${fmtCount(t.open)} 处，此刻正在开放 ${fmtCount(t.open_now)} 处；开放的阵地平均每周开放 ${t.weekly_hours_avg} 小时。阵地按当前登记情况统计，不随统计周期变化（截至 ${fmtTime(p.as_of)}）。`,
    columns: [{ key: 'label', label: '地区' }, { key: 'region_code', label: '代码' }, { key: 'positions', label: '阵地', ...n },
      { key: 'open', label: '开放', ...n }, { key: 'open_now', label: '此刻开放', ...n },
      { key: 'weekly_hours_avg', label: '平均每周开放（小时）', num: true, fmt: v => String(v) }],
    option: barOption(top.map(r => r.label), [{ name: '阵地', data: top.map(r => r.positions) },
      { name: '开放', data: top.map(r => r.open) }, { name: '此刻开放', data: top.map(r => r.open_now) }], { horizontal: true }),
    height: Math.max(200, top.length * 34 + 60),
  });
}
