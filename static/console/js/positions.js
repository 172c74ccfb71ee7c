// 服务阵地: the positions of the staff member's subtree; register and edit them (coordinates
// typed or pasted and checked to lie in the region as they are entered), open/suspend/close.
import { api, ApiError, esc, flash } from '/console/lib/api.js';
import { mountLayout } from '/console/lib/layout.js';
import { mountRegionPicker } from '/shared/pickers.js';

const staff = await mountLayout('positions');
const MANAGER = ['admin', 'chair'].includes(staff.role);
const $ = (sel, root = document) => root.querySelector(sel);
const DAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const state = { rows: [], options: null, federations: [], editing: null, region: null };
const STATE_TAG = { open: 'green', suspended: 'orange', closed: '' };

function debounce(fn, ms = 300) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// ------------------------------------------------------------------ the list
async function loadRows() {
  const status = $('#filter-status').value;
  state.rows = await api('/api/staff/positions' + (status ? `?status=${status}` : ''));
  $('#rows').innerHTML = state.rows.length ? state.rows.map(p => `<tr data-id="${p.id}">
      <td><a href="#id=${p.id}">${esc(p.name)}</a><div class="sub">${esc(p.address)}</div></td>
      <td>${esc(p.kind_label)}</td><td>${esc(p.region_name)}</td>
      <td><span class="tag ${STATE_TAG[p.status]}">${esc(p.status_label)}</span><div class="sub">${esc(p.status === 'open' ? p.state.text : p.status_note || '')}</div></td>
      <td>${esc(p.federation_name)}</td></tr>`).join('')
    : '<tr><td colspan="5" class="muted">还没有登记服务阵地</td></tr>';
}

// ------------------------------------------------------------------ coordinates
// "38.04391, 114.53572" or a map's "114.53572,38.04391" (longitude first): in Hebei a latitude
// is below 90 and a longitude above, so the order is recognised either way.
export function parseCoordinates(text) {
  const parts = String(text || '').split(/[\s,，;；]+/).filter(Boolean).map(Number);
  if (parts.length !== 2 || parts.some(n => !Number.isFinite(n))) return null;
  const [a, b] = parts;
  return Math.abs(a) > 90 && Math.abs(b) <= 90 ? { lat: b, lng: a } : { lat: a, lng: b };
}

async function checkCoordinates(form) {
  const out = $('#coords-check', form);
  const region = state.region?.value() || '';
  const lat = form.latitude.value.trim();
  const lng = form.longitude.value.trim();
  out.className = 'coords-check';
  if (!region || !lat || !lng) { out.textContent = '选择地区并填写坐标后自动核对'; return; }
  try {
    const answer = await api(`/api/staff/positions/check-coordinates?region=${region}&lat=${encodeURIComponent(lat)}&lng=${encodeURIComponent(lng)}`);
    out.textContent = (answer.inside ? '✓ ' : '✗ ') + answer.message;
    out.classList.add(answer.inside ? 'ok' : 'bad');
  } catch (err) {
    out.textContent = '✗ ' + (Object.values(err.fields || {}).join('；') || err.message);
    out.classList.add('bad');
  }
}

// ------------------------------------------------------------------ opening hours
function hoursFields(hours) {
  const weekly = hours?.weekly || {};
  const exceptions = Object.entries(hours?.exceptions || {})
    .map(([day, slots]) => `${day} ${slots.length ? slots.join(',') : '不开放'}`).join('\n');
  return `<div class="week">${DAYS.map((label, i) => `<label for="day-${i + 1}">${label}</label>
      <div><input type="text" id="day-${i + 1}" name="day-${i + 1}" value="${esc((weekly[i + 1] || []).join(', '))}"
        placeholder="如 08:00-20:00，跨夜 22:00-06:00，全天 00:00-24:00，空为不开放"><div class="field-msg" data-for="hours.weekly.${i + 1}"></div></div>`).join('')}</div>
    <div class="grid2">
      <div><label>法定节假日</label><select name="holidays">
        <option value="weekly" ${hours?.holidays === 'weekly' || !hours?.holidays ? 'selected' : ''}>照常开放</option>
        <option value="closed" ${hours?.holidays === 'closed' ? 'selected' : ''}>不开放</option>
        <option value="hours" ${hours?.holidays === 'hours' ? 'selected' : ''}>单独时段</option></select>
        <div class="field-msg" data-for="hours.holidays"></div></div>
      <div><label>节假日时段</label><input type="text" name="holiday_hours" value="${esc((hours?.holiday_hours || []).join(', '))}" placeholder="如 09:00-17:00">
        <div class="field-msg" data-for="hours.holiday_hours"></div></div>
    </div>
    <label>特别日期（每行一个：日期 时段，或“不开放”）</label>
    <textarea name="exceptions" rows="2" placeholder="2027-01-01 不开放&#10;2026-12-31 08:00-24:00">${esc(exceptions)}</textarea>
    <div class="field-msg" data-for="hours.exceptions"></div>`;
}

