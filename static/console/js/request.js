// 诉求详情: facts, worker (ID masked, membership), attachments, deadlines, routing, the full
// timeline, and every casework action.
import { api, esc, flash, fmtTime } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';
import { renderMeeting } from './request-meeting.js';

await mountLayout('inbox');
const id = Number(new URLSearchParams(location.search).get('id'));
const $ = sel => document.querySelector(sel);
const ACTION_LABELS = {
  claim: '认领', assign: '分派', resolve: '办结', transfer: '转办', escalate: '上报上级工会',
  resume: '结束等待，继续办理', reopen: '重新办理', close: '结案',
};
const WITHDRAWN = ['withdrawn', '职工撤回'];
const OUTCOMES = {
  mediation: [['agreement', '达成调解协议'], ['no_agreement', '未达成协议（建议申请仲裁）'], ['referred', '移送其他机构'], WITHDRAWN],
  legal_aid: [['granted', '给予法律援助'], ['refused', '不予法律援助'], ['referred', '移送其他机构'], WITHDRAWN],
  wage_arrears: [['resolved', '已解决（追回欠薪）'], ['partial', '部分解决'], ['no_agreement', '未达成一致（建议申请仲裁）'],
    ['referred', '移送其他机构'], WITHDRAWN],
  work_injury: [['resolved', '已解决'], ['partial', '部分解决'], ['referred', '移送其他机构'], WITHDRAWN],
  other: [['resolved', '已解决'], ['referred', '移送其他机构'], WITHDRAWN],
};
const WHO = e => e.by_worker ? (e.kind === 'worker_message' ? '职工（微信对话）' : '职工') : esc(e.actor) || '系统';
const DELIVERY_CLASS = { delivered: 'green', waiting: '', failed: 'red' };
const AID_FORMS = { representation: '代理仲裁或诉讼', mediation: '代理调解', documents: '代写法律文书', advice: '法律咨询', duty_lawyer: '值班律师法律帮助' };
let current = null;

const dl = rows => rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
  .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('');

