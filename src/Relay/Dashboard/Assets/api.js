// Every call of the page goes through here: same-origin, the session cookie sent by the browser,
// and the CSRF token of this page on anything that changes state (the daemon refuses it otherwise).

const csrf = document.querySelector('meta[name="csrf-token"]').content;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, signal, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    // Signed out (ended, expired, or the daemon restarted): '/' says how to sign in again.
    location.replace('/');
    throw new ApiError(401, 'unauthorized', 'Signed out: run cerver-relay dashboard for a new sign-in link.');
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON: the status says enough */ }
  if (!response.ok) {
    throw new ApiError(response.status, json?.error?.code ?? `http_${response.status}`, json?.error?.message ?? `The relay answered ${response.status}.`);
  }
  return json;
}
