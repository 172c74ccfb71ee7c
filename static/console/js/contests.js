// 技能竞赛: the contest list, one contest (overview, editor, roster, check-in, results).
// Routes live in the hash: #new, #c=<id>&tab=<overview|edit|roster|checkin|results>.
import { api, esc } from '../lib/api.js';
import { mountLayout } from '../lib/layout.js';
import { STATUS_TAG, ask, cn, fieldErrors, fromInput, note, tag, toInput } from './contest-util.js';
import { renderCheckin, renderResults, renderRoster } from './contest-people.js';
import { AREA_HINTS, mountIndustryPicker, mountRegionPicker } from '/shared/pickers.js';
import { pickedId, placeHtml, positionOptions } from './position-picker.js';

const staff = await mountLayout('contests');
const main = document.getElementById('main');
const manager = ['admin', 'chair'].includes(staff.role);
const STATUS_FILTERS = [['', '全部'], ['draft', '草稿'], ['published', '报名中'], ['closed', '报名已截止'],
  ['finished', '已结束'], ['cancelled', '已取消']];

function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (location.hash === '#new') return showEditor(null);
  if (params.get('c')) return showContest(Number(params.get('c')), params.get('tab') || 'overview');
  return showList(params.get('status') || '');
}
window.addEventListener('hashchange', () => {
  document.querySelectorAll('.flash').forEach(el => el.remove()); // messages belong to the page left
  route();
});

// --- list ------------------------------------------------------------------------------------
async function showList(status) {
  const rows = await api('/api/staff/contests' + (status ? `?status=${status}` : ''));
  main.innerHTML = `<h1>技能竞赛</h1>
    <div class="toolbar">
      <div class="tabs">${STATUS_FILTERS.map(([k, label]) =>
        `<button type="button" data-status="${k}" class="${k === status ? 'active' : ''}">${label}</button>`).join('')}</div>
      <span style="flex:1"></span>${manager ? '<a class="btn primary" href="#new">新建竞赛</a>' : ''}
    </div>
    <table><thead><tr><th>竞赛名称</th><th>主办单位</th><th>比赛时间</th><th>报名截止</th><th>状态</th>
      <th>已确认 / 名额</th><th>候补</th></tr></thead><tbody>
    ${rows.map(c => `<tr><td><a href="#c=${c.id}">${esc(c.title)}</a></td><td>${esc(c.federation_name)}</td>
      <td>${cn(c.starts_at)}</td><td>${cn(c.registration_closes_at)}</td>
      <td>${tag(STATUS_TAG[c.status], c.status_label)}</td><td>${c.confirmed_count} / ${c.capacity}</td>
      <td>${c.waitlisted_count || ''}</td></tr>`).join('') || '<tr><td colspan="7" class="muted">暂无竞赛</td></tr>'}
    </tbody></table>`;
  main.querySelector('.tabs').onclick = (e) => {
    const b = e.target.closest('[data-status]');
    if (b) location.hash = b.dataset.status ? `status=${b.dataset.status}` : '';
  };
}

// --- one contest ----------------------------------------------------------------------------
const TABS = [['overview', '概况'], ['edit', '编辑'], ['roster', '报名名单'], ['checkin', '现场签到'], ['results', '成绩']];

function actions(c) {
  if (!manager) return '';
  const a = [];
  if (c.status === 'draft') a.push(['publish', '发布', 'primary']);
  if (c.status === 'published') a.push(['close', '截止报名']);
  if (c.status === 'closed') a.push(['reopen', '重新开放报名']);
  if (['published', 'closed'].includes(c.status)) a.push(['finish', '结束竞赛']);
  if (['draft', 'published', 'closed'].includes(c.status)) a.push(['cancel', '取消竞赛', 'danger']);
  return a.map(([k, label, cls]) => `<button type="button" data-action="${k}" class="${cls || ''}">${label}</button>`).join('');
}