function render(r) {
  current = r;
  lastSeen = signature(r);
  document.title = `${r.number} · 诉求详情`;
  $('#title').textContent = `${r.number} · ${r.type_label}`;
  $('#tags').innerHTML = [
    `<span class="tag ${['resolved', 'closed', 'withdrawn'].includes(r.status) ? '' : 'green'}">${esc(r.status_label)}</span>`,
    r.overdue ? `<span class="tag red">超期（${r.overdue_kind === 'first_response' ? '首次答复' : '办结'}）</span>` : '',
    r.group_label ? `<span class="tag red" id="group-label">${esc(r.group_label)}（${r.group.length + 1}人）</span>` : '',
    r.same_employer.length ? `<a class="tag orange" id="same-employer-tag" href="#group-card">同一用人单位另有 ${r.same_employer.length} 件在办</a>` : '',
    r.merged_into ? `<a class="tag" id="merged-into" href="/console/request.html?id=${r.merged_into_id}">已并入 ${esc(r.merged_into)}</a>` : '',
    r.read_only ? `<span class="tag orange" id="moved-out">已转出：现由${esc(r.moved_to)}办理（只读）</span>` : '',
    r.incoming && !r.read_only ? '<span class="tag orange">转入待认领</span>' : '',
    r.escalated ? '<span class="tag orange">已上报</span>' : '',
    r.limitation_warning ? `<span class="tag red">仲裁时效 ${esc(r.limitation_date)} 届满</span>` : '',
  ].join(' ');
  $('#facts').innerHTML = dl([
    ['受理单位', esc(r.federation_name)], ['承办人', esc(r.assignee_name) || '<span class="muted">未分派</span>'],
    ['提交时间', fmtTime(r.created_at)],
    ['用人单位', `${esc(r.employer_name)} <a href="/console/federation-governance.html?id=${r.federation_id}&letter_from=${r.id}#letters">发出劳动法律监督文书</a>`],
    ['工作地', `${esc(r.region_name)} <span class="muted">${esc(r.region_code)}</span>`],
    ['行业', `${esc(r.industry_name)} <span class="muted">${esc(r.industry_code)}</span>`],
    ['事情经过', esc(r.facts)], ['职工诉求', esc(r.wants)], ['涉及金额', r.amount ? `${esc(r.amount)} 元` : ''],
    ['知道受侵害日期', esc(r.learned_on)],
    ...r.details.map(d => [d.label, esc(d.value)]),
    ['个人信息同意', r.consent_at ? `${fmtTime(r.consent_at)}（${esc(r.consent_version)}版）` : ''],
    ['职工评价', r.rating ? `${'★'.repeat(r.rating)} ${esc(r.rating_comment)}` : ''],
  ]);
  $('#outcome-card').hidden = !r.outcome_text;
  $('#outcome').innerHTML = r.outcome_text ? `<strong>${esc(r.outcome_label)}</strong><p style="white-space:pre-wrap">${esc(r.outcome_text)}</p>` : '';
  renderAttachments(r);
  const m = r.worker.membership;
  const undelivered = r.timeline.some(e => e.delivery?.state === 'failed');
  $('#worker-alert').innerHTML = undelivered ? `<p class="alert" id="undelivered">有消息未送达职工，请电话联系：<strong>${esc(r.worker.phone) || '职工未留电话'}</strong></p>` : '';
  $('#worker').innerHTML = dl([
    ['姓名', esc(r.worker.name)], ['手机号', esc(r.worker.phone)], ['身份证号', esc(r.worker.id_masked) || '<span class="muted">未登记</span>'],
    ['会籍', m ? `${esc(m.status_label)} · ${esc(m.federation_name)}（${esc(m.member_no)}）` : '<span class="muted">非会员</span>'],
    ['其他诉求', r.worker.other_requests ? `${r.worker.other_requests} 件` : '无'],
  ]);
  const d = r.deadlines;
  $('#deadlines').innerHTML = dl([
    ['首次答复', `${fmtTime(d.first_response_due)}${d.first_responded_at ? `（已于 ${fmtTime(d.first_responded_at)} 答复）` : ''}`],
    ['办结期限', `${fmtTime(d.resolution_due)}　${esc(d.resolution_label)}`],
    ['受理时间', fmtTime(d.accepted_at)], ['依据', `<span class="muted">${esc(d.basis)}</span>`],
    ['仲裁时效', r.limitation_date ? `${esc(r.limitation_date)} 届满` : ''],
  ]);
  $('#routing').innerHTML = `${esc(r.routing.sentence || '')}<br><span class="muted">${esc(r.routing.explanation || '')}</span>`;
  $('#transfers').innerHTML = r.transfers.length ? '<h2 style="margin-top:12px">转办记录</h2>' + r.transfers.map(t =>
    `<p>${fmtTime(t.created_at)} ${t.kind === 'escalate' ? '上报' : '转办'}：${esc(t.from)} → ${esc(t.to)}<br><span class="muted">原因：${esc(t.reason)}</span></p>`).join('') : '';
  renderTimeline(r.timeline);
  renderGroup(r);
  const shown = r.actions.filter(a => ACTION_LABELS[a]);
  const primary = shown.includes('claim') ? 'claim' : 'resolve';  // one primary action at a time
  $('#actions').innerHTML = shown
    .map(a => `<button type="button" data-act="${a}" class="${a === primary ? 'primary' : ''}">${ACTION_LABELS[a]}</button>`).join('')
    || `<span class="muted">${r.read_only ? '该诉求已转出，您只能查看' : '该诉求已结束'}</span>`;
  document.querySelectorAll('[data-act=reply], [data-act=ask-info]').forEach(b => {
    b.disabled = !r.actions.includes(b.dataset.act === 'reply' ? 'reply' : 'ask_info');
  });
  const detail = Object.fromEntries(r.details.map(d => [d.key, d.value]));
  $('#print-head').innerHTML = `<h1>${esc(r.type_label)}案卷　${esc(r.number)}</h1>
    <p>申请人（职工）：${esc(r.worker.name)}　电话：${esc(r.worker.phone)}</p>
    <p>被申请人（用人单位）：${esc(r.employer_name)}${detail.employer_address ? `　地址：${esc(detail.employer_address)}` : ''}${
      detail.legal_representative ? `　法定代表人：${esc(detail.legal_representative)}` : ''}</p>
    <p>受理单位：${esc(r.federation_name)}　承办人：${esc(r.assignee_name || '')}　打印时间：${fmtTime(new Date().toISOString())}</p>`;
  $('#reply-card').hidden = Boolean(r.read_only);  // moved out: nothing to write here any more
  renderMeeting($('#meeting-card'), r, load);
  $('#detail').hidden = false;
}
$('#print').addEventListener('click', () => window.print());

// --- the same employer: the group of this case, the employer's other open cases, merging ----------
const workersOf = r => new Set([r.worker.name, ...r.group.map(m => m.worker_name)].filter(Boolean)).size;
const groupWord = r => (r.type === 'wage_arrears' ? '群体性欠薪' : `群体性${r.type_label}`);

