// The join form's pickers: a cascading region picker (GB/T 2260, /api/regions?parent=) and an
// industry search (GB/T 4754-2017, /api/industries?q=). `setError(field, message)` shows or
// clears the message under the field.
import { api } from '../lib/api.js';
import { $, esc } from '../lib/ui.js';

const COMMON_INDUSTRIES = [
  ['G6020', '快递服务'], ['H6242', '外卖送餐'], ['G5413', '出租车/网约车'],
  ['G5431', '货车司机'], ['O8010', '家政服务'], ['E47', '建筑施工'],
];

function show(el, on = true) { el.hidden = !on; }

export function regionPicker(form, setError) {
  const selects = [...form.querySelectorAll('.region-picker select')];
  const LEVEL_HINTS = ['请选择省份', '请选择城市', '请选择区县', '乡镇(选填)'];

  async function fillLevel(level, parent, selected) {
    const select = selects[level];
    const items = await api('/api/regions' + (parent ? `?parent=${encodeURIComponent(parent)}` : ''));
    select.innerHTML = `<option value="">${LEVEL_HINTS[level]}</option>` +
      items.map(r => `<option value="${esc(r.code)}">${esc(r.name)}</option>`).join('');
    select.disabled = items.length === 0;
    if (level === 3) select.hidden = items.length === 0;
    if (selected) select.value = selected;
    clearFrom(level + 1);
  }

  function clearFrom(level) {
    for (let l = level; l < selects.length; l++) {
      selects[l].innerHTML = `<option value="">${LEVEL_HINTS[l]}</option>`;
      selects[l].disabled = true;
      if (l === 3) selects[l].hidden = true;
    }
  }

  selects.forEach((select, level) => select.addEventListener('change', async () => {
    setError('region_code', '');
    if (level >= 3) return;
    if (select.value) await fillLevel(level + 1, select.value);
    else clearFrom(level + 1);
  }));

  function regionCode() {
    for (let l = selects.length - 1; l >= 0; l--) if (selects[l].value) return selects[l].value;
    return '';
  }

  async function setRegion(code) {
    const province = code ? code.slice(0, 2) + '0000' : '130000';
    await fillLevel(0, null, province);
    if (!code) { await fillLevel(1, province); return; }
    await fillLevel(1, province, code.slice(0, 4) + '00');
    await fillLevel(2, code.slice(0, 4) + '00', code.slice(0, 6));
    await fillLevel(3, code.slice(0, 6), code.length > 6 ? code : '');
  }

  return { regionCode, setRegion };
}

export function industryPicker(setError) {
  const industryQ = $('#industry-q');
  const industryResults = $('#industry-results');
  let industry = null;

  function chooseIndustry(code, name) {
    industry = code ? { code, name } : null;
    const chosen = $('#industry-chosen');
    chosen.innerHTML = industry
      ? `<span class="chosen__code">${esc(code)}</span> ${esc(name)} <button type="button" class="link" id="industry-clear">更改</button>` : '';
    show(chosen, !!industry);
    show(industryQ, !industry);
    show($('#industry-chips'), !industry);
    show(industryResults, false);
    setError('industry_code', '');
    $('#industry-clear')?.addEventListener('click', () => { chooseIndustry(null); industryQ.focus(); });
  }

  $('#industry-chips').innerHTML = COMMON_INDUSTRIES
    .map(([code, label]) => `<button type="button" class="chip" data-code="${code}">${label}</button>`).join('');
  $('#industry-chips').addEventListener('click', async e => {
    const code = e.target.closest('[data-code]')?.dataset.code;
    if (!code) return;
    const found = await api(`/api/industries?q=${encodeURIComponent(code)}`);
    const hit = found.find(i => i.code === code);
    if (hit) chooseIndustry(hit.code, hit.name);
  });

  let searchTimer = null;
  industryQ.addEventListener('input', () => {
    clearTimeout(searchTimer);
    const q = industryQ.value.trim();
    if (!q) { show(industryResults, false); return; }
    searchTimer = setTimeout(async () => {
      const items = await api(`/api/industries?q=${encodeURIComponent(q)}`);
      industryResults.innerHTML = items.length
        ? items.map(i => `<button type="button" class="search-results__item" data-code="${esc(i.code)}" data-name="${esc(i.name)}">
            <span class="chosen__code">${esc(i.code)}</span>${esc(i.name)}</button>`).join('')
        : '<p class="search-results__empty">没有找到，请换个词试试</p>';
      show(industryResults, true);
    }, 250);
  });
  industryResults.addEventListener('click', e => {
    const item = e.target.closest('[data-code]');
    if (item) chooseIndustry(item.dataset.code, item.dataset.name);
  });

  return { chooseIndustry, get code() { return industry?.code || ''; } };
}
