// #/tokens[/<channel>]: rotate a channel token; the new token is shown once.
import { h } from './dom.js';
import { api } from './api.js';
import { href, timeEl, channelPicker, confirmDialog, copyText, errorText } from './ui.js';

const MAX_GRACE = 2592000;

export function render(view, { channel }) {
  let disposed = false;
  const picker = channelPicker({ id: 'token-channel', label: 'Channel', value: channel,
    onPick: (name) => { if (name !== channel) location.hash = href('tokens', name); } });
  const grace = h('input', { id: 'token-grace', type: 'number', min: 0, max: MAX_GRACE, step: 1, value: '3600',
    inputmode: 'numeric', 'aria-describedby': 'token-grace-help' });
  const rotate = h('button', { type: 'button', id: 'token-rotate', class: 'danger' }, 'Rotate token');
  const result = h('p', { id: 'token-result', role: 'status' });
  const out = h('div', { class: 'token-out' });

  view.append(
    h('h1', null, channel ? `Token of ${channel}` : 'Channel tokens'),
    picker,
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'token-grace' }, 'Grace period (seconds)'), grace,
        h('span', { id: 'token-grace-help', class: 'muted small' }, 'How long the old token keeps working (0 to 2592000 = 30 days).')),
      rotate),
    result, out);

  rotate.addEventListener('click', async () => {
    const ch = picker.input.value.trim();
    const g = Number(grace.value);
    out.replaceChildren();
    if (!ch) { result.textContent = 'Pick a channel first.'; picker.input.focus(); return; }
    if (grace.value === '' || !Number.isInteger(g) || g < 0 || g > MAX_GRACE) {
      result.textContent = `The grace period must be a whole number of seconds from 0 to ${MAX_GRACE}.`;
      grace.focus();
      return;
    }
    const text = `Rotate the token of channel ${ch}? Connectors must switch to the new token; `
      + (g ? `the old one keeps working for ${g} s.` : 'the old one stops working now.');
    if (!(await confirmDialog(text, 'Rotate token'))) return;
    result.textContent = 'Rotating…';
    try {
      const r = await api(`/admin/webhook-connect/channels/${encodeURIComponent(ch)}/rotate-token`,
        { method: 'POST', body: { grace_period_seconds: g } });
      if (disposed) return;
      result.textContent = r.message || `Token of ${ch} rotated.`;
      const tokenInput = h('input', { id: 'token-new', type: 'text', readonly: true, value: r.new_token || '',
        autocomplete: 'off', spellcheck: 'false', class: 'mono' });
      const copyStatus = h('span', { role: 'status', class: 'small' });
      out.replaceChildren(
        h('div', { class: 'field' }, h('label', { for: 'token-new' }, `New token of ${r.channel || ch}`),
          h('div', { class: 'inline' }, tokenInput,
            h('button', { type: 'button', id: 'token-copy', onclick: async () => {
              const ok = await copyText(tokenInput.value, tokenInput);
              copyStatus.textContent = ok ? 'Copied.' : 'Select the token and copy it by hand.';
            } }, 'Copy'), copyStatus)),
        h('p', { class: 'warning' }, 'Copy it now: it is not shown again'),
        h('p', { id: 'token-expires' }, r.old_token_expires_at
          ? ['The old token expires ', timeEl(r.old_token_expires_at), ` (${r.old_token_expires_at}).`]
          : 'The old token no longer works.'));
      tokenInput.focus();
      tokenInput.select();
    } catch (e) {
      if (!disposed) result.textContent = `Rotation failed: ${errorText(e)}`;
    }
  });

  return () => {
    disposed = true;
    const t = view.querySelector('#token-new');
    if (t) t.value = '';
    out.replaceChildren();
  };
}
