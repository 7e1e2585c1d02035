// Shell: login, hash router, header (nav, live status, logout).
import { $, h } from './dom.js';
import { api, setToken, setUnauthorizedHandler, ApiError } from './api.js';
import { initConfirmDialog, refreshTimes } from './ui.js';
import * as overview from './overview.js';
import * as channel from './channel.js';
import * as inspector from './inspector.js';
import * as deadLetters from './dead-letters.js';
import * as tokens from './tokens.js';
import * as config from './config.js';

let session = null;
let cleanup = null;

const live = $('#live-status');
function setLive(state) {
  if (!state) { live.hidden = true; live.textContent = ''; return; }
  live.hidden = false;
  live.dataset.state = state;
  live.textContent = state;
}

function parseRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const p = raw ? raw.split('/').map((s) => { try { return decodeURIComponent(s); } catch { return s; } }) : [];
  if (p.length === 0 || (p.length === 1 && p[0] === 'overview')) return { page: overview, nav: 'overview', params: {} };
  if (p[0] === 'channels' && p.length === 2 && p[1]) return { page: channel, nav: 'overview', params: { channel: p[1] } };
  if (p[0] === 'channels' && p.length === 4 && p[2] === 'messages') {
    return { page: inspector, nav: 'overview', params: { channel: p[1], id: p[3] } };
  }
  if (p[0] === 'dead-letters' && p.length <= 2) return { page: deadLetters, nav: 'dead-letters', params: { channel: p[1] || '' } };
  if (p[0] === 'tokens' && p.length <= 2) return { page: tokens, nav: 'tokens', params: { channel: p[1] || '' } };
  if (p[0] === 'config' && p.length === 1) return { page: config, nav: 'config', params: {} };
  return { page: null, nav: '', params: {} };
}

function leavePage() {
  if (cleanup) { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  setLive(null);
  $('#view').replaceChildren();
}

function route() {
  if (!session) return;
  leavePage();
  const { page, nav, params } = parseRoute();
  for (const a of document.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = $('#view');
  const ctx = { session, setLive };
  if (page) cleanup = page.render(view, params, ctx) || null;
  else view.append(h('h1', { tabindex: -1 }, 'Page not found'), h('p', null, h('a', { href: '#/overview' }, 'Back to the overview')));
  const h1 = view.querySelector('h1');
  if (h1) {
    h1.setAttribute('tabindex', '-1');
    document.title = `${h1.textContent} · cwm console`;
    h1.focus();
  }
}

function showLogin(message = '') {
  session = null;
  setToken(null);
  leavePage();
  $('#nav').hidden = true;
  $('#logout').hidden = true;
  $('#node-name').textContent = '';
  $('#login-view').hidden = false;
  $('#login-error').textContent = message;
  $('#login-token').value = '';
  document.title = 'Log in · cwm console';
  $('#login-token').focus();
}

function showShell() {
  $('#login-view').hidden = true;
  $('#nav').hidden = false;
  $('#logout').hidden = false;
  $('#node-name').textContent = session.node ? `node ${session.node}` : '';
  route();
}

async function login(e) {
  e.preventDefault();
  const input = $('#login-token');
  const err = $('#login-error');
  const value = input.value.trim();
  if (!value) { err.textContent = 'Enter the admin token.'; input.focus(); return; }
  $('#login-submit').disabled = true;
  err.textContent = '';
  setToken(value);
  try {
    session = await api('/console/api/session');
    input.value = '';
    showShell();
  } catch (ex) {
    setToken(null);
    session = null;
    if (ex instanceof ApiError && ex.status === 401) err.textContent = 'Invalid admin token';
    else if (ex instanceof ApiError) err.textContent = (ex.body && ex.body.detail) || ex.message;
    else err.textContent = `Cannot reach the server: ${ex.message}`;
    input.focus();
  } finally {
    $('#login-submit').disabled = false;
  }
}

setUnauthorizedHandler(() => {
  if (session) showLogin('The admin token was refused: log in again.');
});
initConfirmDialog();
$('#login-form').addEventListener('submit', login);
$('#logout').addEventListener('click', () => showLogin(''));
$('#skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  const h1 = session ? $('#view h1') : $('#login-title');
  (h1 || $('#main')).focus();
});
window.addEventListener('hashchange', route);
setInterval(() => refreshTimes($('#view')), 1000);
showLogin('');
