// The console's entry point: sign-in state, live polling of the pool, and wiring of the panels.
import { api, onUnauthorized } from './api.js';
import { t, applyStatic, language, setLanguage } from './i18n.js';
import { Accounts } from './accounts.js';
import { DeviceLogin } from './device.js';
import { Chat } from './chat.js';
import { AuditLog } from './audit.js';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;

let session = null;
let pollTimer = null;
const accounts = new Accounts(() => poll());
const device = new DeviceLogin(() => poll());
const chat = new Chat();
const audit = new AuditLog();

function notice(text) {
  $('notice').textContent = text || '';
  $('notice').hidden = !text;
}

function showSignIn(message) {
  stopPolling();
  $('app-view').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in-view').hidden = false;
  $('sign-in-error').textContent = message || '';
  $('admin-key').focus();
}

function showApp() {
  $('sign-in-view').hidden = true;
  $('app-view').hidden = false;
  $('sign-out').hidden = session.mode !== 'key' || session.via !== 'session';
  notice(session.mode === 'dev' ? t('devMode') : '');
  chat.setApiKeyRequired(Boolean(session.apiKeyRequired));
  chat.loadModels();
  device.resume();
  poll();
}

async function poll() {
  clearTimeout(pollTimer);
  try {
    const [list, health] = await Promise.all([
      api('GET', '/v2/accounts'),
      fetch('/healthz', { headers: { accept: 'application/json' } }).then((r) => r.json()).catch(() => ({})),
    ]);
    $('accounts-error').textContent = '';
    accounts.render(list);
    summary(list, health);
    audit.setAccounts(list);
    await audit.load();
  } catch (e) {
    if (e.status === 401) return; // the sign-in form is showing
    $('accounts-error').textContent = t('networkError', { error: e.message });
  }
  if (!$('app-view').hidden) pollTimer = setTimeout(poll, POLL_MS);
}

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = null;
}

let lastSummary = null;
function summary(list, health) {
  lastSummary = [list, health];
  const count = (state) => list.filter((a) => a.enabled && a.state === state).length;
  $('pool-summary').textContent = t('summary', {
    total: list.length,
    healthy: count('active'),
    cooling: count('cooldown'),
    exhausted: count('parked') + count('quota_exhausted'),
    disabled: list.filter((a) => !a.enabled || a.state === 'disabled').length,
    leases: health.activeLeases ?? 0,
  });
}

async function signIn(event) {
  event.preventDefault();
  const input = $('admin-key');
  const key = input.value;
  $('sign-in-error').textContent = '';
  try {
    session = await api('POST', '/v2/session', { adminKey: key });
    input.value = '';
    showApp();
  } catch (e) {
    input.value = '';
    $('sign-in-error').textContent = e.message;
    input.focus();
  }
}

async function signOut() {
  try {
    await api('DELETE', '/v2/session');
  } catch {
    // the session is gone either way for this page
  }
  session = { ...session, authenticated: false };
  $('accounts-body').replaceChildren();
  audit.clear();
  showSignIn('');
}

async function start() {
  applyStatic();
  $('lang-select').value = language();
  $('lang-select').addEventListener('change', (e) => {
    setLanguage(e.target.value);
    accounts.rerender();
    device.rerender();
    audit.render();
    if (session && session.mode === 'dev') notice(t('devMode'));
    if (lastSummary) summary(...lastSummary);
  });
  $('sign-in-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', signOut);
  onUnauthorized(() => {
    if (session && session.mode === 'key') showSignIn(t('sessionEnded'));
  });
  try {
    session = await api('GET', '/v2/session');
  } catch (e) {
    notice(e.status === 401 ? t('devRemote') : t('networkError', { error: e.message }));
    return;
  }
  if (session.authenticated) showApp();
  else showSignIn('');
}

start();