function renderGroup(r) {
  const canMerge = r.actions.includes('merge');
  $('#group-card').hidden = !(r.group.length || r.same_employer.length);
  $('#group').innerHTML = r.group.length ? `<p><strong>并入本件的诉求</strong>（共 ${workersOf(r)} 名职工；本件的回复和办理结果会同时发给他们）</p>
    <ul class="plain-list" id="group-members">${r.group.map(m => `<li><a href="/console/request.html?id=${m.id}">${esc(m.number)}</a>
      ${esc(m.worker_name)} <span class="muted">${esc(m.phone)}</span></li>`).join('')}</ul>` : '';
  $('#same-employer').innerHTML = r.same_employer.length ? `<p><strong>该单位的其他在办诉求</strong></p>
    <ul class="plain-list" id="others">${r.same_employer.map(o => `<li data-other="${o.id}">
      <a href="/console/request.html?id=${o.id}">${esc(o.number)}</a> ${esc(o.type_label)} · ${esc(o.worker_name)} · ${esc(o.status_label)}
      ${o.same_worker ? '<span class="tag orange">同一职工，可能重复</span>' : ''}
      ${canMerge ? `<div class="row no-print"><button type="button" class="link" data-merge-into="${o.id}">将本件并入 ${esc(o.number)}</button>
        <button type="button" class="link" data-merge-here="${o.id}">并入本件</button></div>` : ''}</li>`).join('')}</ul>
    ${canMerge && r.same_employer.some(o => !o.same_worker) ? `<button type="button" id="gather" class="no-print">合并为${groupWord(r)}案件…</button>` : ''}`
    : '';
}

// Several requests into this one, as the API merges them: each other request "into" this one.
async function mergeHere(others) {
  const box = document.querySelector('.modal .error');
  box.textContent = '';
  let merged = 0;
  for (const other of others) {
    try {
      await api(`/api/inbox/requests/${other.id}/merge`, { method: 'POST', body: { into_id: id } });
      merged += 1;
    } catch (err) {
      box.textContent = `${other.number}：${Object.values(err.fields || {}).join('；') || err.message}` +
        (merged ? `（已并入 ${merged} 件）` : '');
      if (merged) await load();
      return;
    }
  }
  closeModal();
  flash(merged > 1 || workersOf(current) > 1 ? `已并入 ${merged} 件，作为${groupWord(current)}一并办理` : '已合并办理');
  await load();
}

function openGather(preselected = null) {
  const others = current.same_employer;
  const rows = others.map(o => `<label class="check-row"><input type="checkbox" name="gather" value="${o.id}"
      ${(preselected ? o.id === preselected : !o.same_worker) ? 'checked' : ''}>
    ${esc(o.number)} ${esc(o.type_label)} · ${esc(o.worker_name)}${o.same_worker ? ' <span class="tag orange">同一职工</span>' : ''}</label>`).join('');
  modal(preselected ? '并入本件' : `合并为${groupWord(current)}案件`, `
    <p>勾选的诉求将并入本件 <strong>${esc(current.number)}</strong>（${esc(current.worker.name)}），由本件的承办人统一办理：</p>
    <div id="gather-list">${rows}</div>
    <p class="muted">被并入的诉求结束办理，其职工会收到合并通知；之后本件的每条公开回复和办理结果会同时发给所有职工。</p>`,
  () => {
    const chosen = [...document.querySelectorAll('.modal [name=gather]:checked')].map(el => Number(el.value));
    if (!chosen.length) { document.querySelector('.modal .error').textContent = '请至少勾选一件诉求'; return; }
    mergeHere(others.filter(o => chosen.includes(o.id)));
  }, '并入本件');
}

$('#group-card').addEventListener('click', e => {
  const into = Number(e.target.dataset.mergeInto || 0);
  const here = Number(e.target.dataset.mergeHere || 0);
  if (e.target.id === 'gather') openGather();
  else if (here) openGather(here);
  else if (into) {
    const other = current.same_employer.find(o => o.id === into);
    modal('合并办理', `<p>将本件 <strong>${esc(current.number)}</strong>（${esc(current.worker.name)}）并入
        <strong>${esc(other.number)}</strong>（${esc(other.worker_name)}）？</p>
      <p class="muted">本件将结束办理，职工会收到合并通知；之后 ${esc(other.number)} 的每条公开回复和办理结果都会同时发给本件的职工。</p>`,
    () => act('merge', { into_id: into }, '已合并办理'), '合并');
  }
});

