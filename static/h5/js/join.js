// 申请入会: the join form, its states (pending, correction, rejected, member) and the result.
// The server's rules are the authority (422 with a message per field); the checks here only
// help while typing.
import { api, ApiError, qs } from '../lib/api.js';
import { $, esc, loading, showFieldErrors, toast } from '../lib/ui.js';
import { checkId } from './idcard.js';
import { industryPicker, regionPicker } from '/shared/pickers.js';

const form = $('#join-form');
const stateBox = $('#state');
const fedParam = qs('fed');
let ctx = null;
let editing = null; // the application being corrected (PUT) or null (new application, POST)
let chosenFed = null; // the federation of the link or QR code, unless the worker opts out

// --- helpers --------------------------------------------------------------------------------
function setError(name, message) {
  const slot = form.querySelector(`[data-error-for="${name}"]`);
  if (!slot) return;
  slot.textContent = message || '';
  slot.hidden = !message;
  slot.closest('.weui-cell')?.classList.toggle('weui-cell_warn', !!message);
}

function fmtDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function show(el, on = true) { el.hidden = !on; }

const region = regionPicker([...form.querySelectorAll('.region-picker select')],
  { hints: ['请选择省份', '请选择城市', '请选择区县', '乡镇(选填)'], onChange: () => setError('region_code', '') });
const industry = industryPicker({ input: $('#industry-q'), results: $('#industry-results'), chosen: $('#industry-chosen'),
  chips: $('#industry-chips') }, { onChange: () => setError('industry_code', '') });

// --- live help while typing ---------------------------------------------------------------
form.id_number.addEventListener('blur', () => {
  const value = form.id_number.value.trim();
  const derived = $('#derived');
  if (!value) { show(derived, false); return; }
  const result = checkId(value);
  if (result.error) { setError('id_number', result.error); show(derived, false); return; }
  setError('id_number', '');
  $('#derived-text').textContent = `${result.gender === 'M' ? '男' : '女'} · ${fmtDate(result.birth)}出生（由身份证号识别）`;
  show(derived, true);
});
form.phone.addEventListener('blur', () => {
  const value = form.phone.value.replace(/[\s-]/g, '');
  if (value && !/^1[3-9]\d{9}$/.test(value)) setError('phone', '请填写正确的11位手机号码');
  else setError('phone', '');
});
form.querySelectorAll('input[name="employment_form"]').forEach(radio => radio.addEventListener('change', () => {
  setError('employment_form', '');
  const flexible = form.employment_form.value === 'flexible';
  $('#employer-label').textContent = form.employment_form.value === 'platform' ? '所在平台' : '工作单位';
  form.employer.placeholder = flexible ? '没有固定单位可不填' : (form.employment_form.value === 'platform'
    ? '如：某某快递、某某外卖平台' : '单位全称');
}));
['name', 'employer'].forEach(name => form[name].addEventListener('input', () => setError(name, '')));
['declaration', 'constitution', 'privacy_consent'].forEach(name =>
  form[name].addEventListener('change', () => setError(name, '')));

// --- states -----------------------------------------------------------------------------------
function describeTarget() {
  const target = $('#target');
  if (chosenFed) {
    target.innerHTML = `您正在申请加入 <b>${esc(chosenFed.name)}</b>
      <button type="button" class="link" id="fed-optout">不是这家？按工作地分配</button>`;
    $('#fed-optout').addEventListener('click', () => { chosenFed = null; describeTarget(); });
  } else {
    target.textContent = '填写后，系统将按您的工作地和行业，交由负责的工会联合会审核。';
  }
}

function stateCard({ icon, title, lines = [], actions = '' }) {
  stateBox.innerHTML = `<div class="weui-msg state-card">
    <div class="weui-msg__icon-area"><i class="${icon} weui-icon_msg"></i></div>
    <div class="weui-msg__text-area"><h2 class="weui-msg__title">${title}</h2>
      ${lines.map(l => (l.startsWith('<p') ? l : `<p class="weui-msg__desc">${l}</p>`)).join('')}</div>
    <div class="weui-msg__opr-area"><p class="weui-btn-area">${actions}</p></div></div>`;
  show(stateBox, true);
}

function showMember(m) {
  show(form, false);
  $('#target').textContent = '';
  stateCard({
    icon: 'weui-icon-success',
    title: '您已是工会会员',
    lines: [`会员号：${esc(m.member_no)}`, `所属：${esc(m.federation.name)}`, `会籍状态：${esc(m.status_label)}`,
      '工作变动需要更换所属联合会时，请办理转会，无需重新入会。'],
    actions: `<a class="weui-btn weui-btn_primary" href="/h5/card.html">查看会员卡</a>
      <a class="weui-btn weui-btn_default" href="/h5/card.html#transfer">申请转会</a>`,
  });
}