async function showContest(id, tab) {
  const c = await api(`/api/staff/contests/${id}`);
  const editable = manager && !['finished', 'cancelled'].includes(c.status);
  const tabs = TABS.filter(([k]) => k !== 'edit' || editable);
  main.innerHTML = `<p><a href="#">← 竞赛列表</a></p>
    <div class="contest-head">
      <div><h1>${esc(c.title)} ${tag(STATUS_TAG[c.status], c.status_label)}</h1>
        <p class="muted">${esc(c.federation_name)} · 比赛 ${cn(c.starts_at)} · ${esc(c.venue_position ? c.venue_position.name : '')} ${esc(c.venue)}</p></div>
      <div class="stats"><b>${c.confirmed_count}</b>/${c.capacity} 已确认 <b>${c.waitlisted_count}</b> 候补
        <b>${c.places_left}</b> 空余</div>
    </div>
    <div class="toolbar">${actions(c)}</div>
    <div class="tabs">${tabs.map(([k, label]) => `<button type="button" data-tab="${k}" class="${k === tab ? 'active' : ''}">${label}</button>`).join('')}</div>
    <section id="tab"></section>`;
  main.querySelector('.tabs').onclick = (e) => {
    const b = e.target.closest('[data-tab]');
    if (b) location.hash = `c=${id}&tab=${b.dataset.tab}`;
  };
  main.querySelector('.toolbar').onclick = (e) => {
    const b = e.target.closest('[data-action]');
    if (b) runAction(c, b.dataset.action);
  };
  const el = main.querySelector('#tab');
  const reload = () => showContest(id, tab);
  if (tab === 'edit' && editable) return showEditor(c, el);
  if (tab === 'roster') return renderRoster(el, c, { manager, reload });
  if (tab === 'checkin') return renderCheckin(el, c, { reload });
  if (tab === 'results') return renderResults(el, c, { manager, reload });
  return overview(el, c);
}

const CONFIRM = { publish: '发布后职工即可在公众号报名，确定发布？', close: '截止后职工不能再报名，确定截止报名？',
  reopen: '重新开放报名？', finish: '结束竞赛后可录入并发布成绩，确定结束？' };

async function runAction(c, action) {
  let body;
  if (action === 'cancel') {
    const answer = await ask('取消竞赛', [{ name: 'reason', label: '取消原因（将通过微信告知所有报名和候补人员）', multiline: true, required: true }],
      { okText: '取消竞赛', danger: true });
    if (!answer) return;
    body = answer;
  } else if (!confirm(CONFIRM[action])) return;
  try {
    await api(`/api/staff/contests/${c.id}/${action}`, { method: 'POST', body });
    note('已完成');
    route(); // the same tab, with the new state
  } catch (err) {
    note(err.message, 'error');
  }
}

function overview(el, c) {
  const rule = c.eligibility || {};
  const who = !c.members_only ? '所有职工（不限会员）' : esc(c.scope_text);
  const age = rule.age_min != null || rule.age_max != null ? `${rule.age_min ?? '不限'} 至 ${rule.age_max ?? '不限'} 周岁` : '不限';
  const qr = c.qr_url
    ? `<img src="/api/staff/contests/${c.id}/qrcode.svg?v=${encodeURIComponent(c.qr_expires_at)}" alt="报名二维码" class="qr">
       <p class="muted">场景值 ${esc(c.scene)}，有效期至 ${cn(c.qr_expires_at)}。扫码关注后公众号自动回复竞赛报名链接。</p>`
    : '<p class="muted">尚未生成。临时二维码有效期至报名截止后一天（最长30天）。</p>';
  el.innerHTML = `<div class="grid2">
    <div class="card"><h2>竞赛信息</h2><dl class="facts">
      <dt>工种 / 行业</dt><dd>${esc(c.trade || '未填')}</dd>
      <dt>比赛时间</dt><dd>${cn(c.starts_at)}${c.ends_at ? ' 至 ' + cn(c.ends_at) : ''}</dd>
      <dt>地点</dt><dd id="contest-venue">${placeHtml(c.venue_position, c.venue) || '未填写'}</dd>
      <dt>报名时间</dt><dd>${cn(c.registration_opens_at)} 至 ${cn(c.registration_closes_at)}</dd>
      <dt>取消截止</dt><dd>${c.cancel_cutoff_at ? cn(c.cancel_cutoff_at) : '报名截止前'}</dd>
      <dt>参赛对象</dt><dd>${who}；年龄 ${age}</dd>
      <dt>不参赛情形</dt><dd>${esc(c.exclusions || '无')}</dd>
      <dt>评分方式</dt><dd>${esc(c.scoring_note || '')}</dd>
      <dt>附加问题</dt><dd>${c.questions.map(q => esc(q.label) + (q.required ? '（必填）' : '')).join('；') || '无'}</dd>
      ${c.cancel_reason ? `<dt>取消原因</dt><dd>${esc(c.cancel_reason)}</dd>` : ''}
    </dl><p class="pre">${esc(c.description)}</p></div>
    <div class="card"><h2>海报报名二维码</h2>${qr}
      ${manager && ['draft', 'published', 'closed'].includes(c.status) ? `<button type="button" id="qr" class="primary">${c.qr_url ? '刷新二维码' : '生成二维码'}</button>` : ''}
    </div></div>`;
  el.querySelector('#qr')?.addEventListener('click', async () => {
    try {
      await api(`/api/staff/contests/${c.id}/qrcode`, { method: 'POST' });
      showContest(c.id, 'overview');
    } catch (err) { note(err.message, 'error'); }
  });
}