const slots = text => String(text || '').split(/[,，;；\s]+/).filter(Boolean);

function readHours(form) {
  const weekly = {};
  DAYS.forEach((_, i) => { weekly[i + 1] = slots(form[`day-${i + 1}`].value); });
  const exceptions = {};
  for (const line of form.exceptions.value.split('\n').map(l => l.trim()).filter(Boolean)) {
    const [day, ...rest] = line.split(/\s+/);
    exceptions[day] = rest.join(' ').includes('不开放') ? [] : slots(rest.join(' '));
  }
  return { weekly, holidays: form.holidays.value, holiday_hours: slots(form.holiday_hours.value), exceptions };
}

// ------------------------------------------------------------------ the editor
function editorHtml(p, federationId = null) {
  const v = p || { kind: 'outdoor_station', facilities: [], hours: null, photos: [], federation_id: federationId };
  const opt = (list, chosen) => list.map(o => `<option value="${o.key}" ${o.key === chosen ? 'selected' : ''}>${esc(o.label)}</option>`).join('');
  const feds = state.federations.filter(f => f.status !== 'dissolved')
    .map(f => `<option value="${f.id}" ${f.id === (v.federation_id || staff.federation_id) ? 'selected' : ''}>${esc(f.name)}</option>`).join('');
  const checks = state.options.facilities.map(f => `<label><input type="checkbox" name="facilities" value="${f.key}"
      ${v.facilities.some(x => (x.key || x) === f.key) ? 'checked' : ''}>${esc(f.label)}</label>`).join('');
  const stateBlock = p ? `<fieldset><legend>开放状态：${esc(p.status_label)}</legend>
      <div class="state-actions">
        <input type="text" id="status-note" placeholder="暂停或关闭的原因（职工会看到）" value="${esc(p.status_note || '')}" maxlength="200">
        ${p.status !== 'open' ? '<button type="button" data-status="open">恢复开放</button>' : ''}
        ${p.status !== 'suspended' ? '<button type="button" data-status="suspended">暂停开放</button>' : ''}
        ${p.status !== 'closed' ? '<button type="button" data-status="closed" class="danger">关闭</button>' : ''}
      </div><div class="field-msg" data-for="status_note"></div></fieldset>` : '';
  return `<h2>${p ? '编辑服务阵地' : '登记服务阵地'}</h2>
    <form id="position-form" novalidate>
      <label>所属工会</label><select name="federation_id">${feds}</select>
      <label>名称 *</label><input type="text" name="name" value="${esc(v.name || '')}" maxlength="100"><div class="field-msg" data-for="name"></div>
      <div class="grid2">
        <div><label>类型 *</label><select name="kind">${opt(state.options.kinds, v.kind)}</select><div class="field-msg" data-for="kind"></div></div>
        <div><label>场地提供单位</label><input type="text" name="host_unit" value="${esc(v.host_unit || '')}" maxlength="100"></div>
      </div>
      <fieldset><legend>位置</legend>
        <label>地区 *</label><div id="region"></div><div class="field-msg" data-for="region_code"></div>
        <label>详细地址 *</label><input type="text" name="address" value="${esc(v.address || '')}" maxlength="200"><div class="field-msg" data-for="address"></div>
        <label>粘贴坐标（地图上复制的“经度,纬度”或“纬度,经度”均可）</label>
        <input type="text" id="paste" placeholder="如 114.53572,38.04391">
        <div class="grid2">
          <div><label>纬度 *</label><input type="text" name="latitude" value="${v.latitude ?? ''}" inputmode="decimal"></div>
          <div><label>经度 *</label><input type="text" name="longitude" value="${v.longitude ?? ''}" inputmode="decimal"></div>
        </div>
        <div class="coords-check" id="coords-check"></div>
        <div class="field-msg" data-for="latitude"></div><div class="field-msg" data-for="longitude"></div>
        <p class="muted small">坐标为 GCJ-02（高德、腾讯地图和微信位置使用的坐标）。系统无法在线查询地址，请在地图上找到位置后复制坐标。</p>
      </fieldset>
      <fieldset><legend>开放时间</legend>${hoursFields(v.hours)}
        <label>开放时间说明</label><input type="text" name="hours_note" value="${esc(v.hours_note || '')}" maxlength="200" placeholder="如 夏季延长至 21:00"></fieldset>
      <fieldset><legend>设施与服务</legend><div class="checks">${checks}</div><div class="field-msg" data-for="facilities"></div>
        <label>服务内容</label><textarea name="services" rows="2" maxlength="2000" placeholder="如 每周三下午律师值班">${esc(v.services || '')}</textarea></fieldset>
      <div class="grid2">
        <div><label>联系人</label><input type="text" name="contact_name" value="${esc(v.contact_name || '')}" maxlength="50"></div>
        <div><label>联系电话</label><input type="text" name="contact_phone" value="${esc(v.contact_phone || '')}" maxlength="30"><div class="field-msg" data-for="contact_phone"></div></div>
      </div>
      <label>照片链接（每行一个）</label><textarea name="photos" rows="2">${esc((v.photos || []).join('\n'))}</textarea><div class="field-msg" data-for="photos"></div>
      <p class="error" data-error="form"></p>
      <div class="form-actions"><button type="button" id="cancel">取消</button><button type="submit" class="primary">${p ? '保存' : '登记'}</button></div>
    </form>${stateBlock}`;
}

