// Shared widgets: times, sizes, state badges, JSON tree, confirmation dialog, channel picker.
import { h, $ } from './dom.js';
import { api, qs } from './api.js';

/** '#/channels/a%2Fb/messages/x' from ['channels', 'a/b', 'messages', 'x'] */
export function href(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(p)).join('/');
}

/** Epoch ms from an ISO time (no offset = UTC, as the server writes UTC) or epoch s/ms; NaN if none. */
export function parseTime(v) {
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  if (typeof v !== 'string' || !v) return NaN;
  return Date.parse(/T.*([zZ]|[+-]\d\d:?\d\d)$/.test(v) || !v.includes('T') ? v : `${v}Z`);
}

export function ageText(iso, now = Date.now()) {
  const t = parseTime(iso);
  if (Number.isNaN(t)) return '–';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

function timeLabel(el) {
  const iso = el.getAttribute('datetime');
  const t = parseTime(iso);
  if (Number.isNaN(t)) return '–';
  if (el.dataset.rel === 'age') return ageText(iso);
  if (t > Date.now() + 1000) return `in ${ageText(new Date(2 * Date.now() - t).toISOString())}`;
  return `${ageText(iso)} ago`;
}

/** <time> with a relative text ("12 s ago", or "3 s" with mode 'age'); the ISO time in title. */
export function timeEl(value, mode = 'ago') {
  const t = parseTime(value);
  if (Number.isNaN(t)) return h('span', { class: 'muted' }, value ? String(value) : '–');
  const iso = new Date(t).toISOString();
  const el = h('time', { datetime: iso, title: iso, 'data-rel': mode });
  el.textContent = timeLabel(el);
  return el;
}

/** Called every second by the shell. */
export function refreshTimes(root = document) {
  for (const el of root.querySelectorAll('time[data-rel]')) {
    const text = timeLabel(el);
    if (el.textContent !== text) el.textContent = text;
  }
}

export function bytes(n) {
  if (n == null || Number.isNaN(Number(n)) || Number(n) < 0) return '–';
  n = Number(n);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function num(n) {
  return n == null ? '–' : Number(n).toLocaleString('en');
}

/** A state shown as text in a badge (colour is only a second cue). */
export function badge(state, id) {
  const s = String(state || 'unknown');
  return h('span', { class: `badge badge-${s.replace(/[^a-z_]/g, '')}`, id }, s.replace(/_/g, ' '));
}

export function tableWrap(table) {
  return h('div', { class: 'table-wrap' }, table);
}

export function debounce(fn, ms) {
  let t = null;
  const d = (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

// ---- JSON tree --------------------------------------------------------------------------

function keyEl(key) {
  if (key == null) return null;
  return h('span', { class: 'j-key' }, typeof key === 'number' ? `${key}: ` : `${JSON.stringify(key)}: `);
}

function leaf(key, value) {
  const type = value === null ? 'null' : typeof value;
  const text = type === 'string' ? JSON.stringify(value) : String(value);
  return h('span', { class: 'j-leaf' }, keyEl(key), h('span', { class: `j-${type}` }, text));
}

function node(key, value, depth) {
  if (value === null || typeof value !== 'object') return leaf(key, value);
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (entries.length === 0) return leaf(key, isArray ? '[]' : '{}');
  const count = isArray ? `[ ${entries.length} ]` : `{ ${entries.length} }`;
  return h('details', { class: 'j-node', open: depth < 4 },
    h('summary', null, keyEl(key), h('span', { class: 'j-punct' }, count)),
    h('ul', { class: 'j-children' }, entries.map(([k, v]) => h('li', null, node(k, v, depth + 1)))));
}

/** Collapsible tree (nested <details open>) for any JSON value; key = label of the root. */
export function jsonTree(value, key = null) {
  return h('div', { class: 'json-tree' }, node(key, value, 0));
}

export async function copyText(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallbackInput) {
      fallbackInput.focus();
      fallbackInput.select();
      try { return document.execCommand('copy'); } catch { return false; }
    }
    return false;
  }
}

/** A "Copy JSON" button for value; writes its outcome into status. */
export function copyJsonButton(value, status) {
  return h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const ok = await copyText(JSON.stringify(value, null, 2));
    status.textContent = ok ? 'JSON copied to the clipboard.' : 'Copy failed: select the text by hand.';
  } }, 'Copy JSON');
}

// ---- confirmation dialog ---------------------------------------------------------------

/** confirm(text) → Promise<boolean>, with the <dialog id="confirm-dialog"> of index.html. */
export function confirmDialog(text, okLabel = 'Confirm') {
  const dlg = $('#confirm-dialog');
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  const back = document.activeElement;
  return new Promise((resolve) => {
    const onClose = () => {
      dlg.removeEventListener('close', onClose);
      if (back && back.isConnected) back.focus();
      resolve(dlg.returnValue === 'ok');
    };
    dlg.addEventListener('close', onClose);
    dlg.returnValue = '';
    dlg.showModal();
    $('#confirm-cancel').focus();
  });
}

export function initConfirmDialog() {
  const dlg = $('#confirm-dialog');
  $('#confirm-ok').addEventListener('click', () => dlg.close('ok'));
  $('#confirm-cancel').addEventListener('click', () => dlg.close('cancel'));
  // Esc fires 'cancel' and closes with returnValue '' → false.
}

// ---- channel picker ---------------------------------------------------------------------

/**
 * Labelled input with a <datalist> filled from GET /console/api/channels?q= (one page, never
 * all channels); onPick(name) on submit or when the value matches a suggestion.
 */
export function channelPicker({ id, label, value = '', onPick }) {
  const list = h('datalist', { id: `${id}-list` });
  const input = h('input', { id, type: 'text', list: `${id}-list`, value, autocomplete: 'off',
    spellcheck: 'false' });
  let names = [];
  const suggest = debounce(async () => {
    try {
      const r = await api(`/console/api/channels${qs({ offset: 0, limit: 50, q: input.value.trim() })}`);
      names = (r.channels || []).map((c) => c.name);
      list.replaceChildren(...names.map((n) => h('option', { value: n })));
    } catch { /* suggestions are optional */ }
  }, 250);
  input.addEventListener('input', suggest);
  input.addEventListener('focus', suggest, { once: true });
  input.addEventListener('change', () => {
    if (names.includes(input.value)) onPick(input.value);
  });
  const form = h('form', { class: 'picker', onsubmit: (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (v) onPick(v);
  } },
  h('label', { for: id }, label), input, list, h('button', { type: 'submit' }, 'Open'));
  form.input = input;
  return form;
}

/** Text for a replay answer: {"replayed": [ids] or n, "replayed_count", "not_replayed" | "not_found"}. */
export function replayText(r, asked) {
  const n = r && r.replayed_count != null ? r.replayed_count
    : r && Array.isArray(r.replayed) ? r.replayed.length
      : r && r.replayed != null ? r.replayed : asked;
  const missing = (r && (r.not_replayed || r.not_found)) || [];
  return `Replayed ${n}.` + (missing.length ? ` Not replayed (no longer a dead letter): ${missing.join(', ')}.` : '');
}

export function errorText(e) {
  if (e && e.status) return `${e.status}: ${e.message}`;
  return e && e.message ? e.message : String(e);
}
