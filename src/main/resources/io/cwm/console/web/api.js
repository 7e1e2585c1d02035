// fetch wrapper (JSON, bearer token kept in memory only) and an SSE reader built on fetch,
// because EventSource cannot send an Authorization header.

let token = null;
let onUnauthorized = () => {};

export function setToken(t) { token = t; }
export function hasToken() { return token !== null; }
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body === 'object' ? (body.detail || body.error) : body;
    super(detail ? String(detail) : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function headers(extra) {
  return Object.assign({ Authorization: `Bearer ${token}` }, extra);
}

/** JSON request. Resolves with the parsed body; rejects with ApiError (a 401 also logs out). */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const init = { method, headers: headers({ Accept: 'application/json' }), signal,
    cache: 'no-store', credentials: 'omit' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (res.status === 401) {
    onUnauthorized();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Query string from an object, skipping empty values. */
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v != null) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * Reads a Server-Sent Events stream with fetch. Reconnects after 1 s, 2 s, ... at most 10 s,
 * except on 401 (logout) and on other 4xx answers (onFail). close() aborts it.
 * onEvent(type, data), onStatus('live' | 'reconnecting'), onFail(ApiError).
 */
export function openStream(path, { onEvent, onStatus = () => {}, onFail = () => {} }) {
  const ctrl = new AbortController();
  let stopped = false;
  let attempt = 0;
  let timer = null;

  async function run() {
    try {
      const res = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }),
        signal: ctrl.signal, cache: 'no-store', credentials: 'omit' });
      if (res.status === 401) { stopped = true; onUnauthorized(); return; }
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        let body = null;
        try { body = await res.json(); } catch { /* not JSON */ }
        stopped = true;
        onFail(new ApiError(res.status, body));
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      onStatus('live');
      await read(res.body);
    } catch (e) {
      if (stopped || ctrl.signal.aborted) return;
    }
    if (stopped) return;
    onStatus('reconnecting');
    attempt = Math.min(attempt + 1, 10);
    timer = setTimeout(run, attempt * 1000);
  }

  async function read(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let type = '';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        let line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length) {
            attempt = 0;
            const t = type || 'message';
            const d = data.join('\n');
            type = ''; data = [];
            if (!stopped) onEvent(t, d);
          } else type = '';
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let val = colon < 0 ? '' : line.slice(colon + 1);
        if (val.startsWith(' ')) val = val.slice(1);
        if (field === 'event') type = val;
        else if (field === 'data') data.push(val);
      }
    }
  }

  run();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      ctrl.abort();
    },
  };
}
