// 联合会管理: the union tree the staff member sees, one node's profile, its coverage rules,
// overlaps between federations, term and committee warnings, and the routing tester.
import { api, ApiError, esc, flash } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';
import { AREA_HINTS, mountIndustryPicker, mountRegionPicker } from '/shared/pickers.js';

const staff = await mountLayout('federations');
const state = { nodes: [], byId: new Map(), selected: null, filter: '' };
const $ = (sel, root = document) => root.querySelector(sel);

const STATUS_TAG = { active: 'green', preparing: 'orange', dissolved: '' };
const TERM_TAG = { expired: ['red', '任期已届满'], expiring: ['orange', '即将届满'] };

// ------------------------------------------------------------------ small helpers

function clearErrors(form) {
  form.querySelectorAll('[data-for], [data-error]').forEach(el => { el.textContent = ''; });
}

function showErrors(form, err, fallbackKey) {
  clearErrors(form);
  const general = form.querySelector(`[data-error="${fallbackKey}"]`);
  if (!(err instanceof ApiError)) throw err;
  const fields = err.fields || {};
  let shown = false;
  for (const [key, message] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-for="${key}"]`);
    if (slot) { slot.textContent = message; shown = true; }
  }
  const rest = Object.entries(fields).filter(([key]) => !form.querySelector(`[data-for="${key}"]`))
    .map(([, message]) => message);
  if (general && (!shown || rest.length)) general.textContent = rest.length ? rest.join('；') : err.message;
  else if (!general && !shown) flash(err.message, 'error');
}

function debounce(fn, ms = 250) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// ------------------------------------------------------------------ the tree

async function loadTree() {
  state.nodes = await api('/api/admin/federations');
  state.byId = new Map(state.nodes.map(n => [n.id, n]));
  renderTree();
}

function nodeHtml(node) {
  const warnings = node.warnings.length ? `<span class="badge" title="${esc(node.warnings.map(w => w.message).join('\n'))}">${node.warnings.length}</span>` : '';
  const status = node.kind === 'upper' ? '' : `<span class="tag ${STATUS_TAG[node.status]}">${node.status_label}</span>`;
  return `<div class="node ${node.kind === 'upper' ? 'upper' : ''} ${node.status} ${state.selected === node.id ? 'selected' : ''}"
    data-id="${node.id}" role="treeitem" tabindex="0"><span class="label">${esc(node.name)}</span>${status}${warnings}</div>`;
}

const STATUS_ORDER = { active: 0, preparing: 1, dissolved: 2 };
const byPlace = (a, b) => (a.kind !== 'upper') - (b.kind !== 'upper') ||
  STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.id - b.id;

function renderTree() {
  const children = new Map();
  const roots = [];
  for (const node of [...state.nodes].sort(byPlace)) {
    if (state.byId.has(node.parent_id)) {
      if (!children.has(node.parent_id)) children.set(node.parent_id, []);
      children.get(node.parent_id).push(node);
    } else roots.push(node);
  }
  const needle = state.filter;
  const matches = node => !needle || node.name.includes(needle) ||
    (children.get(node.id) || []).some(matches);
  const branch = nodes => `<ul role="group">${nodes.filter(matches).map(node =>
    `<li>${nodeHtml(node)}${children.has(node.id) ? branch(children.get(node.id)) : ''}</li>`).join('')}</ul>`;
  $('#tree').innerHTML = roots.length ? branch(roots) : '<p class="empty">没有可查看的组织</p>';
}

$('#tree').addEventListener('click', e => {
  const node = e.target.closest('.node');
  if (node) select(Number(node.dataset.id));
});
$('#tree').addEventListener('keydown', e => {
  const node = e.target.closest('.node');
  if (node && e.key === 'Enter') select(Number(node.dataset.id));
});
$('#tree-filter').addEventListener('input', debounce(() => { state.filter = $('#tree-filter').value.trim(); renderTree(); }, 150));

// ------------------------------------------------------------------ one node

async function select(id) {
  state.selected = id;
  renderTree();
  const fed = await api(`/api/admin/federations/${id}`);
  renderDetail(fed);
}

function termText(f) {
  if (!f.term_start) return '<span class="muted">未登记</span>';
  const tag = TERM_TAG[f.term_state] ? ` <span class="tag ${TERM_TAG[f.term_state][0]}">${TERM_TAG[f.term_state][1]}</span>` : '';
  return `${f.term_start} 起 ${f.term_years} 年，${f.term_end} 届满${tag}`;
}

function headerCard(f) {
  const isFed = f.kind !== 'upper';
  const manage = f.can_manage && isFed && f.status !== 'dissolved';
  const actions = manage ? `
      <button type="button" data-act="rename">改名</button>
      ${f.status === 'preparing' ? `<a class="btn primary" href="/console/federation-governance.html?id=${f.id}#formation">筹备与选举（选举后转为运行）</a>` : ''}
      <button type="button" data-act="dissolve">撤销</button>` : '';
  const warnings = f.warnings.length ? `<ul class="warnings">${f.warnings.map(w =>
    `<li>${esc(w.message)}</li>`).join('')}</ul>` : '';
  return `<section class="card">
    <div class="fed-head"><div><h2>${esc(f.name)}</h2><div class="tags">
      <span class="tag">${f.kind_label}</span><span class="tag">${f.level_label}</span>
      ${isFed ? `<span class="tag ${STATUS_TAG[f.status]}">${f.status_label}</span>` : ''}</div></div>
      <div class="actions">${actions}</div></div>
    <dl class="facts">
      <dt>行政区划</dt><dd>${esc(f.region_name)}（${f.region_code}）</dd>
      ${f.industry_code ? `<dt>所属行业</dt><dd>${esc(f.industry_name)}（${f.industry_code}）</dd>` : ''}
      <dt>上一级工会</dt><dd>${esc(f.parent_name || '—')}</dd>
      ${isFed ? `<dt>本届任期</dt><dd>${termText(f)}</dd>` : ''}
      ${f.status === 'dissolved' ? `<dt>撤销</dt><dd>${f.dissolved_on}${f.dissolved_reason ? '，' + esc(f.dissolved_reason) : ''}</dd>` : ''}
      <dt>二维码场景</dt><dd><code>${f.scene}</code></dd>
      <dt>服务阵地</dt><dd>${(f.positions || []).length ? f.positions.map(p =>
        `<a href="/console/positions.html#id=${p.id}">${esc(p.name)}</a>${p.status === 'open' ? '' : `（${esc(p.status_label)}）`}`).join('、')
        : '<span class="muted">未登记</span>'}</dd>
    </dl>
    ${warnings ? `<div style="margin-top:12px">${warnings}</div>` : ''}
    <form id="rename-form" class="subtle-box" hidden>
      <div class="inline"><div style="flex:1"><label for="rename-name">新名称</label>
        <input id="rename-name" name="name" value="${esc(f.name)}" style="width:100%"></div>
        <div><button type="submit" class="primary">保存名称</button> <button type="button" data-act="cancel">取消</button></div></div>
      <p class="field-error" data-for="name"></p><p class="error" data-error="rename"></p>
    </form>
    <form id="dissolve-form" class="subtle-box" hidden>
      <div class="inline"><div><label for="dissolve-on">撤销日期</label>
        <input id="dissolve-on" type="date" value="${new Date().toISOString().slice(0, 10)}"></div>
        <div style="flex:1"><label for="dissolve-reason">原因</label><input id="dissolve-reason" style="width:100%"
          placeholder="如：覆盖企业迁出，经上一级工会批准撤销"></div>
        <div><button type="submit" class="primary">确认撤销</button> <button type="button" data-act="cancel">取消</button></div></div>
      <p class="field-error" data-for="dissolved_on"></p><p class="error" data-error="dissolve"></p>
    </form>
  </section>`;
}

function profileCard(f) {
  const isFed = f.kind !== 'upper';
  const off = !f.can_edit || f.status === 'dissolved' ? 'disabled' : '';
  const check = (name, label) => `<label><input type="checkbox" name="${name}" ${f[name] ? 'checked' : ''} ${off}> ${label}</label>`;
  return `<section class="card"><h3>基本信息与联系方式
      ${f.can_edit ? '' : '<span class="muted" style="font-weight:normal;font-size:13px">只读：修改须由管理员办理</span>'}</h3>
    <form id="profile-form"><div class="form-grid">
      <div><label for="p-contact">联系人</label><input id="p-contact" name="contact_name" value="${esc(f.contact_name)}" ${off}>
        <p class="field-error" data-for="contact_name"></p></div>
      <div><label for="p-phone">联系电话</label><input id="p-phone" name="contact_phone" value="${esc(f.contact_phone)}" ${off}>
        <p class="field-error" data-for="contact_phone"></p></div>
      <div><label for="p-address">地址</label><input id="p-address" name="address" value="${esc(f.address)}" ${off}>
        <p class="field-error" data-for="address"></p></div>
      ${isFed ? `
      <div><label for="p-term-start">本届任期开始</label><input id="p-term-start" type="date" name="term_start" value="${f.term_start || ''}" ${off}>
        <p class="field-error" data-for="term_start"></p></div>
      <div><label for="p-term-years">任期</label><select id="p-term-years" name="term_years" ${off}>
        <option value="">未登记</option><option value="3" ${f.term_years === 3 ? 'selected' : ''}>3年</option>
        <option value="5" ${f.term_years === 5 ? 'selected' : ''}>5年</option></select>
        <p class="field-error" data-for="term_years"></p></div>
      <div><label for="p-priority">分派优先级</label><input id="p-priority" type="number" name="priority" min="-100" max="100"
        value="${f.priority}" ${f.can_manage && !off ? '' : 'disabled'} title="覆盖范围同样匹配时，数值大的优先受理（由上级工会设定）">
        <p class="field-error" data-for="priority"></p></div>
      <div class="wide checks">${check('own_funds', '独立管理经费')}${check('has_funds_committee', '已成立经费审查委员会')}
        ${check('many_women', '女职工较多')}${check('has_women_committee', '已建立女职工委员会')}</div>` : ''}
      <div class="wide"><label for="p-description">简介</label><textarea id="p-description" name="description" ${off}>${esc(f.description)}</textarea>
        <p class="field-error" data-for="description"></p></div>
    </div>
    <p class="error" data-error="profile"></p>
    ${off ? '' : '<div class="actions"><button type="submit" class="primary">保存</button></div>'}</form></section>`;
}

function coverageCard(f) {
  if (f.kind === 'upper') {
    return `<section class="card"><h3>覆盖范围</h3><p class="muted" style="margin:0">上级工会不设覆盖规则：
      所在地没有工会联合会覆盖的诉求和入会申请，会自动交给就近的上级工会受理。</p></section>`;
  }
  const manage = f.can_manage && f.status !== 'dissolved';
  const rows = f.coverage.map(r => `<tr><td>${esc(r.region_name)}<br><span class="muted">${r.region_prefix}</span></td>
    <td>${r.industry_prefix ? `${esc(r.industry_name)}<br><span class="muted">${r.industry_prefix}</span>` : '全部行业'}</td>
    <td>${esc(r.label)}</td>
    <td>${manage ? `<button type="button" class="link" data-remove="${r.id}">删除</button>` : ''}</td></tr>`).join('');
  const form = manage ? `<form id="coverage-form" class="subtle-box">
      <div class="inline"><div><label>地区</label><div id="cov-region"></div></div>
      ${f.kind === 'industry' ? '<div><label for="cov-industry">行业（不选为全部行业）</label><div id="cov-industry-picker"></div></div>' : ''}
      <div><button type="submit" class="primary">添加规则</button></div></div>
      <p class="muted" id="cov-preview"></p>
      <p class="field-error" data-for="region_code"></p><p class="field-error" data-for="industry_code"></p>
      <p class="error" data-error="coverage"></p></form>` : '';
  return `<section class="card"><h3>覆盖范围 <span class="muted" style="font-weight:normal;font-size:13px">
      工作地以“地区”开头、行业以“行业”开头的诉求由本联合会受理（最具体的规则优先）</span></h3>
    ${rows ? `<table><thead><tr><th>地区</th><th>行业</th><th>说明</th><th style="width:60px"></th></tr></thead>
      <tbody>${rows}</tbody></table>` : '<p class="muted">尚未设置覆盖规则。</p>'}${form}</section>`;
}

function renderDetail(f) {
  const root = $('#detail');
  root.innerHTML = headerCard(f) + profileCard(f) + coverageCard(f);
  const renameForm = $('#rename-form', root);
  const dissolveForm = $('#dissolve-form', root);
  root.querySelectorAll('[data-act]').forEach(button => button.addEventListener('click', async () => {
    const act = button.dataset.act;
    if (act === 'rename') { renameForm.hidden = false; dissolveForm.hidden = true; $('#rename-name').focus(); }
    if (act === 'dissolve') { dissolveForm.hidden = false; renameForm.hidden = true; }
    if (act === 'cancel') { renameForm.hidden = true; dissolveForm.hidden = true; }
  }));
  renameForm.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api(`/api/admin/federations/${f.id}/rename`, { method: 'POST', body: { name: $('#rename-name').value } });
      flash('名称已修改');
      await refresh(f.id);
    } catch (err) { showErrors(renameForm, err, 'rename'); }
  });
  dissolveForm.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api(`/api/admin/federations/${f.id}/dissolve`, { method: 'POST',
        body: { dissolved_on: $('#dissolve-on').value, reason: $('#dissolve-reason').value || null } });
      flash('已撤销');
      await refresh(f.id);
    } catch (err) { showErrors(dissolveForm, err, 'dissolve'); }
  });
  const profile = $('#profile-form', root);
  profile.addEventListener('submit', async e => {
    e.preventDefault();
    const body = {};
    for (const el of profile.elements) {
      if (!el.name || el.disabled) continue;
      if (el.type === 'checkbox') body[el.name] = el.checked;
      else if (el.name === 'term_years' || el.name === 'priority') body[el.name] = el.value === '' ? null : Number(el.value);
      else body[el.name] = el.value.trim() === '' ? null : el.value.trim();
    }
    if (body.priority === null) delete body.priority;
    try {
      await api(`/api/admin/federations/${f.id}`, { method: 'PATCH', body });
      flash('已保存');
      await refresh(f.id);
    } catch (err) { showErrors(profile, err, 'profile'); }
  });
  root.querySelectorAll('[data-remove]').forEach(button => button.addEventListener('click', async () => {
    if (!confirm('删除这条覆盖规则？之后相应的诉求将按其余规则分派。')) return;
    try {
      await api(`/api/admin/federations/${f.id}/coverage/${button.dataset.remove}`, { method: 'DELETE' });
      flash('已删除');
      await refresh(f.id);
    } catch (err) { flash(err.message, 'error'); }
  }));
  const coverageForm = $('#coverage-form', root);
  if (coverageForm) {
    // the rule about to be added, in words: 石家庄市 › 长安区 · 快递服务
    const preview = () => {
      $('#cov-preview', root).textContent = picker.value()
        ? `新规则：${picker.label()} · ${industry?.name || '全部行业'}` : '';
    };
    const picker = mountRegionPicker($('#cov-region', root), { hints: AREA_HINTS, onChange: preview });
    const host = $('#cov-industry-picker', root);
    const industry = host && mountIndustryPicker(host, { inputId: 'cov-industry', onChange: preview });
    Promise.all([picker.set(f.region_code), industry?.set(f.industry_code)]).then(preview);
    coverageForm.addEventListener('submit', async e => {
      e.preventDefault();
      try {
        await api(`/api/admin/federations/${f.id}/coverage`, { method: 'POST',
          body: { region_code: picker.value(), industry_code: industry?.code || null } });
        flash('已添加覆盖规则');
        await refresh(f.id);
      } catch (err) { showErrors(coverageForm, err, 'coverage'); }
    });
  }
}

async function refresh(id) {
  await Promise.all([loadTree(), loadOverlaps()]);
  if (id) await select(id);
}

// ------------------------------------------------------------------ overlaps

async function loadOverlaps() {
  const pairs = await api('/api/admin/federations/overlaps');
  $('#overlaps').innerHTML = pairs.length ? `<table><thead><tr><th>覆盖范围</th><th>联合会</th><th>结果</th></tr></thead><tbody>
    ${pairs.map(p => `<tr class="overlap-row"><td>${esc(p.label)}</td>
      <td><button type="button" class="link" data-go="${p.a.id}">${esc(p.a.name)}</button><br>
          <button type="button" class="link" data-go="${p.b.id}">${esc(p.b.name)}</button></td>
      <td><span class="tag ${p.resolved_by ? 'green' : 'red'}">${p.resolved_by ? '已按优先级确定' : '待处理'}</span>
        <div class="muted">${esc(p.effect)}</div></td></tr>`).join('')}</tbody></table>`
    : '<p class="muted" style="margin:0">没有重叠的覆盖范围。</p>';
  $('#overlaps').querySelectorAll('[data-go]').forEach(b => b.addEventListener('click', () => {
    const id = Number(b.dataset.go);
    if (state.byId.has(id)) select(id); else flash('该联合会不在您的管理范围内', 'error');
  }));
}

// ------------------------------------------------------------------ routing tester

const testerRegion = mountRegionPicker($('#tester-region'));
const testerIndustry = mountIndustryPicker($('#tester-industry-picker'), { inputId: 'tester-industry', chips: true });
$('#tester-form').addEventListener('submit', async e => {
  e.preventDefault();
  const form = e.target;
  const params = new URLSearchParams({ region: testerRegion.value(), type: $('#tester-type').value });
  if (testerIndustry.code) params.set('industry', testerIndustry.code);
  try {
    const answer = await api(`/api/routing/preview?${params}`);
    form.querySelector('[data-error="tester"]').textContent = '';
    const candidates = (answer.candidates || []).map(c => `<tr><td>${esc(c.name)}</td>
      <td>${esc(c.region_name || c.region_prefix)} · ${c.industry_prefix ? esc(c.industry_name || c.industry_prefix) : '全部行业'}</td><td>${c.priority}</td>
      <td>${c.member ? '是' : ''}</td><td>${c.open_requests ?? ''}</td></tr>`).join('');
    $('#tester-answer').innerHTML = `<div class="answer"><div><strong>${esc(answer.federation_name)}</strong>
      <span class="tag ${answer.reason === 'coverage' ? 'green' : 'orange'}">${answer.reason === 'coverage' ? '按覆盖范围' : '由上级工会兜底'}</span></div>
      <p style="margin:6px 0 0">${esc(answer.sentence)}</p></div>
      ${candidates ? `<table style="margin-top:10px"><thead><tr><th>候选联合会</th><th>匹配规则</th><th>优先级</th><th>会员</th><th>待办</th></tr></thead>
        <tbody>${candidates}</tbody></table>` : ''}`;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    form.querySelector('[data-error="tester"]').textContent = Object.values(err.fields || {}).join('；') || err.message;
    $('#tester-answer').innerHTML = '';
  }
});

// ------------------------------------------------------------------ create

const dialog = $('#create-dialog');
const createForm = $('#create-form');
const createRegion = mountRegionPicker($('#c-region'), { hints: AREA_HINTS });
const createIndustry = mountIndustryPicker($('#c-industry-picker'), { inputId: 'c-industry' });

function syncKind() {
  $('#c-industry-row').hidden = $('#c-kind').value !== 'industry';
  $('#c-status').disabled = $('#c-kind').value === 'upper';
}
$('#c-kind').addEventListener('change', syncKind);

if (staff.role === 'admin') {
  const button = $('#new-federation');
  button.hidden = false;
  button.addEventListener('click', async () => {
    const uppers = state.nodes.filter(n => n.kind === 'upper' && n.status !== 'dissolved');
    const selected = state.byId.get(state.selected);
    const preferred = selected?.kind === 'upper' ? selected : state.byId.get(selected?.parent_id) || uppers[0];
    $('#c-parent').innerHTML = uppers.map(u => `<option value="${u.id}" ${u.id === preferred?.id ? 'selected' : ''}>${esc(u.name)}</option>`).join('');
    createForm.reset();
    createIndustry.clear();
    $('#c-parent').value = preferred ? String(preferred.id) : '';
    syncKind();
    clearErrors(createForm);
    dialog.showModal();
    await createRegion.set(preferred?.region_code || '130000');
  });
  $('#c-parent').addEventListener('change', () => {
    const parent = state.byId.get(Number($('#c-parent').value));
    if (parent) createRegion.set(parent.region_code);
  });
  $('#create-cancel').addEventListener('click', () => dialog.close());
  createForm.addEventListener('submit', async e => {
    e.preventDefault();
    const kind = $('#c-kind').value;
    const body = {
      name: $('#c-name').value.trim(), kind, region_code: createRegion.value(),
      parent_id: Number($('#c-parent').value),
      industry_code: kind === 'industry' ? createIndustry.code || null : null,
      term_start: $('#c-term-start').value || null,
      term_years: $('#c-term-years').value ? Number($('#c-term-years').value) : null,
    };
    body.status = kind === 'upper' ? 'active' : $('#c-status').value;
    try {
      const created = await api('/api/admin/federations', { method: 'POST', body });
      dialog.close();
      flash('已创建');
      await refresh(created.id);
    } catch (err) { showErrors(createForm, err, 'create'); }
  });
}

// ------------------------------------------------------------------ start

await Promise.all([loadTree(), loadOverlaps(), testerRegion.set('130102')]);
const first = state.nodes.find(n => n.kind !== 'upper' && n.warnings.length) || state.nodes[0];
if (first) await select(first.id);
