// One federation's governance page: its checks (each linked to its section) and every record
// behind them — formation, register, committee and terms, committees, meetings, warnings,
// letters, contracts, employers — with the forms that fix what the board flags.
import { api, esc } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';
import { ACTIONS } from '/console/js/governance-actions.js';

await mountLayout('governance');
const id = Number(new URLSearchParams(location.search).get('id'));
const SECTIONS = [
  ['checks', '检查结果'], ['formation', '组建程序'], ['register', '覆盖的基层工会'], ['terms', '委员会与任期'],
  ['committee', '委员变动'], ['committees', '专门委员会'], ['meetings', '会议与汇报'], ['warnings', '劳动关系预警'],
  ['letters', '一函两书'], ['contracts', '集体合同'], ['employers', '用人单位'],
];
const SECTION_OF = code => ({ formation: 'formation', term: 'terms', chair: 'terms', unit: 'terms', association: 'terms',
  member: 'committee', funds: 'committees', women: 'committees', supervision: 'committees', units: 'register',
  congress: 'meetings', plenary: 'meetings', report: 'meetings', red: 'warnings', letter: 'letters', contract: 'contracts',
})[code === 'units_uncovered' ? 'units' : code.split('_')[0]] || 'checks';
let data;

const table = (heads, rows, empty = '暂无记录') => `<table><thead><tr>${heads.map(h => `<th>${h}</th>`).join('')}</tr></thead>
  <tbody>${rows.length ? rows.join('') : `<tr><td colspan="${heads.length}" class="muted">${empty}</td></tr>`}</tbody></table>`;
const button = (act, label, attrs = '') => data.can_write || act === 'approve'
  ? `<button type="button" data-act="${act}" ${attrs}>${label}</button>` : '';
const checksFor = section => {
  const found = data.checks.filter(c => SECTION_OF(c.code) === section);
  if (!found.length) return '';
  const tone = found.some(c => c.severity === 'red') ? 'red' : '';
  return `<ul class="gov-section-checks ${tone}">${found.map(c => `<li>${esc(c.message)}
    <span class="muted">（${esc(c.evidence)}）</span></li>`).join('')}</ul>`;
};
// Where a check is fixed: a section of this page, or another page (a service position is registered there).
const fixAt = c => (c.link && !c.link.startsWith('/console/federation-governance.html') ? c.link : `#${SECTION_OF(c.code)}`);
const unionName = uid => data.unions.find(u => u.id === uid)?.name || '';

