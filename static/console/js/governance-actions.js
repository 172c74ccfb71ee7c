// The forms of a federation's governance page: each action opens the shared dialog, posts to the
// governance API and re-renders the page from the answer (the checks recompute on the server).
import { api, esc, flash } from '/console/lib/api.js';
import { openForm } from '/console/js/governance-forms.js';

const pad = n => String(n).padStart(2, '0');
const now = new Date();
const TODAY = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
const base = ctx => `/api/governance/federations/${ctx.id}`;
const currentTerm = data => data.terms.find(t => !t.closed_on);
const unionOptions = data => [['', '（无）'], ...data.unions.map(u => [u.id, u.name])];
const ROLE = [['member', '委员'], ['vice_chair', '副主席'], ['chair', '主席']];
const SOURCE = [['base_union', '所覆盖基层工会主席'], ['representative', '有关方面代表'], ['government', '政府有关部门代表']];
const POST = [['', '无'], ['president', '行业协会（商会）会长'], ['vice_president', '行业协会（商会）副会长']];

async function send(ctx, path, body, { method = 'POST', message = '已保存' } = {}) {
  const answer = await api(`${base(ctx)}${path}`, { method, body });
  const overview = answer && answer.checks ? answer : await api(base(ctx));
  ctx.render(overview);
  flash(message);
  return answer;
}

// ctx.preset fills fields (e.g. a letter from a help request: ?letter_from=<request id>).
const form = (title, fields, path, opts = {}) => ctx => openForm(title,
  fields.map(f => ({ ...f, value: ctx.preset?.[f.name] ?? f.value })), values => send(ctx, path(ctx), values, opts));

function memberRow(data, m = {}) {
  const opt = (list, v) => list.map(([k, l]) => `<option value="${k}" ${String(k) === String(v ?? '') ? 'selected' : ''}>${esc(l)}</option>`).join('');
  return `<tr><td><input data-m="name" value="${esc(m.name || '')}" placeholder="姓名" aria-label="姓名"></td>
    <td><select data-m="role">${opt(ROLE, m.role || 'member')}</select></td>
    <td><select data-m="source">${opt(SOURCE, m.source || 'base_union')}</select></td>
    <td><select data-m="base_union_id">${opt(unionOptions(data), m.base_union_id)}</select></td>
    <td><input data-m="body" value="${esc(m.body || '')}" placeholder="所在单位或部门" aria-label="所在单位或部门"></td>
    <td><select data-m="association_post">${opt(POST, m.association_post)}</select></td>
    <td><label style="margin:0"><input type="checkbox" data-m="full_time" ${m.full_time ? 'checked' : ''}> 专职</label></td></tr>`;
}

function readMembers(root) {
  return [...root.querySelectorAll('table.members-edit tbody tr')].map(tr => {
    const get = key => tr.querySelector(`[data-m="${key}"]`);
    const member = { name: get('name').value.trim(), role: get('role').value, source: get('source').value,
      full_time: get('full_time').checked };
    if (get('base_union_id').value) member.base_union_id = Number(get('base_union_id').value);
    if (get('body').value.trim()) member.body = get('body').value.trim();
    if (get('association_post').value) member.association_post = get('association_post').value;
    if (member.source !== 'base_union') delete member.base_union_id;
    return member;
  }).filter(m => m.name);
}

function elect(ctx) {
  const fields = [
    { name: 'elected_on', label: '选举日期', type: 'date', value: TODAY, required: true },
    { name: 'years', label: '任期', type: 'select', options: [[5, '5年'], [3, '3年']], integer: true },
    { name: 'elected_by', label: '主席、副主席选举方式', type: 'select', options: [['congress', '会员（代表）大会选举'], ['committee', '全体委员选举']] },
    { name: 'minutes_file', label: '选举会议记录文件' },
  ];
  const rows = ctx.data.unions.map(u => ({ name: u.chair_name, base_union_id: u.id, source: 'base_union' }));
  const extra = `<div class="wide"><label>新一届委员会（来自基层工会的委员应为其主席；至少一名主席）</label>
    <table class="members-edit"><thead><tr><th>姓名</th><th>职务</th><th>来源</th><th>基层工会</th><th>单位或部门</th><th>协会职务</th><th></th></tr></thead>
    <tbody>${[{ role: 'chair', source: 'representative' }, ...rows].map(m => memberRow(ctx.data, m)).join('')}</tbody></table>
    <button type="button" data-add-member>添加一行</button><p class="field-error" data-for="members"></p></div>`;
  const dialog = openForm('登记委员会选举（换届）', fields, (values, root) => {
    return send(ctx, '/elections', { ...values, members: readMembers(root) }, { message: '已登记选举，新一届委员会开始任期' });
  }, { extra });
  dialog.querySelector('[data-add-member]').onclick = () =>
    dialog.querySelector('table.members-edit tbody').insertAdjacentHTML('beforeend', memberRow(ctx.data));
}