function showPending(a, justSubmitted = false) {
  show(form, false);
  $('#target').textContent = '';
  stateCard({
    icon: justSubmitted ? 'weui-icon-success' : 'weui-icon-waiting',
    title: justSubmitted ? '申请已提交' : '入会申请审核中',
    lines: [`受理单位：<b>${esc(a.federation.name)}</b>`,
      `<p class="weui-msg__desc explain">分配说明：${esc(a.explanation || '')}</p>`,
      `审核期限：${fmtDate(a.due_on)}前（${ctx.due_workdays}个工作日内）`,
      '审核结果将通过本公众号通知您。'],
    actions: `<button type="button" class="weui-btn weui-btn_default" id="withdraw">撤回申请</button>`,
  });
  $('#withdraw').addEventListener('click', async () => {
    if (!confirm('确定撤回入会申请吗？')) return;
    try {
      await api(`/api/join/applications/${a.id}/withdraw`, { method: 'POST' });
      toast('已撤回');
      await start();
    } catch (e) { toast(e.message); }
  });
}

async function prefill(a) {
  form.name.value = a.name || '';
  form.phone.value = a.phone || '';
  form.employer.value = a.employer || '';
  const radio = form.querySelector(`input[name="employment_form"][value="${a.employment_form}"]`);
  if (radio) { radio.checked = true; radio.dispatchEvent(new Event('change')); }
  if (a.industry_code) await industry.set(a.industry_code);
}

async function showForm(application) {
  show(stateBox, false);
  const note = $('#form-note');
  editing = null;
  form.id_number.placeholder = '18位居民身份证号';
  show($('#id-hint'), false);
  if (application?.status === 'correction') {
    editing = application;
    note.innerHTML = `<b>请按要求补正后重新提交：</b>${esc(application.reason)}`;
    form.id_number.placeholder = '不修改可不填';
    $('#id-hint').textContent = `已填：${application.id_masked}`;
    show($('#id-hint'), true);
    $('#submit').textContent = '提交补正';
    $('#target').textContent = `受理单位：${application.federation.name}`;
  } else if (application?.status === 'rejected') {
    note.innerHTML = `<b>您上次的申请未通过。</b>原因：${esc(application.reason)}。修改后可以重新申请。`;
  }
  show(note, !!application && ['correction', 'rejected'].includes(application.status));
  if (application && ['correction', 'rejected'].includes(application.status)) await prefill(application);
  await region.set(application?.region_code || '');
  $('#notice-title').textContent = ctx.notice.title;
  $('#notice-text').textContent = ctx.notice.text;
  $('#notice-version').textContent = '版本 ' + ctx.notice.version;
  $('#due-note').textContent = `提交后，受理单位将在${ctx.due_workdays}个工作日内完成审核。`;
  show(form, true);
}

async function start() {
  loading(true);
  try {
    ctx = await api('/api/join/context' + (fedParam ? `?fed=${encodeURIComponent(fedParam)}` : ''));
  } catch (e) {
    loading(false);
    stateCard({ icon: 'weui-icon-warn', title: '加载失败', lines: [esc(e.message)] });
    return;
  }
  loading(false);
  chosenFed = ctx.federation;
  describeTarget();
  if (ctx.membership) return showMember(ctx.membership);
  if (ctx.application?.status === 'pending') return showPending(ctx.application);
  await showForm(ctx.application);
}

// --- submit ----------------------------------------------------------------------------------
function collect() {
  return {
    name: form.name.value,
    id_number: form.id_number.value,
    phone: form.phone.value,
    employment_form: form.employment_form.value || '',
    employer: form.employer.value,
    region_code: region.value(),
    industry_code: industry.code,
    declaration: form.declaration.checked,
    constitution: form.constitution.checked,
    privacy_consent: form.privacy_consent.checked,
    notice_version: ctx.notice.version,
    fed: editing ? null : (chosenFed?.id ?? null),
  };
}

let busy = false;
form.addEventListener('submit', async e => {
  e.preventDefault();
  if (busy) return; // one tap, one application (the server enforces it too)
  busy = true;
  $('#submit').disabled = true;
  loading(true, '正在提交');
  showFieldErrors(form, {});
  try {
    const body = collect();
    const saved = editing
      ? await api(`/api/join/applications/${editing.id}`, { method: 'PUT', body })
      : await api('/api/join/applications', { method: 'POST', body });
    loading(false);
    window.scrollTo(0, 0);
    showPending(saved, true);
  } catch (err) {
    loading(false);
    if (err instanceof ApiError && Object.keys(err.fields).length) {
      showFieldErrors(form, err.fields);
      toast(err.message);
    } else if (err instanceof ApiError && ['already_member', 'application_open'].includes(err.code)) {
      toast(err.message, 2500);
      await start();
    } else {
      toast(err.message || '提交失败，请稍后再试');
    }
  } finally {
    busy = false;
    $('#submit').disabled = false;
  }
});

start();
