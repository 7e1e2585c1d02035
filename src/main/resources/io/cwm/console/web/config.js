// #/config: the masked configuration (webhooks, connections) as JSON trees; reload when available.
import { h } from './dom.js';
import { api } from './api.js';
import { jsonTree, confirmDialog, errorText } from './ui.js';

export function render(view) {
  let disposed = false;
  const search = h('input', { id: 'config-search', type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const webhooks = h('div', { id: 'config-webhooks' });
  const connections = h('div', { id: 'config-connections' });
  const reload = h('button', { type: 'button', id: 'config-reload', disabled: true }, 'Reload configuration');
  const reloadNote = h('p', { class: 'muted' });
  const reloadResult = h('div', { id: 'config-reload-result', role: 'status' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');

  view.append(
    h('h1', null, 'Configuration'),
    h('p', { class: 'muted' }, 'Secrets are masked by the server.'),
    h('div', { class: 'toolbar' }, reload), reloadNote, reloadResult, status,
    h('h2', null, 'Webhooks'),
    h('div', { class: 'field' }, h('label', { for: 'config-search' }, 'Search webhook ids'), search),
    count, webhooks,
    h('h2', null, 'Connections'), connections);

  function filter() {
    const q = search.value.trim().toLowerCase();
    let shown = 0;
    const entries = webhooks.querySelectorAll('[data-id]');
    for (const el of entries) {
      el.hidden = q !== '' && !el.dataset.id.toLowerCase().includes(q);
      if (!el.hidden) shown += 1;
    }
    count.textContent = `${shown} of ${entries.length} webhooks`;
  }

  function entries(target, obj, kind) {
    const list = Object.entries(obj || {});
    target.replaceChildren(...list.map(([id, v]) => h('div', { class: 'config-entry', 'data-id': id }, jsonTree(v, id))));
    if (!list.length) target.append(h('p', { class: 'muted' }, `No ${kind}.`));
  }

  async function load() {
    try {
      const c = await api('/console/api/config');
      if (disposed) return;
      status.textContent = '';
      entries(webhooks, c.webhooks, 'webhooks');
      entries(connections, c.connections, 'connections');
      filter();
      reload.disabled = !c.reload_available;
      reloadNote.textContent = c.reload_available
        ? 'Reads the files (or etcd) again and validates them; a configuration with errors is not put in force.'
        : 'Live reload is not available in this process';
    } catch (e) {
      if (!disposed) status.textContent = `Cannot load the configuration: ${errorText(e)}`;
    }
  }

  reload.addEventListener('click', async () => {
    if (!(await confirmDialog('Read the configuration again and put it in force if it is valid?', 'Reload'))) return;
    reloadResult.replaceChildren('Reloading…');
    try {
      const r = await api('/console/api/config/reload', { method: 'POST', body: {} });
      if (disposed) return;
      const verdict = r.status === 'success'
        ? (r.details && r.details.changed ? 'Reloaded: the new configuration is in force.' : 'Reloaded: nothing changed.')
        : 'Refused: the configuration in force stays. Problems:';
      reloadResult.replaceChildren(h('p', { id: 'config-reload-verdict' }, verdict), jsonTree(r));
      load();
    } catch (e) {
      if (!disposed) reloadResult.replaceChildren(`Reload failed: ${errorText(e)}`);
    }
  });
  search.addEventListener('input', filter);
  load();
  return () => { disposed = true; };
}
