// 服务阵地 list: near a point (from the bot's link, or the worker's last location sent in the
// chat) or by region; filtered by facility; sorted by distance whenever a point is known.
import { api } from '/h5/lib/api.js';
import { $, esc, loading, toast } from '/h5/lib/ui.js';

const params = new URLSearchParams(location.search);
const state = {
  tab: params.get('tab') === 'region' ? 'region' : 'near',
  point: params.get('lat') && params.get('lng') ? { lat: params.get('lat'), lng: params.get('lng') } : null,
  facilities: new Set((params.get('facilities') || '').split(',').filter(Boolean)),
  region: params.get('region') || '',
  options: null,
};

function stateTag(p) {
  if (p.status === 'suspended') return `<span class="pos-state pos-state_paused">${esc(p.state.text)}</span>`;
  return `<span class="pos-state ${p.state.open_now ? 'pos-state_open' : 'pos-state_shut'}">${esc(p.state.text)}</span>`;
}

export function detailUrl(p) {
  const q = new URLSearchParams({ id: p.id });
  if (state.point) { q.set('lat', state.point.lat); q.set('lng', state.point.lng); }
  return `/h5/position.html?${q}`;
}

function item(hit) {
  const p = hit.position;
  const facilities = p.facilities.map(f => f.label).join(' · ');
  return `<a class="weui-media-box weui-media-box_text" href="${detailUrl(p)}" data-id="${p.id}">
    <div class="pos-title"><h4>${esc(p.name)}</h4>${hit.distance_text ? `<span class="pos-distance">${esc(hit.distance_text)}</span>` : ''}</div>
    <div>${stateTag(p)}<span class="pos-kind">${esc(p.kind_label)}</span></div>
    ${facilities ? `<p class="pos-facilities">${esc(facilities)}</p>` : ''}
    <p class="pos-address">${esc(p.address)}</p>
  </a>`;
}

function render(hits, empty) {
  $('#list').innerHTML = hits.length
    ? `<div class="weui-panel weui-panel_access"><div class="weui-panel__bd">${hits.map(item).join('')}</div></div>`
    : `<p class="pos-empty">${empty}</p>`;
}

function facilityQuery() {
  return state.facilities.size ? `&facilities=${[...state.facilities].join(',')}` : '';
}

async function loadNear() {
  $('#region-bar').hidden = true;
  if (!state.point) {
    // the worker's last location (a location sent in the chat or WeChat's report), if the page knows them
    const res = await fetch('/api/positions/near-me', { credentials: 'same-origin' });
    if (res.ok) {
      const me = await res.json();
      state.point = { lat: me.latitude.toFixed(6), lng: me.longitude.toFixed(6) };
    }
  }
  if (!state.point) {
    $('#where').textContent = '';
    render([], '还不知道您在哪里。<br>请回到公众号对话，点击“＋”→“位置”发送您的位置，<br>或切换到“按地区”查找。');
    return;
  }
  $('#where').textContent = `按距离排序（您的位置 ${state.point.lat}, ${state.point.lng}）`;
  const hits = await api(`/api/positions/nearby?lat=${state.point.lat}&lng=${state.point.lng}&limit=20${facilityQuery()}`);
  render(hits, '附近50公里内没有符合条件的服务阵地，试试减少筛选条件或“按地区”查找');
}

async function fillSelect(select, parent, chosen, blank) {
  const regions = await api(`/api/regions?parent=${parent}`);
  select.innerHTML = `<option value="">${blank}</option>` +
    regions.map(r => `<option value="${r.code}">${esc(r.name)}</option>`).join('');
  select.value = chosen || '';
}

async function loadRegion() {
  $('#region-bar').hidden = false;
  const city = state.region.slice(0, 4) ? state.region.slice(0, 4) + '00' : '';
  if (!$('#city').options.length) await fillSelect($('#city'), '130000', city, '河北省全省');
  const code = state.region;
  $('#where').textContent = state.point ? '按距离排序' : '按地区排列';
  const near = state.point ? `&lat=${state.point.lat}&lng=${state.point.lng}` : '';
  const region = !code ? '13' : code.endsWith('00') ? code.slice(0, 4) : code; // a city: its 4-digit prefix
  const hits = await api(`/api/positions?region=${region}${near}${facilityQuery()}`);
  render(hits, '该地区还没有登记的服务阵地');
}

async function load() {
  document.querySelectorAll('.pos-tabs .weui-navbar__item').forEach(el => {
    el.classList.toggle('weui-bar__item_on', el.dataset.tab === state.tab);
    el.setAttribute('aria-selected', el.dataset.tab === state.tab);
  });
  loading(true);
  try {
    if (state.tab === 'near') await loadNear(); else await loadRegion();
  } catch (err) {
    toast(err.message);
  } finally {
    loading(false);
  }
}

function renderFacilities() {
  $('#facility-bar').innerHTML = state.options.facilities.map(f =>
    `<button type="button" data-key="${f.key}" aria-pressed="${state.facilities.has(f.key)}">${esc(f.label)}</button>`).join('');
}

$('.pos-tabs').addEventListener('click', (e) => {
  const button = e.target.closest('[data-tab]');
  if (!button || button.dataset.tab === state.tab) return;
  state.tab = button.dataset.tab;
  load();
});
$('#facility-bar').addEventListener('click', (e) => {
  const button = e.target.closest('[data-key]');
  if (!button) return;
  const key = button.dataset.key;
  if (state.facilities.has(key)) state.facilities.delete(key); else state.facilities.add(key);
  button.setAttribute('aria-pressed', state.facilities.has(key));
  load();
});
$('#city').addEventListener('change', async () => {
  state.region = $('#city').value;
  $('#county').innerHTML = '';
  if (state.region) await fillSelect($('#county'), state.region, '', '全市');
  load();
});
$('#county').addEventListener('change', () => {
  state.region = $('#county').value || $('#city').value;
  load();
});

(async () => {
  try {
    state.options = await api('/api/positions/options');
    renderFacilities();
  } catch (err) {
    toast(err.message);
  }
  await load();
})();