function addMember(ctx, preset = {}) {
  const flagged = (currentTerm(ctx.data)?.members || []).filter(m => m.needs_replacement_since && !m.left_on);
  const fields = [
    { name: 'chosen_how', label: '方式', type: 'select', options: [['replacement', '替补'], ['addition', '增补']], value: preset.chosen_how },
    { name: 'replaces_id', label: '被替补的委员', type: 'select', value: preset.replaces_id,
      options: [['', '（增补时不选）'], ...flagged.map(m => [m.id, `${m.name}（${m.base_union_name || ''}）`])] },
    { name: 'base_union_id', label: '所在基层工会', type: 'select', options: unionOptions(ctx.data), value: preset.base_union_id },
    { name: 'name', label: '姓名（该基层工会现任主席）', value: preset.name, required: true },
    { name: 'role', label: '职务', type: 'select', options: ROLE.slice(0, 1) },
    { name: 'chosen_on', label: '日期', type: 'date', value: TODAY },
    { name: 'procedure', label: '民主程序记录（会议、日期、表决结果）', type: 'textarea', required: true },
  ];
  openForm(preset.replaces_id ? '委员替补' : '替补 / 增补委员', fields, values => {
    values.source = 'base_union';
    for (const key of ['replaces_id', 'base_union_id']) values[key] = values[key] ? Number(values[key]) : null;
    return send(ctx, '/members', values, { message: '已登记' });
  });
}

function contractStep(ctx) {
  const cid = ctx.el.dataset.id;
  const steps = {
    negotiating: ['draft', '形成合同草案', [{ name: 'on', label: '草案形成日期', type: 'date', value: TODAY }]],
    drafted: ['vote', '职工（代表）大会表决', [{ name: 'on', label: '表决日期', type: 'date', value: TODAY },
      { name: 'votes_for', label: '赞成票', type: 'number' }, { name: 'votes_total', label: '应到代表总数', type: 'number' }]],
    voted: ['file', '报送劳动行政部门审查（15日内未提出异议即生效）', [{ name: 'on', label: '报送日期', type: 'date', value: TODAY },
      { name: 'term_years', label: '合同期限', type: 'select', options: [[3, '3年'], [2, '2年'], [1, '1年']], integer: true }]],
    filed: ['review', '登记审查结果', [{ name: 'on', label: '生效或退回日期', type: 'date', value: TODAY },
      { name: 'result', label: '结果', type: 'select', options: [['approved', '无异议，生效'], ['objection', '提出异议，重新协商']] }]],
    effective: ['cover', '覆盖企业和职工', [{ name: 'employers_covered', label: '覆盖企业（家）', type: 'number' },
      { name: 'workers_covered', label: '覆盖职工（人）', type: 'number' }]],
  };
  const step = steps[ctx.el.dataset.status];
  if (!step) { flash('该合同没有下一步', 'error'); return; }
  const [name, title, fields] = step;
  openForm(title, fields, values => send(ctx, `/contracts/${cid}/${name}`, values));
}

async function dossier(ctx) {
  const d = await api(`${base(ctx)}/employers/${ctx.el.dataset.id}`);
  const f = d.figures;
  const html = `<p class="level-${d.employer.level}">劳动关系：${esc(d.employer.level_label)}</p>
    <p>求助 ${f.requests} 件；欠薪 ${f.wage_arrears_requests} 件，涉及 ${f.wage_arrears_workers} 人、${esc(f.wage_arrears_amount)} 元；
    调解 ${f.mediations} 件（达成协议 ${f.mediation_agreements} 件）</p>
    <ul>${d.requests.map(r => `<li><a href="/console/request.html?id=${r.id}">${esc(r.number)}</a> ${esc(r.type_label)} · ${esc(r.status_label)}</li>`).join('')}</ul>
    <ul>${d.letters.map(x => `<li>${esc(x.number)} ${esc(x.kind_label)} · ${esc(x.status_label)}</li>`).join('')}</ul>
    <ul>${d.warnings.map(w => `<li class="level-${w.level}">${esc(w.level_label)}预警：${esc(w.reason)}（${esc(w.raised_on)}）</li>`).join('')}</ul>`;
  openForm(`用人单位档案：${d.employer.name}`, [], async () => {}, { extra: `<div class="wide">${html}</div>` });
}

