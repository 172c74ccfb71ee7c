// One service position: when it is open, what it offers, how to get there (a standard map link
// the phone opens in its own map app; nothing is loaded from a map service here).
import { api, qs } from '/h5/lib/api.js';
import { $, esc, loading } from '/h5/lib/ui.js';

function row(label, value) {
  return value ? `<div class="weui-form-preview__item"><label class="weui-form-preview__label">${label}</label>
    <span class="weui-form-preview__value">${value}</span></div>` : '';
}

function stateClass(p) {
  if (p.status === 'suspended') return 'pos-state_paused';
  return p.state.open_now ? 'pos-state_open' : 'pos-state_shut';
}

function render(hit) {
  const p = hit.position;
  document.title = p.name;
  const phone = p.contact_phone ? `<a href="tel:${esc(p.contact_phone.replace(/[^0-9+]/g, ''))}">${esc(p.contact_phone)}</a>` : '';
  const contact = [esc(p.contact_name || ''), phone].filter(Boolean).join('　');
  const facilities = p.facilities.length
    ? `<div class="pos-chips">${p.facilities.map(f => `<span>${esc(f.label)}</span>`).join('')}</div>` : '';
  const hours = p.hours_lines.map(line => `<p>${esc(line)}</p>`).join('') +
    (p.hours_note ? `<p>${esc(p.hours_note)}</p>` : '');
  $('#page').innerHTML = `
    <div class="pos-head">
      <h1 id="name">${esc(p.name)}</h1>
      <div><span class="pos-state ${stateClass(p)}" id="state">${esc(p.state.text)}</span>
        <span class="pos-kind">${esc(p.kind_label)}${hit.distance_text ? ' · 距您 ' + esc(hit.distance_text) : ''}</span></div>
    </div>
    <div class="pos-nav">
      <a class="weui-btn weui-btn_primary" id="navigate" href="${esc(p.links.amap_navigation)}">导航前往</a>
      <a class="weui-btn weui-btn_default" id="marker" href="${esc(p.links.amap_marker)}">在地图上查看</a>
      <a class="pos-geo" id="geo" href="${esc(p.links.geo)}">用手机上的其他地图应用打开</a>
    </div>
    ${p.photos.length ? `<div class="pos-photos">${p.photos.map(src => `<img src="${esc(src)}" alt="${esc(p.name)}照片">`).join('')}</div>` : ''}
    <div class="weui-form-preview">
      <div class="weui-form-preview__bd">
        ${row('地址', esc(p.address))}
        ${row('开放时间', `<span class="pos-hours">${hours}</span>`)}
        ${row('设施', facilities)}
        ${row('服务', esc(p.services || ''))}
        ${row('场地提供', esc(p.host_unit || ''))}
        ${row('所属工会', esc(p.federation_name))}
        ${row('联系人', contact)}
        ${row('坐标', `${p.latitude.toFixed(6)}, ${p.longitude.toFixed(6)}`)}
      </div>
    </div>
    <p class="page__foot" style="margin-top:16px"><a href="/h5/positions.html${location.search.includes('lat=') ? '?' + new URLSearchParams({ lat: qs('lat'), lng: qs('lng') }) : ''}">查看其他服务阵地</a></p>`;
}

(async () => {
  const id = qs('id');
  const near = qs('lat') && qs('lng') ? `?lat=${encodeURIComponent(qs('lat'))}&lng=${encodeURIComponent(qs('lng'))}` : '';
  loading(true);
  try {
    if (!/^\d+$/.test(id || '')) throw new Error('链接有误');
    render(await api(`/api/positions/${id}${near}`));
  } catch (err) {
    $('#page').innerHTML = `<div class="weui-msg"><div class="weui-msg__text-area"><h2 class="weui-msg__title">无法显示该服务阵地</h2>
      <p class="weui-msg__desc">${esc(err.message)}</p></div>
      <div class="weui-msg__opr-area"><a class="weui-btn weui-btn_default" href="/h5/positions.html">查看其他服务阵地</a></div></div>`;
  } finally {
    loading(false);
  }
})();