function renderAttachments(r) {
  $('#attachments').innerHTML = r.attachments.length ? r.attachments.map(a => a.status === 'stored'
    ? `<a href="/api/inbox/requests/${r.id}/attachments/${a.id}" target="_blank" rel="noopener" title="${esc(a.filename)}"><img alt="${esc(a.filename)}" src="/api/inbox/requests/${r.id}/attachments/${a.id}"></a>`
    : `<span class="tag">${a.status === 'pending' ? '正在从微信获取…' : '获取失败'}</span>`).join('') : '<span class="muted">暂无</span>';
}

function renderTimeline(lines) {
  $('#timeline').innerHTML = lines.slice().reverse().map(e => `
    <li class="${e.public ? 'public' : 'internal'} ${e.by_worker ? 'from-worker' : ''}" data-kind="${esc(e.kind)}"><div class="meta">${fmtTime(e.created_at)} · ${WHO(e)} ·
      ${e.public ? '公开' : '<strong>内部</strong>'}${e.delivery ? ` · <span class="tag delivery ${DELIVERY_CLASS[e.delivery.state]}" data-state="${esc(e.delivery.state)}">${esc(e.delivery.label)}</span>` : ''}</div>
      <div class="body">${esc(e.body)}</div></li>`).join('');
}

// The open page follows the conversation: new lines, photos and delivery states every few seconds.
let lastSeen = '';
const signature = r => JSON.stringify([r.status, r.timeline.map(e => [e.id, e.delivery?.label]),
  r.attachments.map(a => [a.id, a.status])]);
async function poll() {
  if (!current) return;
  try {
    const u = await api(`/api/inbox/requests/${id}/updates`);
    if (signature(u) === lastSeen) return;
    if (u.status !== current.status) { await load(); return; }
    Object.assign(current, { timeline: u.timeline, attachments: u.attachments });
    render(current);
  } catch { /* the next poll tries again */ }
}
setInterval(poll, 4000);

async function load() {
  try { render(await api(`/api/inbox/requests/${id}`)); } catch (err) {
    document.querySelector('main').innerHTML = `<div class="card empty">${esc(err.status === 404 ? '找不到该诉求，或您无权查看' : err.message)}</div>`;
  }
}

async function act(path, body, done = '已完成', box = null) {
  const errorBox = box || document.querySelector('.modal .error') || $('#actions-error');
  errorBox.textContent = '';
  try {
    const state = await api(`/api/inbox/requests/${id}/${path}`, { method: 'POST', body });
    flash(done);
    closeModal();
    if (state.federation_id !== current.federation_id && ['transfer', 'escalate'].includes(path)) {
      try { render(await api(`/api/inbox/requests/${id}`)); } catch { location.href = '/console/inbox.html'; }
    } else await load();
    return true;
  } catch (err) {
    const fields = Object.values(err.fields || {}).join('；');
    errorBox.textContent = fields || err.message;  // beside the action that failed
    return false;
  }
}

// --- reply / note / ask for information -------------------------------------------------------
document.querySelectorAll('[data-act=reply], [data-act=ask-info], [data-act=note]').forEach(button => {
  button.addEventListener('click', async () => {
    $('#message-error').textContent = '';
    const body = $('#message').value.trim();
    if (!body) { $('#message-error').textContent = '请填写内容'; return; }
    const labels = { reply: '回复已发送', 'ask-info': '已请职工补充材料', note: '备注已保存' };
    if (await act(button.dataset.act, { body }, labels[button.dataset.act], $('#message-error'))) $('#message').value = '';
  });
});
const canned = await api('/api/canned-replies');
$('#canned').innerHTML += canned.map(c => `<option value="${c.id}">${esc(c.title)}</option>`).join('');
$('#canned').addEventListener('change', e => {
  const chosen = canned.find(c => String(c.id) === e.target.value);
  if (chosen) $('#message').value = ($('#message').value ? $('#message').value + '\n' : '') + chosen.body;
  e.target.value = '';
});

// --- the other actions, most through a small dialog ------------------------------------------------
function modal(title, inner, onOk, okLabel = '确定') {
  $('#modal-root').innerHTML = `<div class="modal-mask"><div class="modal" role="dialog" aria-label="${esc(title)}"><h3>${esc(title)}</h3>
    <div class="stack">${inner}</div><p class="error"></p><div class="foot"><button type="button" id="m-cancel">取消</button>
    <button type="button" class="primary" id="m-ok">${okLabel}</button></div></div></div>`;
  $('#m-cancel').addEventListener('click', closeModal);
  $('#m-ok').addEventListener('click', onOk);
}
function closeModal() { $('#modal-root').innerHTML = ''; }
const field = name => document.querySelector(`.modal [name=${name}]`)?.value.trim() || null;

