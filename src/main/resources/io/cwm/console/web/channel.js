// #/channels/<channel>: live tail of the channel's messages (SSE /console/api/channels/<ch>/tail).
import { h } from './dom.js';
import { openStream } from './api.js';
import { href, bytes, badge, timeEl, tableWrap, errorText } from './ui.js';

const MAX_ROWS = 500;
const MAX_PENDING = 5000;
export const STATES = ['queued', 'in_flight', 'delivered', 'retrying', 'dead_lettered', 'timeout', 'deleted'];

export function render(view, { channel }, ctx) {
  const rows = new Map(); // message_id -> {tr, cells}
  let paused = false;
  let pending = []; // while paused: [{snapshot: [...]}, {events: [...]}]
  let dropped = 0;
  let liveState = 'reconnecting';

  const stateFilter = h('select', { id: 'tail-state-filter' },
    h('option', { value: '' }, 'all'), STATES.map((s) => h('option', { value: s }, s.replace(/_/g, ' '))));
  const hookFilter = h('input', { id: 'tail-webhook-filter', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const pauseBtn = h('button', { type: 'button', id: 'tail-pause', class: 'secondary', 'aria-pressed': 'false' }, 'Pause');
  const droppedLine = h('p', { id: 'tail-dropped', class: 'warning', hidden: true });
  const status = h('p', { class: 'muted', role: 'status' }, 'Connecting…');
  const tbody = h('tbody');
  const table = h('table', { id: 'tail-table' },
    h('caption', null, `Recent messages of ${channel} (newest first)`),
    h('thead', null, h('tr', null,
      ['Webhook', 'Message', 'Size', 'Age', 'Attempts', 'State', 'Last event'].map((t, i) =>
        h('th', { scope: 'col', class: i === 2 || i === 4 ? 'num' : null }, t)))),
    tbody);

  view.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/overview' }, 'Overview'), ' › channel'),
    h('h1', null, `Channel ${channel}`),
    h('p', { class: 'links' },
      h('a', { href: href('dead-letters', channel) }, 'Dead letters of this channel'), ' · ',
      h('a', { href: href('tokens', channel) }, 'Rotate this channel’s token')),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'tail-state-filter' }, 'State'), stateFilter),
      h('div', { class: 'field' }, h('label', { for: 'tail-webhook-filter' }, 'Webhook id contains'), hookFilter),
      pauseBtn),
    droppedLine, status, tableWrap(table));

  function visible(m) {
    const s = stateFilter.value;
    const w = hookFilter.value.trim().toLowerCase();
    return (!s || m.state === s) && (!w || String(m.webhook_id || '').toLowerCase().includes(w));
  }

  function fill(r, m) {
    r.msg = { ...r.msg, ...m };
    m = r.msg;
    r.tr.dataset.state = m.state || '';
    r.cells.attempts.textContent = String(m.attempts ?? 0);
    r.cells.state.replaceChildren(badge(m.state));
    r.cells.event.replaceChildren(m.event || '', m.at ? ' ' : '', m.at ? timeEl(m.at) : '');
    r.tr.hidden = !visible(m);
  }

  function add(m) {
    const id = m.message_id;
    if (!id) return;
    let r = rows.get(id);
    if (r) { fill(r, m); return; }
    const cells = {
      attempts: h('td', { class: 'num' }),
      state: h('td'),
      event: h('td', { class: 'small' }),
    };
    const tr = h('tr', { 'data-message-id': id },
      h('td', { class: 'mono' }, m.webhook_id || '–'),
      h('td', { class: 'mono' }, h('a', { class: 'inspect', href: href('channels', channel, 'messages', id) }, id)),
      h('td', { class: 'num' }, bytes(m.size)),
      h('td', null, timeEl(m.queued_at || m.at, 'age')),
      cells.attempts, cells.state, cells.event);
    r = { tr, cells, msg: {} };
    rows.set(id, r);
    fill(r, m);
    tbody.prepend(tr);
    while (rows.size > MAX_ROWS) {
      const oldest = tbody.lastElementChild;
      rows.delete(oldest.dataset.messageId);
      oldest.remove();
    }
  }

  function apply(item) {
    if (item.snapshot) {
      rows.clear();
      tbody.replaceChildren();
      for (const m of item.snapshot) add(m); // most recent last → ends up on top
    } else {
      for (const m of item.events) add(m);
    }
    status.textContent = rows.size ? '' : 'No recent messages yet: new ones appear here live.';
  }

  function showDropped() {
    droppedLine.hidden = dropped === 0;
    droppedLine.textContent = `${dropped} events not shown: too fast`;
  }

  function handle(item) {
    if (!paused) { apply(item); return; }
    if (item.snapshot) pending = [];
    pending.push(item);
    const n = pending.reduce((a, i) => a + (i.events ? i.events.length : 0), 0);
    if (n > MAX_PENDING) {
      const first = pending.findIndex((i) => i.events);
      dropped += pending[first].events.length;
      pending.splice(first, 1);
      showDropped();
    }
    pauseBtn.textContent = `Resume (${Math.min(n, MAX_PENDING)} buffered)`;
  }

  function setLive(s) {
    liveState = s;
    ctx.setLive(paused && s === 'live' ? 'paused' : s);
  }

  const stream = openStream(`/console/api/channels/${encodeURIComponent(channel)}/tail`, {
    onEvent: (type, data) => {
      let d;
      try { d = JSON.parse(data); } catch { return; }
      if (type === 'snapshot') handle({ snapshot: d.messages || [] });
      else if (type === 'messages') {
        if (d.dropped > 0) { dropped += d.dropped; showDropped(); }
        handle({ events: d.events || [] });
      }
    },
    onStatus: setLive,
    onFail: (e) => {
      ctx.setLive(null);
      status.textContent = e.status === 404 ? `Channel “${channel}” not found.` : `Cannot tail: ${errorText(e)}`;
    },
  });

  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.setAttribute('aria-pressed', String(paused));
    if (!paused) {
      const items = pending;
      pending = [];
      items.forEach(apply);
      pauseBtn.textContent = 'Pause';
    } else {
      pauseBtn.textContent = 'Resume (0 buffered)';
    }
    setLive(liveState);
  });
  const refilter = () => { for (const r of rows.values()) r.tr.hidden = !visible(r.msg); };
  stateFilter.addEventListener('change', refilter);
  hookFilter.addEventListener('input', refilter);

  return () => stream.close();
}
