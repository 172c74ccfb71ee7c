// The region and industry pickers of every form, worker pages and staff console alike: a cascade
// of selects over GB/T 2260 (/api/regions?parent=, /api/regions/<code>/path) and a search over
// GB/T 4754-2017 (/api/industries?q=). Each page keeps its own markup (WeUI cells or console
// fields) and hands the elements over; people see names, the form submits the code.
import { callApi } from '/shared/fetch.js';

// Public look-ups: no login is involved, so neither side's 401 handling applies.
const lookup = path => callApi(path);

function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export const SEPARATOR = ' › ';

// ------------------------------------------------------------------ regions

export const WORKER_HINTS = ['请选择省份', '请选择城市', '请选择区县', '街道乡镇（选填）'];
// Staff may mean a whole province or city (a coverage rule, a contest's area): the empty
// choice of a level is "all of the level above".
export const AREA_HINTS = ['请选择省份', '（全省）', '（全市）', '（全区县）'];

/**
 * A cascade over four selects (province, city, county, township). The township select — or
 * what `wrap(select)` answers, e.g. its WeUI cell — is hidden while there is nothing to choose.
 *   province: the province chosen when nothing is set ('130000'); lockProvince keeps it so.
 *   onChange(code): after the staff member or worker changes a level.
 * Answers { value(), chosen(), label(), set(code) }: value() is the deepest code chosen,
 * label() its names from the city down ("石家庄市 › 长安区").
 */
export function regionPicker(selects, { hints = WORKER_HINTS, province = '130000', lockProvince = false,
                                        wrap = select => select, onChange = () => {} } = {}) {
  const last = selects.length - 1;

  function clearFrom(level) {
    for (let l = level; l <= last; l++) {
      selects[l].innerHTML = `<option value="">${esc(hints[l])}</option>`;
      selects[l].disabled = true;
      if (l === last) wrap(selects[l]).hidden = true;
    }
  }

  async function fillLevel(level, parent, selected) {
    const select = selects[level];
    let items = [];
    try {
      items = await lookup('/api/regions' + (parent ? `?parent=${encodeURIComponent(parent)}` : ''));
    } catch { items = []; }
    if (level === 0 && lockProvince) items = items.filter(r => r.code === province);
    select.innerHTML = (level === 0 && lockProvince ? '' : `<option value="">${esc(hints[level])}</option>`) +
      items.map(r => `<option value="${esc(r.code)}">${esc(r.name)}${r.custom ? '（功能区）' : ''}</option>`).join('');
    select.disabled = items.length === 0 || (level === 0 && lockProvince);
    if (level === last) wrap(select).hidden = items.length === 0;
    select.value = selected && items.some(r => r.code === selected) ? selected : '';
    clearFrom(level + 1);
  }

  selects.forEach((select, level) => select.addEventListener('change', async () => {
    if (level < last && select.value) await fillLevel(level + 1, select.value);
    else clearFrom(level + 1);
    onChange(picker.value());
  }));

  const picker = {
    value() {
      for (let l = last; l >= 0; l--) if (selects[l].value) return selects[l].value;
      return '';
    },
    /** The chosen levels, province first: [{ code, name }]. */
    chosen() {
      return selects.filter(s => s.value).map(s => ({ code: s.value, name: s.selectedOptions[0]?.textContent || '' }));
    },
    label() {
      const names = picker.chosen().map(c => c.name);
      return (names.length > 1 ? names.slice(1) : names).join(SEPARATOR);
    },
    /** Shows `code` (any level); none: the default province and its cities. */
    async set(code) {
      let path = [];
      if (code) {
        try { path = await lookup(`/api/regions/${encodeURIComponent(code)}/path`); } catch { path = []; }
      }
      if (lockProvince && path.length && path[0].code !== province) path = [];
      if (!path.length) {
        await fillLevel(0, null, province);
        if (selects[0].value) await fillLevel(1, selects[0].value);
        return;
      }
      await fillLevel(0, null, path[0].code);
      for (let l = 1; l <= last && l <= path.length; l++) await fillLevel(l, path[l - 1].code, path[l]?.code);
    },
  };
  return picker;
}

/** Four selects made inside `host` (the console's forms), then regionPicker over them. */
export function mountRegionPicker(host, options = {}) {
  const names = ['省', '市', '区县', '街道乡镇'];
  host.classList.add('region-picker');
  host.innerHTML = names.map((name, level) =>
    `<select data-level="${level}" aria-label="${name}" disabled${level === 3 ? ' hidden' : ''}></select>`).join('');
  return regionPicker([...host.querySelectorAll('select')], options);
}

// ------------------------------------------------------------------ industries

// Trades many of our workers name first (chips under the search box of the worker pages).
export const COMMON_INDUSTRIES = [
  ['G6020', '快递服务'], ['H6242', '外卖送餐'], ['G5413', '出租车/网约车'],
  ['G5431', '货车司机'], ['O8010', '家政服务'], ['E47', '建筑施工'],
];

// "交通运输、仓储和邮政业 > 邮政业 > 快递服务 > 快递服务" → "交通运输、仓储和邮政业 › 邮政业":
// the ancestors of the entry, a level repeating its single child's name said once.
function context(item) {
  const steps = String(item.path || '').split(' > ').filter(Boolean);
  const names = steps.filter((name, i) => name !== steps[i - 1]);
  if (names[names.length - 1] === item.name) names.pop();
  return names.join(SEPARATOR);
}

