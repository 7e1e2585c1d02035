// #/overview: live table of channels (SSE /console/api/overview/stream), search, pagination.
import { h, svg } from './dom.js';
import { openStream, qs } from './api.js';
import { href, num, timeEl, tableWrap, debounce, errorText } from './ui.js';

const LIMIT = 50;
const FIELDS = ['queued', 'in_flight', 'delivered', 'failed', 'dead_lettered', 'connected'];
const HEADINGS = { queued: 'Queued', in_flight: 'In flight', delivered: 'Delivered', failed: 'Failed',
  dead_lettered: 'Dead letters', connected: 'Connected' };

function sparkline(ch) {
  const sp = ch.sparkline || {};
  const delivered = sp.delivered || [];
  const failed = sp.failed || [];
  const r = ch.rates || {};
  const label = `Last minute: ${fmtRate(r.delivered)} delivered/s, ${fmtRate(r.failed)} failed/s, `
    + `${fmtRate(r.queued)} queued/s`;
  const W = 120, H = 28;
  const n = Math.max(delivered.length, failed.length, 2);
  const max = Math.max(1, ...delivered, ...failed);
  const pts = (arr) => arr.map((v, i) => `${((i / (n - 1)) * W).toFixed(1)},${(H - 1 - (v / max) * (H - 2)).toFixed(1)}`).join(' ');
  return svg('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': label },
    svg('title', null, label),
    delivered.length ? svg('polyline', { class: 'spark-delivered', points: pts(delivered) }) : null,
    failed.length ? svg('polyline', { class: 'spark-failed', points: pts(failed) }) : null);
}

function fmtRate(v) {
  return v == null ? '0' : Number(v).toFixed(v >= 10 ? 0 : 1);
}

function connectorItem(c) {
  return h('li', { 'data-connector': c.connection_id },
    h('span', { class: 'mono' }, c.connector_id || c.connection_id), ' ',
    h('span', { class: 'muted' }, `(${c.connection_id})`), ' · ', c.protocol || '?',
    ' · node ', c.node || '?', ' · since ', timeEl(c.connected_at), ' · heartbeat ', timeEl(c.last_heartbeat_at),
    ' · in flight ', num(c.in_flight), c.paused ? h('span', { class: 'badge badge-paused' }, 'paused') : null);
}

export function render(view, params, ctx) {
  let offset = 0;
  let q = '';
  let stream = null;
  let last = null;
  const rows = new Map();

  const health = h('p', { id: 'buffer-health', class: 'health' }, 'Buffer: …');
  const search = h('input', { id: 'channel-search', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const pageText = h('span', { class: 'page-text', 'aria-live': 'polite' }, '');
  const prev = h('button', { type: 'button', id: 'page-prev', class: 'secondary', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', id: 'page-next', class: 'secondary', disabled: true }, 'Next');
  const status = h('p', { class: 'muted', role: 'status' }, 'Connecting…');
  const tbody = h('tbody');
  const table = h('table', { id: 'channels-table' },
    h('caption', null, 'Channels'),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, 'Channel'),
      FIELDS.map((f) => h('th', { scope: 'col', class: 'num' }, HEADINGS[f])),
      h('th', { scope: 'col' }, 'Last 15 min'),
      h('th', { scope: 'col' }, 'Connectors'))),
    tbody);

  view.append(
    h('h1', null, 'Overview'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'channel-search' }, 'Search channels'), search),
      health),
    status,
    tableWrap(table),
    h('div', { class: 'pager' }, prev, pageText, next),
    h('p', { class: 'muted legend' }, 'Sparklines: ',
      h('span', { class: 'key-delivered' }, 'delivered'), ' and ', h('span', { class: 'key-failed' }, 'failed'),
      ' per 10 s, oldest on the left.'));

  function rowFor(ch) {
    let r = rows.get(ch.name);
    if (r) return r;
    const cells = {};
    for (const f of FIELDS) cells[f] = h('td', { 'data-field': f, class: 'num' });
    const spark = h('td', { class: 'spark-cell' });
    const conns = h('ul', { class: 'connectors' });
    const hooks = h('span', { class: 'muted small' });
    const tr = h('tr', { 'data-channel': ch.name },
      h('th', { scope: 'row' }, h('a', { href: href('channels', ch.name) }, ch.name), h('br'), hooks),
      FIELDS.map((f) => cells[f]), spark, h('td', null, conns));
    r = { tr, cells, spark, conns, hooks };
    rows.set(ch.name, r);
    return r;
  }

  function update(d) {
    last = d;
    const buf = d.buffer || {};
    health.textContent = `Buffer ${buf.backend || '?'}: ${buf.healthy ? 'healthy' : 'unhealthy'}`;
    health.className = `health ${buf.healthy ? 'ok' : 'bad'}`;
    const chans = d.channels || [];
    const matched = d.matched ?? chans.length;
    const total = d.total_channels ?? matched;
    const from = chans.length ? (d.offset || 0) + 1 : 0;
    const to = (d.offset || 0) + chans.length;
    pageText.textContent = `${from}–${to} of ${matched}` + (q ? ` matching (${total} channels)` : '');
    prev.disabled = offset === 0;
    next.disabled = offset + LIMIT >= matched;
    status.textContent = chans.length ? '' : (q ? `No channel matches “${q}”.` : 'No channels.');
    const seen = new Set();
    let prevRow = null;
    for (const ch of chans) {
      seen.add(ch.name);
      const r = rowFor(ch);
      const values = { ...ch, connected: (ch.connectors || []).length };
      for (const f of FIELDS) {
        const t = num(values[f]); // null: stats unavailable (stats_error)
        if (r.cells[f].textContent !== t) r.cells[f].textContent = t;
      }
      r.hooks.textContent = (ch.webhook_ids || []).join(', ') + (ch.stats_error ? ` · stats: ${ch.stats_error}` : '');
      r.spark.replaceChildren(sparkline(ch));
      r.conns.replaceChildren(...(ch.connectors || []).map(connectorItem));
      if (!(ch.connectors || []).length) r.conns.append(h('li', { class: 'muted' }, 'none'));
      // keep the server's order, moving a row only when out of place (a move would drop the focus)
      const want = prevRow ? prevRow.nextSibling : tbody.firstChild;
      if (want !== r.tr) tbody.insertBefore(r.tr, want);
      prevRow = r.tr;
    }
    for (const [name, r] of rows) if (!seen.has(name)) { r.tr.remove(); rows.delete(name); }
  }

  function start() {
    if (stream) stream.close();
    status.textContent = 'Connecting…';
    stream = openStream(`/console/api/overview/stream${qs({ offset, limit: LIMIT, q })}`, {
      onEvent: (type, data) => {
        if (type !== 'overview') return;
        try { update(JSON.parse(data)); } catch (e) { status.textContent = `Bad update: ${e.message}`; }
      },
      onStatus: ctx.setLive,
      onFail: (e) => { status.textContent = `Cannot load the overview: ${errorText(e)}`; ctx.setLive(null); },
    });
  }

  const onSearch = debounce(() => { q = search.value.trim(); offset = 0; start(); }, 300);
  search.addEventListener('input', onSearch);
  prev.addEventListener('click', () => { offset = Math.max(0, offset - LIMIT); start(); });
  next.addEventListener('click', () => {
    if (last && offset + LIMIT < (last.matched ?? 0)) { offset += LIMIT; start(); }
  });
  start();
  return () => { onSearch.cancel(); if (stream) stream.close(); };
}
