// The audit log view: the newest page of GET /v2/audit, refreshed with the pool poll when
// something new was recorded, and older pages on demand. Secret fields arrive by name only.
import { api } from './api.js';
import { t } from './i18n.js';
import { formatTime } from './accounts.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const COLUMNS = ['auditTime', 'auditAction', 'auditAccount', 'auditChanges', 'auditActor', 'auditResult'];

export class AuditLog {
  constructor() {
    this.entries = [];
    this.nextBefore = null;
    this.labels = new Map();
    $('audit-reload').addEventListener('click', () => this.load());
    $('audit-older').addEventListener('click', () => this.loadOlder());
  }

  /** Account labels to show instead of ids (from the accounts list of the same poll). */
  setAccounts(accounts) {
    this.labels = new Map(accounts.map((a) => [a.id, a.label || a.id]));
  }

  /** The newest page; re-rendered only when it changed, so a poll does not churn the DOM. */
  async load() {
    try {
      const page = await api('GET', `/v2/audit?limit=${PAGE}`);
      $('audit-error').textContent = '';
      const newest = page.entries.length ? page.entries[0].id : null;
      const shown = this.entries.length ? this.entries[0].id : null;
      if (newest === shown && this.entries.length) return;
      this.entries = page.entries;
      this.nextBefore = page.nextBefore;
      this.render();
    } catch (e) {
      if (e.status !== 401) $('audit-error').textContent = e.message;
    }
  }

  async loadOlder() {
    if (!this.nextBefore) return;
    try {
      const page = await api('GET', `/v2/audit?limit=${PAGE}&before=${encodeURIComponent(this.nextBefore)}`);
      this.entries = this.entries.concat(page.entries);
      this.nextBefore = page.nextBefore;
      this.render();
    } catch (e) {
      $('audit-error').textContent = e.message;
    }
  }

  clear() {
    this.entries = [];
    this.nextBefore = null;
    $('audit-body').replaceChildren();
  }

  render() {
    const rows = this.entries.map((e) => this.row(e));
    $('audit-body').replaceChildren(...rows);
    $('audit-empty').hidden = this.entries.length > 0;
    $('audit-older').hidden = !this.nextBefore;
  }

  row(e) {
    const tr = document.createElement('tr');
    tr.dataset.auditId = e.id;
    const cells = [
      formatTime(e.time),
      t(`audit.${e.action}`) === `audit.${e.action}` ? e.action : t(`audit.${e.action}`),
      e.accountId ? (this.labels.get(e.accountId) || e.accountId) : '',
      changes(e),
      actor(e.actor),
      t(e.outcome === 'success' ? 'auditSuccess' : 'auditFailure', { status: e.status }),
    ];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      td.dataset.label = t(COLUMNS[i]);
      const main = document.createElement('span');
      main.textContent = text;
      td.appendChild(main);
      if (i === 4 && e.address) {
        const sub = document.createElement('span');
        sub.className = 'sub';
        sub.textContent = e.address;
        td.appendChild(sub);
      }
      if (i === 5) td.className = e.outcome === 'success' ? 'state-active' : 'state-disabled';
      tr.appendChild(td);
    });
    return tr;
  }
}

/** "label: renamed, clientSecret: hidden": values only for the fields the server sent one for. */
function changes(e) {
  const values = e.values || {};
  return (e.fields || []).map((f) => {
    if (!(f in values)) return `${f}: ${t('auditHidden')}`;
    const v = values[f];
    return `${f}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }).join(', ');
}

function actor(name) {
  if (name && name.startsWith('session:')) return t('actor.session', { tag: name.slice('session:'.length) });
  const key = `actor.${name}`;
  return t(key) === key ? name : t(key);
}