const RENDER = {
  checks: () => data.checks.length ? `<ul class="gov-checks">${data.checks.map(c => `<li class="gov-check ${c.severity}">
      <span class="tag ${c.severity === 'red' ? 'red' : 'orange'}">${c.severity === 'red' ? '需处理' : '提醒'}</span>
      ${esc(c.message)} <a href="${esc(fixAt(c))}">去处理</a><div class="evidence">${esc(c.evidence)}</div></li>`).join('')}</ul>`
    : '<p><span class="tag green">各项检查均符合要求</span></p>',
  formation: () => table(['步骤', '日期', '人员', '文件', '说明'], data.steps.map(s => `<tr><td>${esc(s.step_label)}</td>
      <td>${esc(s.occurred_on)}</td><td>${esc(s.people)}</td><td>${esc(s.document)}</td><td>${esc(s.note)}</td></tr>`),
    data.status === 'preparing' ? '尚未登记筹备步骤' : '运行前的筹备记录未录入（不影响运行中的检查）'),
  register: () => `<div class="figures">
      <div><strong>${data.figures.coverage_rate === null ? '—' : Math.round(data.figures.coverage_rate * 100) + '%'}</strong>建会率</div>
      <div><strong>${data.figures.units}</strong>覆盖单位</div><div><strong>${data.figures.units_with_union}</strong>已建会</div>
      <div><strong>${data.figures.units_covered_directly}</strong>联合会直接覆盖</div>
      <div><strong>${data.figures.scattered_workers}</strong>零散就业人员</div>
      <div><strong>${data.figures.members}</strong>会员（女 ${data.figures.women}）</div></div>
    ${table(['基层工会', '类型', '主席', '会员', ''], data.unions.map(u => `<tr><td>${esc(u.name)}</td><td>${esc(u.kind_label)}</td>
      <td>${esc(u.chair_name)}${u.chair_since ? `<div class="muted">${esc(u.chair_since)}起</div>` : ''}</td>
      <td>${u.member_count}（女 ${u.women_count}）</td><td>${button('chair', '主席变更', `data-id="${u.id}"`)}</td></tr>`))}
    <h3>覆盖单位</h3>${table(['单位', '行政主要负责人', '职工', '基层工会'], data.units.map(u => `<tr><td>${esc(u.name)}
      ${u.kind === 'scattered' ? '<span class="tag">零散就业人员</span>' : ''}</td><td>${esc(u.head_name)}</td><td>${u.workers}</td>
      <td>${u.base_union_id ? esc(unionName(u.base_union_id)) : u.covered_directly ? '<span class="tag">联合会直接覆盖</span>'
        : '<span class="tag red">未建会、未覆盖</span>'}</td></tr>`))}`,
  terms: () => {
    const current = data.terms.find(t => !t.closed_on);
    const members = current ? current.members.filter(m => !m.left_on) : [];
    return `${current ? `<p>第${current.number}届委员会：${esc(current.elected_on)} 选举产生，任期${current.years}年，
        <strong>${esc(current.ends_on)}</strong> 届满（${{ first: '首届', on_time: '按期换届', early: '提前换届（已批准）',
        late: '延期换届（已批准）' }[current.renewal]}）</p>` : '<p class="muted">尚未登记委员会选举</p>'}
      ${table(['姓名', '职务', '来源', '产生方式', '专兼职', ''], members.map(m => `<tr class="${m.needs_replacement_since ? 'flagged' : ''}">
        <td>${esc(m.name)}${m.association_post ? ' <span class="tag orange">行业协会（商会）' + (m.association_post === 'president' ? '会长' : '副会长') + '</span>' : ''}</td>
        <td>${esc(m.role_label)}</td><td>${esc(m.base_union_name || m.body || m.source_label)}</td>
        <td>${esc(m.chosen_how_label)}<div class="muted">${esc(m.chosen_on)}</div></td><td>${m.full_time ? '专职' : '兼职'}</td>
        <td>${m.needs_replacement_since ? button('replace', '替补', `data-id="${m.id}"`) : ''}${button('leave', '离任', `data-id="${m.id}"`)}</td></tr>`))}
      ${data.approvals.length ? `<h3>上一级工会批准</h3>${table(['类型', '批准日期', '最迟换届', '理由', '文件'], data.approvals.map(a =>
        `<tr><td>${a.kind === 'early' ? '提前换届' : '延期换届'}</td><td>${esc(a.approved_on)}</td><td>${esc(a.renew_by || '')}</td>
        <td>${esc(a.reason)}</td><td>${esc(a.document)}</td></tr>`))}` : ''}
      ${data.terms.filter(t => t.closed_on).map(t => `<p class="muted">第${t.number}届：${esc(t.elected_on)} 至 ${esc(t.closed_on)}</p>`).join('')}`;
  },
  committee: () => {
    const current = data.terms.find(t => !t.closed_on);
    const left = current ? current.members.filter(m => m.left_on) : [];
    return `<p class="muted">委员不再担任原工会主要负责人的，由其原单位工会新当选的主要负责人经民主程序替补；新覆盖基层工会的主要负责人经民主程序可增补为委员。</p>
      ${table(['姓名', '离任日期', '原因'], left.map(m => `<tr class="left"><td>${esc(m.name)}</td><td>${esc(m.left_on)}</td>
        <td>${esc(m.left_reason)}</td></tr>`), '本届暂无委员变动')}`;
  },
  committees: () => table(['委员会', '成立日期', '主任（召集人）', '成员', '文件'], data.specials.map(s => `<tr><td>${esc(s.kind_label)}</td>
      <td>${esc(s.established_on)}</td><td>${esc(s.chair_name)}</td><td>${esc(s.members.join('、'))}</td><td>${esc(s.document)}</td></tr>`)),
  meetings: () => table(['类型', '日期', '出席', '汇报对象', '记录'], data.meetings.map(m => `<tr><td>${esc(m.kind_label)}</td>
      <td>${esc(m.held_on)}</td><td>${m.attendance ?? ''}${m.expected ? ' / ' + m.expected : ''}</td>
      <td>${[m.to_party && '本级党组织', m.to_upper && '上级工会'].filter(Boolean).join('、')}</td>
      <td>${esc(m.minutes_file || m.summary || '')}</td></tr>`)),
  warnings: () => table(['用人单位', '等级', '原因', '预警日期', '响应期限', ''], data.warnings.map(w => `<tr class="${w.closed_on ? 'left' : ''}">
      <td>${esc(w.employer_name)}</td><td class="level-${w.level}">${esc(w.level_label)}</td><td>${esc(w.reason)}
      ${w.rule ? '' : '<span class="tag">人工预警</span>'}</td><td>${esc(w.raised_on)}</td><td>${esc(w.response_due || '')}</td>
      <td>${w.closed_on ? `已处置：${esc(w.closing_note)}` : button('close-warning', '登记处置', `data-id="${w.id}"`)}</td></tr>`)),
  letters: () => table(['文号', '类型', '对象', '发出', '答复期限', '状态', ''], data.letters.map(x => `<tr>
      <td><a href="/console/governance-letter.html?federation=${id}&id=${x.id}" target="_blank">${esc(x.number)}</a></td>
      <td>${esc(x.kind_label)}</td><td>${esc(x.addressee)}</td><td>${esc(x.issued_on)}</td><td>${esc(x.due_on)}</td>
      <td>${esc(x.status_label)}${x.response ? `<div class="muted">${esc(x.response)}</div>` : ''}</td>
      <td>${x.status === 'issued' ? button('respond', '登记答复', `data-id="${x.id}"`) : ''}
        ${['issued', 'answered'].includes(x.status) && x.kind !== 'recommendation' ? button('escalate', '升级', `data-id="${x.id}" data-kind="${x.kind}"`) : ''}</td></tr>`)),
  contracts: () => table(['合同', '首席代表', '状态', '进度', '覆盖', ''], data.contracts.map(c => `<tr><td>${esc(c.title)}
      <div class="muted">${esc(c.employer_side)}</div></td><td>${esc(c.chief_representative)}</td><td>${esc(c.status_label)}</td>
      <td class="muted">${[['协商', c.negotiation_started_on], ['草案', c.draft_on], ['表决', c.vote_on && `${c.vote_on}（${c.votes_for}/${c.votes_total}）`],
        ['报送', c.filed_on && `${c.filed_on}，审查期至${c.review_due}`], ['有效期', c.effective_from && `${c.effective_from} 至 ${c.effective_until}`]]
        .filter(([, v]) => v).map(([k, v]) => `${k}：${esc(v)}`).join('<br>')}</td>
      <td>${c.employers_covered}家 / ${c.workers_covered}人</td><td>${button('contract-step', '下一步', `data-id="${c.id}" data-status="${c.status}"`)}</td></tr>`)),
  employers: () => table(['用人单位', '劳动关系', '职工', ''], data.employers.map(e => `<tr><td>${esc(e.name)}</td>
      <td class="level-${e.level}">${esc(e.level_label)}</td><td>${e.workers ?? ''}</td>
      <td><button type="button" class="link" data-act="dossier" data-id="${e.id}">档案</button></td></tr>`)),
};

