// Worker pages' one way to call the JSON API: same-origin cookies, the CSRF header on
// changes, and the WeChat OAuth hop when the server does not know the worker yet.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || '网络异常，请稍后再试');
    this.status = status;
    this.code = error?.code;
    this.fields = error?.fields || {};
  }
}

async function token() {
  if (!csrfToken) {
    const res = await fetch('/api/auth/session', { credentials: 'same-origin' });
    csrfToken = (await res.json()).csrf_token;
  }
  return csrfToken;
}

export function goAuthorize() {
  const next = location.pathname + location.search;
  location.replace('/h5/auth/start?next=' + encodeURIComponent(next));
}

export async function api(path, { method = 'GET', body, form, headers: extra = {} } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (method !== 'GET') headers['X-CSRF-Token'] = await token();
  let payload;
  if (form) payload = form; // FormData (uploads)
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, { message: '网络连接失败，请检查网络后重试' });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) return data;
  if (res.status === 401 && data?.error?.code === 'oauth_required') {
    goAuthorize();
    return new Promise(() => {}); // the page is leaving
  }
  if (res.status === 400 && data?.error?.code === 'csrf_failed') csrfToken = null;
  throw new ApiError(res.status, data?.error);
}

export function qs(name) {
  return new URLSearchParams(location.search).get(name);
}