function showErrors(form, err) {
  form.querySelectorAll('[data-for]').forEach(el => { el.textContent = ''; });
  const general = $('[data-error="form"]', form);
  general.textContent = '';
  if (!(err instanceof ApiError)) throw err;
  const rest = [];
  for (const [key, message] of Object.entries(err.fields || {})) {
    const slot = form.querySelector(`[data-for="${key}"]`) || (key.startsWith('hours') && form.querySelector('[data-for="hours.exceptions"]'));
    if (slot) slot.textContent = message; else rest.push(message);
  }
  if (rest.length || !Object.keys(err.fields || {}).length) general.textContent = rest.length ? rest.join('；') : err.message;
}

function readForm(form) {
  const number = value => (value.trim() === '' ? null : Number(value));
  return {
    federation_id: Number(form.federation_id.value), name: form.name.value, kind: form.kind.value,
    host_unit: form.host_unit.value || null, address: form.address.value, region_code: state.region.value(),
    latitude: number(form.latitude.value), longitude: number(form.longitude.value), hours: readHours(form),
    hours_note: form.hours_note.value || null,
    facilities: [...form.querySelectorAll('input[name=facilities]:checked')].map(el => el.value),
    services: form.services.value || null, contact_name: form.contact_name.value || null,
    contact_phone: form.contact_phone.value || null,
    photos: form.photos.value.split('\n').map(s => s.trim()).filter(Boolean),
  };
}

// `federationId`: a new position for that federation (the governance board links here with #new=<id>).
async function openEditor(position, federationId = null) {
  state.editing = position;
  const box = $('#editor');
  box.hidden = false;
  box.innerHTML = editorHtml(position, federationId);
  const form = $('#position-form', box);
  // Positions are in Hebei: the province is fixed, the city and county chosen by name.
  const owner = state.federations.find(f => f.id === federationId);
  const recheck = debounce(() => checkCoordinates(form));
  state.region = mountRegionPicker($('#region', form), { province: '130000', lockProvince: true,
    hints: ['', '请选择市', '请选择区县', '街道乡镇（选填）'], onChange: recheck });
  await state.region.set(position?.region_code || owner?.region_code || '130102');
  form.latitude.addEventListener('input', recheck);
  form.longitude.addEventListener('input', recheck);
  $('#paste', form).addEventListener('input', (e) => {
    const point = parseCoordinates(e.target.value);
    if (!point) return;
    form.latitude.value = point.lat;
    form.longitude.value = point.lng;
    recheck();
  });
  checkCoordinates(form);
  $('#cancel', form).addEventListener('click', () => { box.hidden = true; location.hash = ''; });
  if (!MANAGER) form.querySelectorAll('input, select, textarea, button[type=submit]').forEach(el => { el.disabled = true; });
  form.dataset.ready = '1';
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = readForm(form);
    try {
      const saved = position
        ? await api(`/api/staff/positions/${position.id}`, { method: 'PATCH', body: data })
        : await api('/api/staff/positions', { method: 'POST', body: data });
      flash(position ? '已保存' : '已登记，职工发送位置时即可查到');
      await loadRows();
      location.hash = `id=${saved.id}`;
      await openEditor(saved);
    } catch (err) {
      showErrors(form, err);
    }
  });
  box.querySelectorAll('[data-status]').forEach(button => button.addEventListener('click', async () => {
    try {
      const saved = await api(`/api/staff/positions/${position.id}/status`, {
        method: 'POST', body: { status: button.dataset.status, note: $('#status-note').value || null } });
      flash(`已${saved.status_label}`);
      await loadRows();
      await openEditor(saved);
    } catch (err) {
      const slot = box.querySelector('[data-for="status_note"]');
      slot.textContent = Object.values(err.fields || {}).join('；') || err.message;
    }
  }));
}

async function route() {
  const fresh = location.hash.match(/new=(\d+)/);
  if (fresh && MANAGER) return openEditor(null, Number(fresh[1]));
  const match = location.hash.match(/(?:^#|&)id=(\d+)/);
  if (match) await openEditor(await api(`/api/staff/positions/${match[1]}`));
}

state.options = await api('/api/positions/options');
state.federations = await api('/api/admin/federations');
$('#new').hidden = !MANAGER;
$('#new').addEventListener('click', () => { location.hash = ''; openEditor(null); });
$('#filter-status').addEventListener('change', loadRows);
window.addEventListener('hashchange', route);
await loadRows();
await route();
document.body.dataset.ready = '1';
