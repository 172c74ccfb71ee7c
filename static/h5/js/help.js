// 我要求助: the form, the cascading region picker, the industry search, the routing preview,
// then submit and upload the chosen photos one by one.
import { api, ApiError } from '/h5/lib/api.js';
import { $, esc, loading, showFieldErrors, toast } from '/h5/lib/ui.js';
import { industryPicker, regionPicker } from '/shared/pickers.js';

const TYPES = [
  ['wage_arrears', '欠薪', '被拖欠工资、加班费'],
  ['mediation', '劳动争议调解', '解除合同、社保、经济补偿等争议，由工会调解'],
  ['legal_aid', '法律援助', '需要律师代理仲裁、诉讼或代写文书'],
  ['work_injury', '工伤', '工伤认定、工伤待遇'],
  ['consultation', '法律咨询', '不确定怎么办，先问问'],
];
const MAX_PHOTOS = 9;
const form = $('#help-form');

// Learn who is asking (WeChat OAuth on a 401) before anything is typed: the first call that
// needs the worker used to be the submit, whose OAuth hop then threw the whole form away.
await api('/api/requests');
let photos = [];

// --- type ---------------------------------------------------------------------------------
$('#types').innerHTML = TYPES.map(([value, label, desc], i) => `
  <label class="weui-cell weui-cell_active weui-check__label" for="type-${value}">
    <div class="weui-cell__bd"><p>${label}</p><p class="weui-cell__desc">${desc}</p></div>
    <div class="weui-cell__ft"><input type="radio" class="weui-check" name="type" value="${value}" id="type-${value}" ${i === 0 ? 'checked' : ''}>
    <span class="weui-icon-checked"></span></div>
  </label>`).join('');
const chosenType = () => form.querySelector('input[name=type]:checked')?.value;
function showTypeFields() {
  document.querySelectorAll('[data-for-type]').forEach(el => { el.hidden = el.dataset.forType !== chosenType(); });
}
form.addEventListener('change', e => { if (e.target.name === 'type') showTypeFields(); });
showTypeFields();
const preset = new URLSearchParams(location.search).get('type');
if (preset && form.querySelector(`#type-${preset}`)) { form.querySelector(`#type-${preset}`).checked = true; showTypeFields(); }

// --- legal aid exemption ----------------------------------------------------------------------
function exempt() { return $('#migrant_worker').checked && ['wages', 'work_injury'].includes($('#claim').value); }
function showExemption() { $('#exempt-note').hidden = !exempt(); $('#ground-fields').hidden = exempt(); }
$('#migrant_worker').addEventListener('change', showExemption);
$('#claim').addEventListener('change', showExemption);

// --- the shared pickers: the region cascade and the industry search ---------------------------------
const region = regionPicker([1, 2, 3, 4].map(n => $(`#region-${n}`)), { wrap: select => select.closest('.weui-cell') });
const industry = industryPicker({ input: $('#industry-q'), results: $('#industry-results'), chosen: $('#industry-chosen'),
  chips: $('#industry-chips') });
await region.set('');

// --- photos ------------------------------------------------------------------------------------------
$('#photos').addEventListener('change', () => {
  const picked = [...$('#photos').files].filter(f => f.type.startsWith('image/'));
  photos = photos.concat(picked).slice(0, MAX_PHOTOS);
  if (picked.some(f => f.size > 5 * 1024 * 1024)) toast('单张图片不能超过5MB');
  photos = photos.filter(f => f.size <= 5 * 1024 * 1024);
  $('#thumbs').innerHTML = photos.map(f => `<img alt="" src="${URL.createObjectURL(f)}">`).join('');
  $('#photos').value = '';
});

// --- collect, preview, submit ------------------------------------------------------------------------
// One key per opening of the form: a double tap or a resend after a lost answer carries the same key,
// and the server answers the first request instead of making a second (held for a day).
const submissionKey = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
const val = id => $(`#${id}`).value.trim();
function payload() {
  const type = chosenType();
  const details = {
    mediation: { employer_address: val('employer_address'), legal_representative: val('legal_representative') },
    legal_aid: { migrant_worker: $('#migrant_worker').checked, claim: $('#claim').value,
                 ground: exempt() ? null : $('#ground').value, ground_note: exempt() ? null : val('ground_note') },
    work_injury: { injury_date: val('injury_date'), recognised: $('#recognised').value },
    wage_arrears: { months: val('months'), workers_affected: val('workers_affected') },
    consultation: {},
  }[type];
  return {
    type, employer_name: val('employer_name'), region: region.value(), industry: industry.code,
    facts: val('facts'), wants: val('wants'), amount: val('amount') || null, learned_on: val('learned_on') || null,
    name: val('name'), phone: val('phone'), consent: $('#consent').checked, details,
  };
}