// The standard repeats a level that has one child (G602 快递服务 → G6020 快递服务): show the
// entry once, as the finer code.
function withoutRepeats(items) {
  return items.filter(item => !items.some(other => other.parent_code === item.code && other.name === item.name));
}

/**
 * The industry search: type a keyword (快递) or a code (G60), choose from the list, see the
 * name. Elements: input (the search box), results (the list), chosen (the chosen industry with
 * 更改), chips (optional common trades).
 *   onChange(code): after choosing or clearing. placeholderChosen: text while none is chosen.
 * Answers { code, name, choose(code, name, path), set(code), clear() }.
 */
export function industryPicker({ input, results, chosen, chips = null },
                               { onChange = () => {}, common = COMMON_INDUSTRIES, limit = 12, changeText = '更改' } = {}) {
  let industry = null;
  let shown = [];

  function render() {
    chosen.innerHTML = industry ? `<span class="picker-chosen__name">${esc(industry.name)}</span>` +
      (industry.context ? `<small class="picker-chosen__path">${esc(industry.context)}</small>` : '') +
      ` <button type="button" class="link" data-picker-clear>${esc(changeText)}</button>` : '';
    chosen.hidden = !industry;
    if (industry) chosen.title = industry.code;
    input.hidden = !!industry;
    if (chips) chips.hidden = !!industry;
    results.hidden = true;
  }

  function choose(code, name, path = '') {
    industry = code ? { code, name, context: context({ name, path }) } : null;
    input.value = '';
    render();
    onChange(industry?.code || '');
  }

  async function find(code) {
    const found = await lookup(`/api/industries?q=${encodeURIComponent(code)}&limit=5`).catch(() => []);
    return found.find(i => i.code === code.toUpperCase()) || null;
  }

  chosen.addEventListener('click', e => {
    if (!e.target.closest('[data-picker-clear]')) return;
    choose(null);
    input.focus();
  });

  if (chips && common.length) {
    chips.innerHTML = common.map(([code, label]) => `<button type="button" class="chip" data-code="${esc(code)}">${esc(label)}</button>`).join('');
    chips.addEventListener('click', async e => {
      const code = e.target.closest('[data-code]')?.dataset.code;
      const hit = code && await find(code);
      if (hit) choose(hit.code, hit.name, hit.path);
    });
  }

  let timer = null;
  let asked = 0;
  input.setAttribute('autocomplete', 'off');
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { results.hidden = true; results.innerHTML = ''; return; }
    timer = setTimeout(async () => {
      const mine = ++asked;
      let items = [];
      try { items = await lookup(`/api/industries?q=${encodeURIComponent(q)}&limit=${limit}`); } catch { items = []; }
      if (mine !== asked) return; // a later search has answered or will
      shown = withoutRepeats(items);
      results.innerHTML = shown.length
        ? shown.map(i => `<button type="button" class="picker-result" data-code="${esc(i.code)}" title="${esc(i.code)}">
            <span class="picker-result__name">${esc(i.name)}</span><small class="picker-result__path">${esc(context(i))}</small></button>`).join('')
        : '<p class="picker-empty">没有找到，请换个词试试</p>';
      results.hidden = false;
    }, 250);
  });
  // Enter chooses the first hit instead of submitting the form; Escape closes the list.
  input.addEventListener('keydown', e => {
    if (e.key === 'Escape') { results.hidden = true; return; }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    if (!results.hidden && shown.length) choose(shown[0].code, shown[0].name, shown[0].path);
  });
  input.addEventListener('focus', () => { if (input.value.trim() && shown.length) results.hidden = false; });
  const outside = e => {
    if (!input.isConnected) { document.removeEventListener('click', outside); return; } // its form was re-drawn
    if (e.target !== input && !results.contains(e.target)) results.hidden = true;
  };
  document.addEventListener('click', outside);
  results.addEventListener('click', e => {
    const code = e.target.closest('[data-code]')?.dataset.code;
    const hit = shown.find(i => i.code === code);
    if (hit) choose(hit.code, hit.name, hit.path);
  });

  render();
  return {
    get code() { return industry?.code || ''; },
    get name() { return industry?.name || ''; },
    choose,
    /** Shows the industry of `code` by its name (looked up); none or unknown: nothing chosen. */
    async set(code) {
      const hit = code ? await find(code) : null;
      industry = hit ? { code: hit.code, name: hit.name, context: context(hit) } : null;
      input.value = '';
      render();
    },
    clear() { choose(null); },
  };
}

/** The search box, list and chosen line made inside `host` (the console's forms). */
export function mountIndustryPicker(host, { inputId = '', placeholder = '搜索行业，如：快递、外卖、建筑', chips = false, ...options } = {}) {
  host.classList.add('industry-picker');
  host.innerHTML = `<div class="chosen" hidden></div>
    <input type="search" ${inputId ? `id="${esc(inputId)}"` : ''} placeholder="${esc(placeholder)}">
    ${chips ? '<div class="chips"></div>' : ''}<div class="search-results" hidden></div>`;
  return industryPicker({ input: host.querySelector('input'), results: host.querySelector('.search-results'),
    chosen: host.querySelector('.chosen'), chips: host.querySelector('.chips') }, options);
}
