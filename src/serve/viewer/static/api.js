// Talking to the server: the access token and fetch helpers.
// The token comes once as ?token= in the address (the user opens /?token=TOKEN: the server's --token
// or SPINESURV_TOKEN; the server never prints it). It is kept in
// sessionStorage (this tab only), taken out of the address bar so it is not bookmarked or shared, and
// sent as "Authorization: Bearer" on every /api/ request. Pages and scripts need no token.

const TOKEN_KEY = 'spinesurv.token';

function takeTokenFromAddress() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  window.history.replaceState(null, '', url.pathname + url.search + url.hash);
}
takeTokenFromAddress();

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(extra) {
  const h = new Headers(extra ?? {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token !== null) h.set('Authorization', `Bearer ${token}`);
  return h;
}

async function failure(response) {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') message = body.error;
    else if (body && typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  if (response.status === 401 || response.status === 403) {
    message = `${message}. This server needs its access token: open this page as /?token=TOKEN (the token the server was started with).`;
  }
  return new ApiError(response.status, message);
}

export async function request(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers), cache: 'no-store' });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function getJson(path) {
  return (await request(path)).json();
}

export async function postJson(path, body) {
  const response = await request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return response.json();
}

/** Fetches with the token and hands the response to the browser as a download. */
export async function download(path, fallbackName) {
  const response = await request(path);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function imagePath(uid, what = '') {
  return `/api/viewer/images/${encodeURIComponent(uid)}${what}`;
}
