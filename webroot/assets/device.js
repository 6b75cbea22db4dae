// Device login with AWS Builder ID: start, show the link and code, poll the status until the
// account exists. The pending login (its id, link, code, deadline; nothing secret) is kept in
// sessionStorage so a page reload picks it up again.
import { api } from './api.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const STORAGE_KEY = 'qbridge.deviceLogin';

export class DeviceLogin {
  constructor(onAccountAdded) {
    this.onAccountAdded = onAccountAdded;
    this.timer = null;
    this.ticker = null;
    this.login = null;
    this.statusKey = null;
    this.statusVars = {};
    $('device-login').addEventListener('click', () => this.open());
    $('device-close').addEventListener('click', () => this.close());
    $('device-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.start();
    });
    $('device-copy').addEventListener('click', () => this.copy());
  }

  open() {
    $('device-panel').hidden = false;
    $('device-label').focus();
  }

  close() {
    this.stopTimers();
    $('device-panel').hidden = true;
    $('device-progress').hidden = true;
    $('device-error').textContent = '';
    if (this.login && this.statusKey !== 'login.pending') sessionStorage.removeItem(STORAGE_KEY);
  }

  /** Continues a login that was pending when the page was reloaded. */
  resume() {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (!saved) return;
    try {
      this.login = JSON.parse(saved);
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
      return;
    }
    $('device-panel').hidden = false;
    this.show();
    this.poll();
  }

  async start() {
    $('device-error').textContent = '';
    const label = $('device-label').value.trim();
    try {
      const started = await api('POST', '/v2/auth/start', label ? { label } : {});
      this.login = {
        authId: started.authId,
        link: started.verificationUriComplete || started.verificationUri,
        userCode: started.userCode,
        deadline: Date.now() + started.expiresIn * 1000,
        interval: Math.max(1, started.interval || 1),
      };
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.login));
      this.setStatus('login.pending');
      this.show();
      this.schedule();
    } catch (e) {
      $('device-error').textContent = e.message;
    }
  }

  show() {
    const link = $('device-link');
    link.href = this.login.link;
    link.textContent = this.login.link;
    $('device-code').textContent = this.login.userCode;
    $('device-progress').hidden = false;
    this.stopTicker();
    this.tick();
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  tick() {
    const left = Math.max(0, Math.round((this.login.deadline - Date.now()) / 1000));
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, '0');
    $('device-countdown').textContent = `${m}:${s}`;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), this.login.interval * 1000);
  }

  async poll() {
    if (!this.login) return;
    try {
      const s = await api('GET', `/v2/auth/status/${encodeURIComponent(this.login.authId)}`);
      if (typeof s.remaining === 'number') this.login.deadline = Date.now() + s.remaining * 1000;
      if (s.status === 'pending') {
        this.setStatus('login.pending');
        this.schedule();
        return;
      }
      this.finish(s.status === 'failed' ? 'login.failed' : `login.${s.status}`, { error: s.error || '' });
      if (s.status === 'completed') this.onAccountAdded();
    } catch (e) {
      if (e.status === 404) {
        this.finish('login.expired', {});
      } else {
        $('device-error').textContent = e.message;
        this.schedule();
      }
    }
  }

  finish(key, vars) {
    sessionStorage.removeItem(STORAGE_KEY);
    this.stopTimers();
    this.setStatus(key, vars);
    if (key !== 'login.pending') $('device-countdown').textContent = '0:00';
  }

  setStatus(key, vars = {}) {
    this.statusKey = key;
    this.statusVars = vars;
    $('device-status').textContent = t(key, vars);
  }

  /** Re-renders translated text (after a language switch). */
  rerender() {
    if (this.statusKey) this.setStatus(this.statusKey, this.statusVars);
  }

  async copy() {
    const code = $('device-code').textContent;
    try {
      await navigator.clipboard.writeText(code);
      $('device-copy').textContent = t('copied');
    } catch {
      const range = document.createRange();
      range.selectNodeContents($('device-code'));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    setTimeout(() => { $('device-copy').textContent = t('copy'); }, 1500);
  }

  stopTicker() {
    clearInterval(this.ticker);
    this.ticker = null;
  }

  stopTimers() {
    clearTimeout(this.timer);
    this.timer = null;
    this.stopTicker();
  }
}
