// Console's one way to call the JSON API: session cookie, CSRF header on every change,
// and back to the login page when the session is gone.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || '网络异常，请稍后再试');
    this.status = status;
    this.code = error?.code;
    this.fields = error?.fields || {};
  }
}

export async function session() {
  const res = await fetch('/api/auth/session', { credentials: 'same-origin' });
  const data = await res.json();
  csrfToken = data.csrf_token;
  return data;
}

export async function api(path, { method = 'GET', body, form, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    if (!csrfToken) await session();
    headers['X-CSRF-Token'] = csrfToken;
  }
  let payload;
  if (form) payload = form;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { message: '网络连接失败，请检查网络后重试' });
  }
  if (raw && res.ok) return res;
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  if (res.status === 401 && !location.pathname.endsWith('/login.html')) {
    location.replace('/console/login.html?next=' + encodeURIComponent(location.pathname + location.search));
    return new Promise(() => {});
  }
  if (res.status === 400 && data?.error?.code === 'csrf_failed') csrfToken = null;
  throw new ApiError(res.status, data?.error);
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
