// A service position as the place of something (a contest's venue, a mediation's meeting place):
// the options staff may pick — the open positions of their own unit and the units beneath it,
// their own unit's first — and how a picked one is shown.
import { api, esc } from '../lib/api.js';

let cache = null;

async function openPositions() {
  cache = cache || api('/api/staff/positions?status=open');
  return cache;
}

// <option>s for a <select>: "none" first, then the open positions (grouped: this unit / beneath),
// and the one already picked even when it is no longer open (it may stay).
export async function positionOptions(current, ownFederationId, noneLabel = '不选服务阵地') {
  const rows = await openPositions();
  const option = p => `<option value="${p.id}" ${current && current.id === p.id ? 'selected' : ''}>${esc(p.name)}（${esc(p.address)}）</option>`;
  const own = rows.filter(p => p.federation_id === ownFederationId);
  const below = rows.filter(p => p.federation_id !== ownFederationId);
  const kept = current && !rows.some(p => p.id === current.id)
    ? `<option value="${current.id}" selected>${esc(current.name)}（${esc(current.status_label)}）</option>` : '';
  const group = (label, list) => (list.length ? `<optgroup label="${label}">${list.map(option).join('')}</optgroup>` : '');
  return `<option value="">${esc(noneLabel)}</option>${kept}${group('本单位的服务阵地', own)}${group('下级单位的服务阵地', below)}`;
}

// "甲驿站（中山东路1号）" with links to its console record and the page workers see.
export function placeHtml(place, extra = '') {
  if (!place) return esc(extra || '');
  const state = place.status === 'open' ? '' : ` <span class="tag orange">${esc(place.status_label)}</span>`;
  return `<a href="/console/positions.html#id=${place.id}">${esc(place.name)}</a>（${esc(place.address)}）${state}`
    + (extra ? ` ${esc(extra)}` : '')
    + (place.url ? ` <a href="${esc(place.url)}" target="_blank" class="small">职工端页面</a>` : '');
}

// The value of a position <select>: an id or null.
export function pickedId(select) {
  return select.value ? Number(select.value) : null;
}