export const ACTIONS = {
  step: form('登记筹备步骤', [
    { name: 'step', label: '步骤', type: 'select', options: [['consultation', '征求覆盖单位意见、酝酿协商'], ['party_consent', '同级党组织同意'],
      ['no_party_org', '未建立党组织（在上一级工会领导下进行）'], ['upper_approval', '上一级工会批准成立筹备组（上级工会办理）'], ['preparing_group', '筹备组成立']] },
    { name: 'occurred_on', label: '日期', type: 'date', value: TODAY, required: true },
    { name: 'people', label: '人员（筹备组成员）' }, { name: 'document', label: '文件（文号或文件名）' },
    { name: 'note', label: '说明', type: 'textarea' }], () => '/formation-steps'),
  union: form('登记基层工会', [
    { name: 'name', label: '名称', required: true },
    { name: 'kind', label: '类型', type: 'select', options: [['committee', '基层工会委员会'], ['joint_committee', '联合基层工会委员会'], ['federation', '基层工会联合会']] },
    { name: 'chair_name', label: '主席' }, { name: 'member_count', label: '会员人数', type: 'number', value: 0 },
    { name: 'women_count', label: '女会员人数', type: 'number', value: 0 }], () => '/base-unions'),
  unit: ctx => form('登记覆盖单位', [
    { name: 'name', label: '单位名称', required: true },
    { name: 'kind', label: '类型', type: 'select', options: [['unit', '基层单位'], ['scattered', '零散就业人员']] },
    { name: 'head_name', label: '行政主要负责人', hint: '不得作为联合会委员会委员人选' },
    { name: 'workers', label: '职工人数', type: 'number', value: 0 },
    { name: 'base_union_id', label: '已建立的基层工会', type: 'select', options: unionOptions(ctx.data), omitEmpty: true, integer: true },
    { name: 'covered_directly', label: '未单独建会，由联合会直接覆盖', type: 'checkbox' }],
  () => '/units')(ctx),
  chair: ctx => form('基层工会主席变更', [{ name: 'chair_name', label: '新任主席', required: true },
    { name: 'since', label: '任职日期', type: 'date', value: TODAY }], () => `/base-unions/${ctx.el.dataset.id}/chair`,
  { message: '已登记；原主席在委员会中的席位待替补' })(ctx),
  elect,
  approve: form('上一级工会批准提前或延期换届', [
    { name: 'kind', label: '类型', type: 'select', options: [['late', '延期换届'], ['early', '提前换届']] },
    { name: 'approved_on', label: '批准日期', type: 'date', value: TODAY }, { name: 'renew_by', label: '最迟换届日期（延期）', type: 'date' },
    { name: 'reason', label: '特殊情况说明', type: 'textarea', required: true }, { name: 'document', label: '批准文件' }],
  () => '/renewal-approvals'),
  'add-member': ctx => addMember(ctx),
  replace: ctx => {
    const m = currentTerm(ctx.data).members.find(x => x.id === Number(ctx.el.dataset.id));
    const union = ctx.data.unions.find(u => u.id === m.base_union_id);
    addMember(ctx, { chosen_how: 'replacement', replaces_id: m.id, base_union_id: m.base_union_id, name: union?.chair_name });
  },
  leave: ctx => form('委员离任', [{ name: 'left_on', label: '离任日期', type: 'date', value: TODAY },
    { name: 'reason', label: '原因', required: true }], () => `/members/${ctx.el.dataset.id}/leave`)(ctx),
  special: form('登记专门委员会', [
    { name: 'kind', label: '委员会', type: 'select', options: [['labour_law_supervision', '工会劳动法律监督委员会'], ['funds_review', '工会经费审查委员会'], ['women', '女职工委员会']] },
    { name: 'established_on', label: '成立日期', type: 'date', value: TODAY }, { name: 'chair_name', label: '主任（召集人）', required: true },
    { name: 'members', label: '成员（每行一人）', type: 'list' }, { name: 'document', label: '文件' }], () => '/committees'),
  meeting: form('登记会议或汇报', [
    { name: 'kind', label: '类型', type: 'select', options: [['congress', '职工（代表）大会、会员（代表）大会'], ['plenary', '委员会全体会议'], ['report', '向本级党组织、上级工会汇报工作']] },
    { name: 'held_on', label: '日期', type: 'date', value: TODAY }, { name: 'attendance', label: '出席人数', type: 'number' },
    { name: 'expected', label: '应出席人数', type: 'number' }, { name: 'to_party', label: '汇报对象：本级党组织', type: 'checkbox' },
    { name: 'to_upper', label: '汇报对象：上级工会', type: 'checkbox' }, { name: 'minutes_file', label: '会议记录文件' },
    { name: 'summary', label: '内容摘要（汇报必填）', type: 'textarea' }], () => '/meetings'),
  warn: form('人工预警（红色预警立即通知上一级工会）', [
    { name: 'employer_name', label: '用人单位', required: true },
    { name: 'level', label: '等级', type: 'select', options: [['red', '红色'], ['yellow', '黄色'], ['green', '绿色']] },
    { name: 'reason', label: '原因', type: 'textarea', required: true }], () => '/warnings'),
  'close-warning': ctx => form('登记预警处置', [{ name: 'closed_on', label: '处置完成日期', type: 'date', value: TODAY },
    { name: 'note', label: '处置情况', type: 'textarea', required: true }], () => `/warnings/${ctx.el.dataset.id}/close`)(ctx),
  letter: form('发出劳动法律监督文书', [
    { name: 'kind', label: '文书', type: 'select', options: [['reminder', '劳动法律监督提示函'], ['opinion', '劳动法律监督意见书']] },
    { name: 'source', label: '来源', type: 'select', options: [['inspection', '监督检查'], ['help_request', '职工求助']] },
    { name: 'help_request_id', label: '求助编号（内部 id，来源为职工求助时）', type: 'number', omitEmpty: true },
    { name: 'employer_name', label: '用人单位（来源为求助时自动取求助中的单位）' },
    { name: 'issued_on', label: '发出日期', type: 'date', value: TODAY }, { name: 'due_on', label: '答复期限', type: 'date' },
    { name: 'facts', label: '发现的问题', type: 'textarea', required: true }, { name: 'demands', label: '整改要求', type: 'textarea', required: true },
    { name: 'legal_basis', label: '法律依据', type: 'textarea' }], () => '/letters', { message: '文书已发出' }),
  respond: ctx => form('登记答复', [{ name: 'response_on', label: '答复日期', type: 'date', value: TODAY },
    { name: 'response', label: '答复内容', type: 'textarea', required: true }, { name: 'resolved', label: '已整改到位', type: 'checkbox' }],
  () => `/letters/${ctx.el.dataset.id}/response`)(ctx),
  escalate: ctx => form(ctx.el.dataset.kind === 'reminder' ? '升级为劳动法律监督意见书' : '升级为工会劳动法律监督建议书', [
    ...(ctx.el.dataset.kind === 'opinion' ? [{ name: 'addressee', label: '报送部门（如劳动保障监察机构）', required: true }] : []),
    { name: 'issued_on', label: '发出日期', type: 'date', value: TODAY }, { name: 'due_on', label: '答复期限', type: 'date' },
    { name: 'facts', label: '问题及前期处理情况', type: 'textarea', required: true }, { name: 'demands', label: '意见或建议', type: 'textarea', required: true },
    { name: 'legal_basis', label: '法律依据', type: 'textarea' }], () => `/letters/${ctx.el.dataset.id}/escalate`, { message: '已升级' })(ctx),
  contract: ctx => form('启动区域（行业）集体协商', [
    { name: 'title', label: '合同名称', required: true },
    { name: 'chief_representative', label: '职工方首席代表（联合会主席）', value: currentTerm(ctx.data)?.members.find(m => m.role === 'chair' && !m.left_on)?.name },
    { name: 'employer_side', label: '企业方（协会、商会或企业代表）', required: true },
    { name: 'negotiation_started_on', label: '协商开始日期', type: 'date', value: TODAY }], () => '/contracts')(ctx),
  'contract-step': contractStep,
  employer: form('登记用人单位', [{ name: 'name', label: '名称', required: true }, { name: 'credit_code', label: '统一社会信用代码' },
    { name: 'address', label: '地址' }, { name: 'workers', label: '职工人数', type: 'number' }], () => '/employers'),
  dossier,
};