async function openResolve() {
  const choices = OUTCOMES[current.type] || OUTCOMES.other;
  modal('办结：选择办理结果', `
    <label>办理结果</label><select name="result" style="width:100%">${choices.map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select>
    <div data-when="agreement"><label>协议金额（元）</label><input name="amount" type="number" min="0" step="0.01" style="width:100%">
      <label>履行期限</label><input name="pay_by" type="date" style="width:100%"></div>
    <div data-when="granted"><label>援助形式</label><select name="aid_form" style="width:100%">${Object.entries(AID_FORMS).map(([v, l]) => `<option value="${v}">${l}</option>`).join('')}</select></div>
    <div data-when="refused"><label>不予援助的理由</label><textarea name="reason"></textarea></div>
    <div data-when="resolved partial" data-type="wage_arrears"><label>追回金额（元）</label><input name="amount_recovered" type="number" min="0" step="0.01" style="width:100%">
      <label>涉及职工人数</label><input name="workers_covered" type="number" min="1" step="1" value="${1 + new Set(current.group.map(m => m.worker_name)).size}" style="width:100%"></div>
    <div data-when="referred"><label>移送机构</label><input name="referred_to" style="width:100%" placeholder="如：长安区劳动人事争议仲裁委员会"></div>
    <div><label>说明（发送给职工）</label><textarea name="summary"></textarea></div>`, () => {
    const result = field('result');
    const body = { result, summary: field('summary') };
    if (result === 'agreement') Object.assign(body, { amount: field('amount'), pay_by: field('pay_by') });
    if (result === 'granted') body.aid_form = field('aid_form');
    if (result === 'refused') body.reason = field('reason');
    if (result === 'referred') body.referred_to = field('referred_to');
    if (current.type === 'wage_arrears' && ['resolved', 'partial'].includes(result)) {
      Object.assign(body, { amount_recovered: field('amount_recovered'), workers_covered: field('workers_covered') });
    }
    act('resolve', body, '已办结，结果已通知职工');
  }, '办结');
  const sync = () => document.querySelectorAll('.modal [data-when]').forEach(el => {
    el.hidden = !el.dataset.when.split(' ').includes(field('result')) || (el.dataset.type && el.dataset.type !== current.type);
  });
  document.querySelector('.modal [name=result]').addEventListener('change', sync);
  sync();
}

async function openAssign() {
  const people = await api('/api/inbox/assignees');
  modal('分派给', `<select name="assignee" style="width:100%">${people.map(s =>
    `<option value="${s.id}">${esc(s.display_name)}（${esc(s.federation_name)}）</option>`).join('')}</select>`,
  () => act('assign', { assignee_id: Number(field('assignee')) }, '已分派'));
}

function openTransfer() {
  modal('转办到其他工会联合会', `<label>搜索接收单位</label><input name="target-q" style="width:100%" placeholder="输入名称关键词">
    <select name="target" size="6" style="width:100%"></select>
    <label>转办原因（职工可见）</label><textarea name="reason"></textarea>
    <p class="muted">转办不重新计时，期限仍按最初受理时间计算。</p>`,
  () => act('transfer', { to_federation_id: Number(field('target')), reason: field('reason') || '' }, '已转办'), '转办');
  const search = async () => {
    const list = await api('/api/inbox/transfer-targets?q=' + encodeURIComponent(field('target-q') || ''));
    document.querySelector('.modal [name=target]').innerHTML = list.filter(f => f.id !== current.federation_id)
      .map(f => `<option value="${f.id}">${esc(f.name)}</option>`).join('');
  };
  document.querySelector('.modal [name=target-q]').addEventListener('input', search);
  search();
}

const reasonDialog = (title, path, done, hint = '') => modal(title, `<label>原因${hint}</label><textarea name="reason"></textarea>`,
  () => act(path, { reason: field('reason') || '' }, done));

$('#actions').addEventListener('click', e => {
  const action = e.target.dataset.act;
  if (!action) return;
  ({
    claim: () => act('claim', { expected_assignee_id: current.assignee_id ?? null }, '已认领'),
    assign: openAssign,
    resolve: openResolve,
    transfer: openTransfer,
    escalate: () => reasonDialog('上报上级工会', 'escalate', '已上报，等待上级工会受理', '（职工可见，会写进给职工的通知）'),
    resume: () => act('resume', undefined, '已恢复办理'),
    reopen: () => reasonDialog('重新办理', 'reopen', '已重新办理', '（职工可见）'),
    close: () => modal('结案', '<p>结案后不能再回复职工。确定结案吗？</p>', () => act('close', undefined, '已结案'), '结案'),
  })[action]?.();
});

await load();
