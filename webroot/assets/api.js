// JSON over fetch to qbridge's own origin. The session cookie travels by itself (HttpOnly: this
// code never sees it); the admin key is sent once, to sign in, and never stored.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let unauthorizedHandler = () => {};

/** Called when an admin request answers 401 (session ended): the app shows the sign-in form. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data && data.error && data.error.message ? data.error.message : `HTTP ${response.status}`;
    if (response.status === 401 && path.startsWith('/v2/') && path !== '/v2/session') unauthorizedHandler(message);
    throw new ApiError(response.status, message);
  }
  return data;
}
