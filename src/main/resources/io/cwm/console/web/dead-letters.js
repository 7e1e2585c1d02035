// #/dead-letters[/<channel>]: list, search, replay and delete dead letters of one channel.
import { h } from './dom.js';
import { api, qs } from './api.js';
import { href, bytes, timeEl, tableWrap, channelPicker, confirmDialog, debounce, errorText, replayText } from './ui.js';

const LIMIT = 50;

export function render(view, { channel }) {
  let offset = 0;
  let disposed = false;
  let data = null;
  const selected = new Set();
  const adminBase = `/admin/webhook-connect/channels/${encodeURIComponent(channel)}/dead-letters`;

  const picker = channelPicker({ id: 'dl-channel', label: 'Channel', value: channel,
    onPick: (name) => { location.hash = href('dead-letters', name); } });
  view.append(h('h1', null, channel ? `Dead letters of ${channel}` : 'Dead letters'), picker);
  if (!channel) {
    view.append(h('p', { class: 'muted' }, 'Pick a channel to see its dead letters.'));
    return () => { disposed = true; };
  }

  const search = h('input', { id: 'dl-search', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const total = h('p', { id: 'dl-total', 'aria-live': 'polite' });
  const result = h('p', { id: 'dl-result', role: 'status' });
  const replaySel = h('button', { type: 'button', id: 'dl-replay-selected', disabled: true }, 'Replay selected');
  const deleteSel = h('button', { type: 'button', id: 'dl-delete-selected', class: 'danger', disabled: true }, 'Delete selected');
  const selectAll = h('input', { type: 'checkbox', id: 'dl-select-all', 'aria-label': 'Select all on this page' });
  const prev = h('button', { type: 'button', id: 'dl-prev', class: 'secondary', disabled: true }, 'Previous');
  const next = h('button', { type: 'button', id: 'dl-next', class: 'secondary', disabled: true }, 'Next');
  const pageText = h('span', { class: 'page-text' });
  const note = h('p', { class: 'muted' });
  const tbody = h('tbody');
  const table = h('table', { id: 'dl-table' },
    h('caption', null, `Dead letters of ${channel}`),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, selectAll),
      ['Message', 'Webhook', 'Reason', 'Failed', 'Deliveries', 'Size', 'Actions'].map((t) =>
        h('th', { scope: 'col', class: t === 'Deliveries' || t === 'Size' ? 'num' : null }, t)))),
    tbody);

  view.append(
    h('p', { class: 'links' }, h('a', { href: href('channels', channel) }, `Live tail of ${channel}`)),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'dl-search' }, 'Search (message id, webhook id or reason)'), search),
      replaySel, deleteSel),
    total, result, note, tableWrap(table), h('div', { class: 'pager' }, prev, pageText, next));

  function syncSelection() {
    const boxes = [...tbody.querySelectorAll('input.dl-select')];
    replaySel.disabled = deleteSel.disabled = selected.size === 0;
    selectAll.checked = boxes.length > 0 && boxes.every((b) => b.checked);
    selectAll.indeterminate = !selectAll.checked && boxes.some((b) => b.checked);
    replaySel.textContent = selected.size ? `Replay selected (${selected.size})` : 'Replay selected';
    deleteSel.textContent = selected.size ? `Delete selected (${selected.size})` : 'Delete selected';
  }

  function row(m) {
    const id = m.message_id;
    const box = h('input', { type: 'checkbox', class: 'dl-select', 'aria-label': `Select ${id}`, checked: selected.has(id) });
    box.addEventListener('change', () => { if (box.checked) selected.add(id); else selected.delete(id); syncSelection(); });
    return h('tr', { 'data-message-id': id },
      h('td', null, box),
      h('td', { class: 'mono' }, id),
      h('td', { class: 'mono' }, m.webhook_id || '–'),
      h('td', null, m.reason || '–'),
      h('td', null, timeEl(m.failed_at)),
      h('td', { class: 'num' }, String(m.delivery_count ?? '–')),
      h('td', { class: 'num' }, bytes(m.size)),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', class: 'dl-inspect secondary', 'aria-label': `Inspect ${id}`,
          onclick: () => { location.hash = href('channels', channel, 'messages', id); } }, 'Inspect'),
        h('button', { type: 'button', class: 'dl-replay', 'aria-label': `Replay ${id}`, onclick: () => replay([id]) }, 'Replay'),
        h('button', { type: 'button', class: 'dl-delete danger', 'aria-label': `Delete ${id}`, onclick: () => remove([id]) }, 'Delete')));
  }

  async function load() {
    try {
      data = await api(`/console/api/channels/${encodeURIComponent(channel)}/dead-letters${qs({ offset, limit: LIMIT, q: search.value.trim() })}`);
    } catch (e) {
      if (disposed) return;
      tbody.replaceChildren();
      total.textContent = e.status === 404 ? `Channel “${channel}” not found.` : `Cannot load dead letters: ${errorText(e)}`;
      return;
    }
    if (disposed) return;
    const msgs = data.messages || [];
    const ids = new Set(msgs.map((m) => m.message_id));
    for (const id of [...selected]) if (!ids.has(id)) selected.delete(id);
    tbody.replaceChildren(...msgs.map(row));
    if (!msgs.length) tbody.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'No dead letters.')));
    const n = data.total ?? msgs.length;
    total.textContent = `${n} dead letter${n === 1 ? '' : 's'}`;
    pageText.textContent = msgs.length ? `${offset + 1}–${offset + msgs.length} of ${n}` : '';
    note.textContent = data.truncated ? 'Only the newest dead letters were searched (the list is truncated).' : '';
    prev.disabled = offset === 0;
    next.disabled = offset + LIMIT >= n;
    syncSelection();
  }

  async function replay(ids) {
    const what = ids.length === 1 ? `message ${ids[0]}` : `${ids.length} messages`;
    if (!(await confirmDialog(`Replay ${what} on channel ${channel}? They go back on the queue as fresh deliveries.`, 'Replay'))) return;
    try {
      const r = await api(`${adminBase}/replay`, { method: 'POST', body: { message_ids: ids } });
      result.textContent = replayText(r, ids.length);
    } catch (e) {
      result.textContent = `Replay failed: ${errorText(e)}`;
    }
    for (const id of ids) selected.delete(id);
    load();
  }

  async function remove(ids) {
    const what = ids.length === 1 ? `message ${ids[0]}` : `${ids.length} messages`;
    if (!(await confirmDialog(`Delete ${what} of channel ${channel} for good? This cannot be undone.`, 'Delete'))) return;
    let ok = 0;
    const failed = [];
    for (const id of ids) {
      try {
        await api(`${adminBase}/${encodeURIComponent(id)}`, { method: 'DELETE' });
        ok += 1;
      } catch (e) {
        if (e.status === 401) return;
        failed.push(`${id} (${errorText(e)})`);
      }
    }
    result.textContent = `Deleted ${ok}.` + (failed.length ? ` Failed: ${failed.join(', ')}.` : '');
    for (const id of ids) selected.delete(id);
    load();
  }

  selectAll.addEventListener('change', () => {
    for (const b of tbody.querySelectorAll('input.dl-select')) {
      b.checked = selectAll.checked;
      const id = b.closest('tr').dataset.messageId;
      if (b.checked) selected.add(id); else selected.delete(id);
    }
    syncSelection();
  });
  replaySel.addEventListener('click', () => replay([...selected]));
  deleteSel.addEventListener('click', () => remove([...selected]));
  const onSearch = debounce(() => { offset = 0; load(); }, 300);
  search.addEventListener('input', onSearch);
  prev.addEventListener('click', () => { offset = Math.max(0, offset - LIMIT); load(); });
  next.addEventListener('click', () => { offset += LIMIT; load(); });
  load();
  return () => { disposed = true; onSearch.cancel(); };
}
