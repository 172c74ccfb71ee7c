// The one way every page (worker H5 and staff console) calls the JSON API: same-origin cookies,
// the CSRF header on every change (fetched once from /api/auth/session, again after a refusal),
// and our error shape turned into ApiError. Each side says what a 401 means for it.
let csrfToken = null;

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || '网络异常，请稍后再试');
    this.status = status;
    this.code = error?.code;
    this.fields = error?.fields || {};
  }
}

export async function fetchSession() {
  const res = await fetch('/api/auth/session', { credentials: 'same-origin' });
  const data = await res.json();
  csrfToken = data.csrf_token;
  return data;
}

// onUnauthorized(errorBody) returns true when it has taken the page elsewhere.
export async function callApi(path, { method = 'GET', body, form, raw = false } = {}, onUnauthorized = null) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    if (!csrfToken) await fetchSession();
    headers['X-CSRF-Token'] = csrfToken;
  }
  let payload;
  if (form) payload = form; // FormData (uploads)
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
  if (res.status === 401 && onUnauthorized && onUnauthorized(data?.error)) {
    return new Promise(() => {}); // the page is leaving
  }
  if (res.status === 400 && data?.error?.code === 'csrf_failed') csrfToken = null;
  throw new ApiError(res.status, data?.error);
}