const ADD = {
  formation: ['step', '登记筹备步骤'], register: ['union', '登记基层工会'], terms: ['elect', '登记委员会选举'],
  committee: ['add-member', '替补 / 增补委员'], committees: ['special', '登记专门委员会'], meetings: ['meeting', '登记会议或汇报'],
  warnings: ['warn', '人工预警'], letters: ['letter', '发出提示函或意见书'], contracts: ['contract', '启动集体协商'],
  employers: ['employer', '登记用人单位'],
};

export function render(overview) {
  data = overview;
  document.getElementById('name').textContent = `${data.name} · 治理`;
  document.getElementById('status').innerHTML = `<span class="tag ${data.status === 'active' ? 'green' : 'orange'}">${esc(data.status_label)}</span>
    ${data.red ? `<span class="tag red">${data.red} 项需处理</span>` : ''}${data.yellow ? ` <span class="tag orange">${data.yellow} 项提醒</span>` : ''}`;
  document.getElementById('toc').innerHTML = SECTIONS.map(([key, label]) => {
    const n = key === 'checks' ? data.checks.length : data.checks.filter(c => SECTION_OF(c.code) === key).length;
    return `<a href="#${key}">${label}<span class="badge ${n ? 'badge-red' : ''}">${n || ''}</span></a>`;
  }).join('');
  document.getElementById('sections').innerHTML = SECTIONS.map(([key, label]) => `<section class="card" id="${key}">
    <h2>${label}<span class="spacer"></span>${key === 'register' ? button('unit', '登记覆盖单位') : ''}
      ${key === 'terms' && data.can_approve ? button('approve', '批准提前/延期换届') : ''}
      ${ADD[key] ? button(...ADD[key]) : ''}</h2>
    ${key === 'checks' ? '' : checksFor(key)}${RENDER[key]()}</section>`).join('');
  if (location.hash) document.querySelector(location.hash)?.scrollIntoView();
}

document.getElementById('sections').addEventListener('click', event => {
  const el = event.target.closest('[data-act]');
  if (el && ACTIONS[el.dataset.act]) ACTIONS[el.dataset.act]({ id, data, el, render });
});

try {
  render(await api(`/api/governance/federations/${id}`));
} catch (err) {
  document.getElementById('sections').innerHTML = `<div class="card empty">${esc(err.status === 404
    ? '找不到该工会联合会，或您无权查看（上级工会本身不适用联合会治理检查）' : err.message)}</div>`;
}
const fromRequest = Number(new URLSearchParams(location.search).get('letter_from'));
if (data && fromRequest && data.can_write) {
  ACTIONS.letter({ id, data, render, preset: { source: 'help_request', help_request_id: fromRequest } });
}