function showErrors(fields) {
  showFieldErrors(form, fields);
  // the first message in view, not hidden under the title bar
  const first = [...form.querySelectorAll('.field-error')].find(el => !el.hidden);
  if (first) window.scrollTo(0, Math.max(0, first.getBoundingClientRect().top + window.scrollY - 120));
}

function problem(err) {
  if (err instanceof ApiError && err.status === 422) {
    form.hidden = false; $('#confirm').hidden = true;
    showErrors(err.fields);
    toast('请按提示修改');
  } else {
    toast(err.message || '提交失败，请稍后再试');
  }
}

form.addEventListener('submit', async e => {
  e.preventDefault();
  const data = payload();
  const missing = {};
  if (!data.region || region.chosen().length < 3) missing.region = '请选择到区县一级';
  if (!data.industry) missing.industry = '请搜索并选择所在行业';
  if (!data.consent) missing.consent = '请阅读并同意个人信息处理说明';
  if (Object.keys(missing).length) { showErrors(missing); return; }
  showFieldErrors(form, {});
  try {
    loading(true, '正在检查');
    await api('/api/requests/check', { method: 'POST', body: data });  // every field, before confirming
    const preview = await api(`/api/requests/preview?region=${data.region}&industry=${data.industry}&type=${data.type}`);
    $('#preview-text').innerHTML = `<strong>${esc(preview.federation_name)}</strong><br>${esc(preview.sentence)}`;
    form.hidden = true;
    $('#confirm').hidden = false;
    window.scrollTo(0, 0);
  } catch (err) { problem(err); } finally { loading(false); }
});

$('#back').addEventListener('click', () => { $('#confirm').hidden = true; form.hidden = false; });

$('#submit').addEventListener('click', async () => {
  const button = $('#submit');
  button.disabled = true;
  try {
    loading(true, '正在提交');
    const created = await api('/api/requests', { method: 'POST', body: payload(),
                                                 headers: { 'Idempotency-Key': submissionKey } });
    let failed = 0;
    for (const [i, file] of photos.entries()) {
      loading(false); loading(true, `上传照片 ${i + 1}/${photos.length}`);
      const data = new FormData();
      data.append('file', file, file.name);
      try { await api(`/api/requests/${created.id}/attachments`, { method: 'POST', form: data }); } catch { failed += 1; }
    }
    $('#confirm').hidden = true;
    $('#done').hidden = false;
    $('#done-text').innerHTML = `求助编号 <strong>${esc(created.number)}</strong><br>由${esc(created.federation_name)}受理。` +
      (failed ? `<br>${failed}张照片未能上传，可在诉求页面重新上传。` : '');
    $('#done-link').href = `/h5/request.html?id=${created.id}`;
  } catch (err) {
    $('#confirm').hidden = true; form.hidden = false;
    problem(err);
  } finally { loading(false); button.disabled = false; }
});

// --- what the worker already gave, and character counts --------------------------------------------
const known = await api('/api/requests/prefill').catch(() => ({}));
for (const key of ['name', 'phone', 'employer_name']) if (known[key] && !val(key)) $(`#${key}`).value = known[key];
if (known.region_code && region.chosen().length < 3) await region.set(known.region_code);
if (known.industry_code && !industry.code) await industry.set(known.industry_code);
const MINIMUM = { facts: 10, wants: 2 };
form.querySelectorAll('textarea[maxlength]').forEach(area => {
  const counter = document.createElement('div');
  counter.className = 'weui-textarea-counter char-count';
  counter.id = `${area.id}-count`;
  area.after(counter);
  const update = () => {
    const n = area.value.trim().length;
    const min = MINIMUM[area.id];
    counter.textContent = `${n}/${area.maxLength}` + (min && n < min ? `（至少${min}字）` : '');
    counter.classList.toggle('short', Boolean(min && n < min));
  };
  area.addEventListener('input', update);
  update();
});
