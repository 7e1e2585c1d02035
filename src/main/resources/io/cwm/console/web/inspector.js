// #/channels/<channel>/messages/<id>: one message, its payload, headers and attempts.
import { h } from './dom.js';
import { api, ApiError } from './api.js';
import { href, bytes, badge, timeEl, tableWrap, jsonTree, copyJsonButton, confirmDialog, errorText, replayText } from './ui.js';

const LIVE_STATES = new Set(['queued', 'in_flight', 'retrying']);

function dlRow(term, ...value) {
  return [h('dt', null, term), h('dd', null, ...value)];
}

function payloadView(m, result) {
  if (!m.payload_type) {
    return [h('p', { class: 'muted' }, m.payload_note || 'No payload available.')];
  }
  if (m.payload_type === 'json') {
    return [h('div', { class: 'actions' }, copyJsonButton(m.payload, result)), jsonTree(m.payload)];
  }
  const text = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload, null, 2);
  return [
    m.payload_type === 'base64' ? h('p', { class: 'muted' }, 'Binary payload, shown base64-encoded.') : null,
    h('pre', { class: 'payload-text' }, text ?? ''),
  ];
}

export function render(view, { channel, id }) {
  const base = `/console/api/channels/${encodeURIComponent(channel)}/messages/${encodeURIComponent(id)}`;
  let timer = null;
  let disposed = false;
  let payloadKey = null;
  let loading = false;

  const state = h('span', { id: 'message-state' });
  const meta = h('dl', { class: 'meta' });
  const headers = h('tbody');
  const payload = h('div', { id: 'message-payload' });
  const attempts = h('tbody');
  const result = h('p', { id: 'message-result', role: 'status' });
  const loadStatus = h('p', { class: 'muted' });
  const refreshBtn = h('button', { type: 'button', id: 'message-refresh', class: 'secondary' }, 'Refresh');
  const dlBtn = h('button', { type: 'button', id: 'message-dead-letter', class: 'danger', hidden: true }, 'Move to dead letters');
  const replayBtn = h('button', { type: 'button', id: 'message-replay', hidden: true }, 'Replay');
  const body = h('div', { hidden: true },
    h('p', null, 'State: ', state),
    h('h2', null, 'Details'), meta,
    h('h2', null, 'Headers'),
    tableWrap(h('table', { id: 'message-headers' }, h('caption', { class: 'sr-only' }, 'Headers'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))), headers)),
    h('h2', null, 'Payload'), payload,
    h('h2', null, 'Delivery attempts'),
    tableWrap(h('table', { id: 'message-attempts' }, h('caption', { class: 'sr-only' }, 'Delivery attempts'),
      h('thead', null, h('tr', null, ['#', 'Connection', 'Leased at', 'Outcome', 'Outcome at'].map((t) =>
        h('th', { scope: 'col' }, t)))), attempts)));

  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/overview' }, 'Overview'), ' › ',
      h('a', { href: href('channels', channel) }, channel), ' › message'),
    h('h1', null, `Message ${id}`),
    h('section', { id: 'message-inspector', 'aria-label': 'Message inspector' },
      h('div', { class: 'toolbar' }, refreshBtn, dlBtn, replayBtn),
      result, loadStatus, body));

  function show(m) {
    body.hidden = false;
    loadStatus.textContent = '';
    state.replaceChildren(badge(m.state));
    meta.replaceChildren(
      ...dlRow('Message id', h('span', { class: 'mono' }, m.message_id || id)),
      ...dlRow('Channel', h('a', { href: href('channels', m.channel || channel) }, m.channel || channel)),
      ...dlRow('Webhook id', h('span', { class: 'mono' }, m.webhook_id || '–')),
      ...dlRow('Size', bytes(m.size)),
      ...dlRow('Queued', timeEl(m.queued_at)),
      ...dlRow('Expires', timeEl(m.expires_at)),
      ...dlRow('Deliveries', String(m.delivery_count ?? 0)),
      ...dlRow('Source', m.source === 'dead_letters' ? 'dead letters' : (m.source || '–')),
      ...(m.dead_letter ? dlRow('Dead-lettered', m.dead_letter.reason || '?', ', ', timeEl(m.dead_letter.failed_at)) : []));
    const hs = Object.entries(m.headers || {});
    headers.replaceChildren(...hs.map(([k, v]) => h('tr', null, h('th', { scope: 'row', class: 'mono' }, k),
      h('td', { class: 'mono wrap' }, Array.isArray(v) ? v.join(', ') : String(v)))));
    if (!hs.length) headers.append(h('tr', null, h('td', { colspan: 2, class: 'muted' }, 'No headers')));
    const key = `${m.payload_type}:${JSON.stringify(m.payload)}`;
    if (key !== payloadKey) { // rebuild only on change: keeps the tree's open/closed nodes
      payloadKey = key;
      payload.replaceChildren(...payloadView(m, result).filter(Boolean));
    }
    const at = m.attempts || [];
    attempts.replaceChildren(...at.map((a) => h('tr', null,
      h('td', { class: 'num' }, String(a.number ?? '')),
      h('td', { class: 'mono' }, a.connection_id || '–'),
      h('td', null, timeEl(a.leased_at)),
      h('td', null, badge(a.outcome)),
      h('td', null, timeEl(a.outcome_at)))));
    if (!at.length) attempts.append(h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'Not delivered yet')));
    dlBtn.hidden = !(m.state === 'queued' || m.state === 'in_flight');
    replayBtn.hidden = m.state !== 'dead_lettered';
  }

  async function load() {
    if (disposed || loading) return;
    loading = true;
    clearTimeout(timer);
    let m = null;
    try {
      m = await api(base);
      if (disposed) return;
      show(m);
    } catch (e) {
      if (disposed) return;
      if (e instanceof ApiError && e.status === 404) {
        body.hidden = true;
        dlBtn.hidden = replayBtn.hidden = true;
        loadStatus.textContent = 'Message not found: it is no longer in the recent list nor a dead letter.';
      } else {
        loadStatus.textContent = `Cannot load the message: ${errorText(e)}`;
      }
    } finally {
      loading = false;
    }
    if (!disposed && m && LIVE_STATES.has(m.state)) timer = setTimeout(load, 2000);
  }

  refreshBtn.addEventListener('click', load);
  dlBtn.addEventListener('click', async () => {
    if (!(await confirmDialog(`Move message ${id} of channel ${channel} to the dead letters?`, 'Move to dead letters'))) return;
    try {
      await api(`${base}/dead-letter`, { method: 'POST', body: {} });
      result.textContent = 'Moved to the dead letters.';
    } catch (e) {
      result.textContent = e.status === 409 ? (e.body && e.body.detail) || e.message : `Failed: ${errorText(e)}`;
    }
    load();
  });
  replayBtn.addEventListener('click', async () => {
    if (!(await confirmDialog(`Replay message ${id} on channel ${channel}? It goes back on the queue as a fresh delivery.`, 'Replay'))) return;
    try {
      const r = await api(`/admin/webhook-connect/channels/${encodeURIComponent(channel)}/dead-letters/replay`,
        { method: 'POST', body: { message_ids: [id] } });
      result.textContent = replayText(r, 1);
    } catch (e) {
      result.textContent = `Replay failed: ${errorText(e)}`;
    }
    load();
  });

  loadStatus.textContent = 'Loading…';
  load();
  return () => { disposed = true; clearTimeout(timer); };
}
