// Worker pages call the API through the shared helper; a 401 oauth_required starts WeChat's
// OAuth hop, since the server does not know the worker yet.
import { ApiError, callApi } from '/shared/fetch.js';

export { ApiError };

export function goAuthorize() {
  const next = location.pathname + location.search;
  location.replace('/h5/auth/start?next=' + encodeURIComponent(next));
}

export function api(path, options = {}) {
  return callApi(path, options, error => {
    if (error?.code !== 'oauth_required') return false;
    goAuthorize();
    return true;
  });
}

export function qs(name) {
  return new URLSearchParams(location.search).get(name);
}
