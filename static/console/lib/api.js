// Console pages call the API through the shared helper; a 401 sends them to the login page.
import { ApiError, callApi, fetchSession } from '/shared/fetch.js';

export { ApiError };
export const session = fetchSession;

export function api(path, options = {}) {
  return callApi(path, options, () => {
    if (location.pathname.endsWith('/login.html')) return false;
    location.replace('/console/login.html?next=' + encodeURIComponent(location.pathname + location.search));
    return true;
  });
}

export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso.endsWith('Z') || iso.includes('+') ? iso : iso + 'Z');
  const pad = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function flash(message, kind = 'ok') {
  const el = document.createElement('div');
  el.className = `flash flash-${kind}`;
  el.textContent = message;
  document.body.appendChild(el);
  setTimeout(() => el.remove(), 2600);
}