// --- editor ---------------------------------------------------------------------------------
function questionRow(q = { label: '', kind: 'text', options: [], required: false }) {
  return `<div class="question card" data-key="${esc(q.key || '')}">
    <input data-q="label" placeholder="问题，如：从业年限" value="${esc(q.label)}" style="flex:1">
    <select data-q="kind">${[['text', '填空'], ['single', '单选'], ['multiple', '多选']].map(([k, l]) =>
      `<option value="${k}" ${q.kind === k ? 'selected' : ''}>${l}</option>`).join('')}</select>
    <label class="inline"><input type="checkbox" data-q="required" ${q.required ? 'checked' : ''}> 必填</label>
    <button type="button" data-move="-1" title="上移">↑</button><button type="button" data-move="1" title="下移">↓</button>
    <button type="button" data-remove class="link">删除</button>
    <textarea data-q="options" placeholder="选项，每行一个" ${q.kind === 'text' ? 'hidden' : ''}>${esc(q.options.join('\n'))}</textarea>
  </div>`;
}

async function showEditor(c, el = null) {
  if (!el) { main.innerHTML = '<p><a href="#">← 竞赛列表</a></p><h1>新建竞赛</h1><section id="tab"></section>'; el = main.querySelector('#tab'); }
  const v = c || { members_only: true, eligibility: { scope: 'federation' }, questions: [], capacity: 30 };
  const rule = v.eligibility || {};
  const locked = c && c.has_signups;
  const places = await positionOptions(v.venue_position, c ? c.federation_id : staff.federation_id, '不选服务阵地（只填写地点）');
  el.innerHTML = `<form id="editor" class="card editor" novalidate>
    <div class="form-errors"></div>
    <div class="grid2">
      <div><label>竞赛名称</label><input data-field="title" name="title" value="${esc(v.title || '')}" required style="width:100%"></div>
      <div><label for="industry-q">工种所属行业</label><div data-field="industry_code" id="industry-picker"></div></div>
      <div><label>比赛开始</label><input type="datetime-local" data-field="starts_at" name="starts_at" value="${toInput(v.starts_at)}"></div>
      <div><label>比赛结束（可选）</label><input type="datetime-local" data-field="ends_at" name="ends_at" value="${toInput(v.ends_at)}"></div>
      <div><label>报名开始</label><input type="datetime-local" data-field="registration_opens_at" name="registration_opens_at" value="${toInput(v.registration_opens_at)}"></div>
      <div><label>报名截止</label><input type="datetime-local" data-field="registration_closes_at" name="registration_closes_at" value="${toInput(v.registration_closes_at)}"></div>
      <div><label>取消报名截止（可选，默认报名截止）</label><input type="datetime-local" data-field="cancel_cutoff_at" name="cancel_cutoff_at" value="${toInput(v.cancel_cutoff_at)}"></div>
      <div><label>名额</label><input type="number" min="1" data-field="capacity" name="capacity" value="${v.capacity}">
        ${c ? `<span class="muted">已确认 ${c.confirmed_count} 人，名额不能少于此数；增加名额会按顺序递补候补人员</span>` : ''}</div>
      <div><label for="venue_position_id">比赛地点：服务阵地（可选）</label><select id="venue_position_id" data-field="venue_position_id" name="venue_position_id" style="width:100%">${places}</select>
        <span class="muted small">本单位及下级单位登记、开放中的阵地；职工报名页会显示地点和导航链接</span></div>
      <div><label for="venue">具体地点</label><input id="venue" data-field="venue" name="venue" value="${esc(v.venue || '')}" style="width:100%" placeholder="选了服务阵地时写房间或楼层，否则写完整地址"></div>
      <div class="span2"><label>竞赛说明</label><textarea data-field="description" name="description">${esc(v.description || '')}</textarea></div>
      <div class="span2"><label>评分方式（如：理论30% + 实操70%）</label><input data-field="scoring_note" name="scoring_note" value="${esc(v.scoring_note || '')}" style="width:100%"></div>
    </div>
    <fieldset ${locked ? 'disabled' : ''}><legend>报名条件${locked ? '（已有人报名，不能修改）' : ''}</legend>
      <div class="grid2">
        <div><label>参赛对象</label><select name="who" data-field="members_only">
          <option value="open" ${!v.members_only ? 'selected' : ''}>所有职工（不限会员）</option>
          <option value="federation" ${v.members_only && rule.scope === 'federation' ? 'selected' : ''}>本联合会会员</option>
          <option value="any" ${v.members_only && rule.scope === 'any' ? 'selected' : ''}>所有工会会员</option>
          <option value="coverage" ${v.members_only && rule.scope === 'coverage' ? 'selected' : ''}>按地区/行业覆盖的联合会会员</option></select></div>
        <div class="coverage span2"><label>覆盖这一地区的联合会</label><div data-field="eligibility.region_prefix" id="cover-region"></div>
          <label for="cover-industry">及这一行业（不选为全部行业）</label><div data-field="eligibility.industry_prefix" id="cover-industry-picker"></div></div>
        <div><label>年龄（周岁，可留空）</label><input type="number" name="age_min" data-field="eligibility.age_min" value="${rule.age_min ?? ''}" style="width:80px"> 至
          <input type="number" name="age_max" data-field="eligibility.age_max" value="${rule.age_max ?? ''}" style="width:80px"></div>
        <div class="span2"><label>不参赛情形（原文展示给职工）</label><textarea name="exclusions" data-field="exclusions">${esc(v.exclusions || '')}</textarea></div>
      </div>
      <h3>附加问题</h3><div id="questions" data-field="questions">${(v.questions || []).map(questionRow).join('')}</div>
      <button type="button" id="add-question">＋ 添加问题</button>
    </fieldset>
    <div class="toolbar" style="margin-top:16px"><button type="submit" class="primary">${c ? '保存修改' : '保存为草稿'}</button></div>
  </form>`;
  const form = el.querySelector('#editor');
  const trade = mountIndustryPicker(form.querySelector('#industry-picker'), { inputId: 'industry-q', chips: true });
  trade.set(v.industry_code);
  const coverRegion = mountRegionPicker(form.querySelector('#cover-region'), { hints: AREA_HINTS });
  coverRegion.set(rule.region_prefix ? rule.region_prefix.padEnd(6, '0') : '');
  const coverIndustry = mountIndustryPicker(form.querySelector('#cover-industry-picker'), { inputId: 'cover-industry' });
  coverIndustry.set(rule.industry_prefix);
  const who = form.elements.who;
  const syncWho = () => { form.querySelector('.coverage').hidden = who.value !== 'coverage'; };
  who.onchange = syncWho;
  syncWho();
  const qs = form.querySelector('#questions');
  form.querySelector('#add-question').onclick = () => qs.insertAdjacentHTML('beforeend', questionRow());
  qs.addEventListener('change', (e) => {
    if (e.target.dataset.q === 'kind') e.target.closest('.question').querySelector('[data-q=options]').hidden = e.target.value === 'text';
  });
  qs.addEventListener('click', (e) => {
    const row = e.target.closest('.question');
    if (e.target.matches('[data-remove]')) row.remove();
    const move = Number(e.target.dataset.move || 0);
    if (move < 0 && row.previousElementSibling) row.previousElementSibling.before(row);
    if (move > 0 && row.nextElementSibling) row.nextElementSibling.after(row);
  });
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = form.elements;
    const num = (x) => (x === '' ? null : Number(x));
    const body = {
      title: f.title.value.trim(), industry_code: trade.code || null, venue: f.venue.value.trim(),
      venue_position_id: pickedId(f.venue_position_id),
      description: f.description.value, scoring_note: f.scoring_note.value.trim() || null,
      starts_at: fromInput(f.starts_at.value), ends_at: fromInput(f.ends_at.value),
      registration_opens_at: fromInput(f.registration_opens_at.value),
      registration_closes_at: fromInput(f.registration_closes_at.value),
      cancel_cutoff_at: fromInput(f.cancel_cutoff_at.value), capacity: Number(f.capacity.value),
    };
    if (!locked) {
      body.members_only = who.value !== 'open';
      body.eligibility = { scope: who.value === 'open' ? 'any' : who.value, age_min: num(f.age_min.value), age_max: num(f.age_max.value) };
      if (who.value === 'coverage') Object.assign(body.eligibility, { region_prefix: coverRegion.value(), industry_prefix: coverIndustry.code || null });
      body.exclusions = f.exclusions.value.trim() || null;
      body.questions = [...qs.querySelectorAll('.question')].map(row => {
        const kind = row.querySelector('[data-q=kind]').value;
        const q = { label: row.querySelector('[data-q=label]').value.trim(), kind, required: row.querySelector('[data-q=required]').checked,
          options: kind === 'text' ? [] : row.querySelector('[data-q=options]').value.split('\n').map(s => s.trim()).filter(Boolean) };
        if (row.dataset.key) q.key = row.dataset.key;
        return q;
      });
    }
    for (const k of ['starts_at', 'registration_opens_at', 'registration_closes_at']) if (!body[k]) delete body[k];
    try {
      const saved = await api(c ? `/api/staff/contests/${c.id}` : '/api/staff/contests', { method: c ? 'PATCH' : 'POST', body });
      note('已保存');
      location.hash = `c=${saved.id}&tab=overview`;
    } catch (err) {
      fieldErrors(form, err.fields);
      note(err.message, 'error');
    }
  };
}

route();
