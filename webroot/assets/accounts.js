// The accounts table and the add/edit form. Rows are keyed by account id and updated in place on
// every poll, so focus and half-finished confirmations survive the live updates.
import { api } from './api.js';
import { t, language } from './i18n.js';

const $ = (id) => document.getElementById(id);

export class Accounts {
  constructor(onChange) {
    this.onChange = onChange;
    this.rows = new Map();
    this.accounts = [];
    this.editing = null;
    $('add-account').addEventListener('click', () => this.openForm(null));
    $('account-form-cancel').addEventListener('click', () => this.closeForm());
    $('account-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.save();
    });
  }

  openForm(account) {
    this.editing = account;
    const form = $('account-form');
    form.reset();
    $('account-form-error').textContent = '';
    $('account-form-title').dataset.i18n = account ? 'editAccount' : 'addAccount';
    $('account-form-title').textContent = t($('account-form-title').dataset.i18n);
    $('account-form-hint').hidden = !account;
    if (account) {
      $('acc-label').value = account.label || '';
      $('acc-client-id').value = account.clientId || '';
    }
    form.hidden = false;
    $('acc-label').focus();
  }

  closeForm() {
    $('account-form').hidden = true;
    this.editing = null;
  }

  async save() {
    const body = {};
    const label = $('acc-label').value.trim();
    const clientId = $('acc-client-id').value.trim();
    const clientSecret = $('acc-client-secret').value;
    const refreshToken = $('acc-refresh-token').value;
    body.label = label;
    if (clientId || !this.editing) body.clientId = clientId;
    if (clientSecret || !this.editing) body.clientSecret = clientSecret;
    if (refreshToken || !this.editing) body.refreshToken = refreshToken;
    try {
      if (this.editing) {
        await api('PATCH', `/v2/accounts/${encodeURIComponent(this.editing.id)}`, body);
      } else {
        await api('POST', '/v2/accounts', body);
      }
      this.closeForm();
      this.onChange();
    } catch (e) {
      $('account-form-error').textContent = e.message;
    }
  }

  /** Shows the accounts (newest first, as the API lists them). */
  render(accounts) {
    this.accounts = accounts;
    const body = $('accounts-body');
    const seen = new Set();
    accounts.forEach((account, index) => {
      seen.add(account.id);
      let row = this.rows.get(account.id);
      if (!row) {
        row = this.createRow(account.id);
        this.rows.set(account.id, row);
      }
      this.fillRow(row, account);
      if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] || null);
    });
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        this.rows.delete(id);
      }
    }
    $('accounts-empty').hidden = accounts.length > 0;
  }

  /** Re-renders the current rows (after a language switch). */
  rerender() {
    this.render(this.accounts);
  }

  createRow(id) {
    const tr = document.createElement('tr');
    tr.dataset.accountId = id;
    const cells = {};
    for (const key of ['label', 'state', 'quota', 'models', 'successes', 'errors', 'lastRefresh', 'tokenExpiry', 'inFlight',
      'actions']) {
      const td = document.createElement('td');
      td.dataset.key = key;
      tr.appendChild(td);
      cells[key] = td;
    }
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const make = (cls, handler) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = cls;
      b.addEventListener('click', handler);
      buttons.appendChild(b);
      return b;
    };
    const row = { tr, cells, account: null, confirming: false };
    row.toggle = make('secondary', () => this.act(row, () => api('PATCH', this.path(row),
      { enabled: !row.account.enabled })));
    row.refresh = make('secondary', () => this.act(row, () => api('POST', `${this.path(row)}/refresh`)));
    row.edit = make('secondary', () => this.openForm(row.account));
    row.del = make('danger', () => {
      if (!row.confirming) {
        row.confirming = true;
        this.fillRow(row, row.account);
        return;
      }
      this.act(row, () => api('DELETE', this.path(row)));
    });
    row.cancel = make('secondary', () => {
      row.confirming = false;
      this.fillRow(row, row.account);
      row.del.focus();
    });
    cells.actions.appendChild(buttons);
    return row;
  }

  path(row) {
    return `/v2/accounts/${encodeURIComponent(row.account.id)}`;
  }

  async act(row, call) {
    $('accounts-error').textContent = '';
    try {
      await call();
    } catch (e) {
      $('accounts-error').textContent = `${row.account.label || row.account.id}: ${e.message}`;
    }
    row.confirming = false;
    this.onChange();
  }

  fillRow(row, a) {
    row.account = a;
    const c = row.cells;
    for (const [key, td] of Object.entries(c)) td.dataset.label = t(key);
    setLines(c.label, a.label || a.id, a.clientId);
    const [stateText, reason] = describeState(a);
    setLines(c.state, stateText, reason);
    c.state.className = `state-${a.enabled ? a.state : 'disabled'}`;
    const [quotaText, quotaSub] = describeQuota(a);
    setLines(c.quota, quotaText, quotaSub);
    fillModels(c.models, a);
    setLines(c.successes, String(a.success_count ?? 0));
    setLines(c.errors, String(a.error_count ?? 0));
    setLines(c.lastRefresh, a.last_refresh_status || t('never'), formatTime(a.last_refresh_time));
    setLines(c.tokenExpiry, a.expires_at ? formatTime(a.expires_at) : t('unknown'));
    setLines(c.inFlight, a.inFlight === undefined ? '–' : String(a.inFlight));
    row.toggle.textContent = t(a.enabled ? 'disable' : 'enable');
    row.refresh.textContent = t('refresh');
    row.edit.textContent = t('edit');
    row.del.textContent = t(row.confirming ? 'confirmDelete' : 'delete');
    row.cancel.textContent = t('cancel');
    row.cancel.hidden = !row.confirming;
  }
}

function setLines(td, main, sub) {
  // unchanged cells are left alone, so a poll does not churn the DOM under the user
  if (td.dataset.main === main && td.dataset.sub === (sub || '')) return;
  td.dataset.main = main;
  td.dataset.sub = sub || '';
  td.replaceChildren();
  const span = document.createElement('span');
  span.textContent = main;
  td.appendChild(span);
  if (sub) {
    const small = document.createElement('span');
    small.className = 'sub';
    small.textContent = sub;
    td.appendChild(small);
  }
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(language() === 'zh' ? 'zh-CN' : 'en');
}

/** [state text, reason] in the current language. */
export function describeState(a) {
  const other = a.other || {};
  if (!a.enabled || a.state === 'disabled') {
    const reason = other.disabledReason;
    return [reason === 'suspended' ? t('state.suspended') : t('state.disabled'), reason || ''];
  }
  if (a.state === 'cooldown') return [t('state.cooldown', { until: formatTime(other.cooldownUntil) }), other.cooldownReason || ''];
  if (a.state === 'parked') return [t('state.parked', { until: formatTime(other.parkedUntil) }), other.parkedReason || ''];
  if (a.state === 'quota_exhausted') {
    return [a.stateUntil ? t('state.quotaExhausted', { until: formatTime(a.stateUntil) }) : t('state.quotaExhaustedNoReset'), ''];
  }
  return [t('state.active'), ''];
}

const number = (n) => Number(n).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en', { maximumFractionDigits: 2 });

/** [used of limit, plan · reset · read failure] from the last GetUsageLimits read, in the current language. */
export function describeQuota(a) {
  const other = a.other || {};
  const usage = other.usage;
  const failure = other.usageError ? t('readFailed', { error: other.usageError }) : '';
  if (!usage) return [t('unknown'), failure];
  const main = usage.limit > 0
    ? t('quota.used', { used: number(usage.used), limit: number(usage.limit), unit: (usage.unit || '').toLowerCase() })
    : t('quota.noLimit', { used: number(usage.used) });
  const details = [usage.plan, usage.nextReset ? t('quota.resets', { at: formatTime(usage.nextReset) }) : '',
    usage.overageEnabled ? t('quota.overage') : '', failure];
  return [main.trim(), details.filter(Boolean).join(' · ')];
}

/**
 * The account's model catalog: a disclosure ("3 models") opening the list of ids with their
 * context window and output limit, or "static list" until Amazon Q answered. Rebuilt only when
 * the catalog changes, so an opened list stays open across polls.
 */
function fillModels(td, a) {
  const other = a.other || {};
  const catalog = other.modelCatalog && other.modelCatalog.fetched !== false ? other.modelCatalog : null;
  const key = JSON.stringify([catalog, other.catalogError || '', language()]);
  if (td.dataset.main === key) return;
  const open = Boolean(td.querySelector('details[open]'));
  td.dataset.main = key;
  td.replaceChildren();
  if (!catalog) {
    const span = document.createElement('span');
    span.textContent = t('models.static');
    td.appendChild(span);
  } else {
    const models = catalog.models || [];
    const details = document.createElement('details');
    details.open = open;
    const summary = document.createElement('summary');
    summary.textContent = t('models.count', { n: models.length });
    const list = document.createElement('ul');
    list.className = 'models';
    list.setAttribute('aria-label', t('models.of', { account: a.label || a.id }));
    for (const m of models) {
      const item = document.createElement('li');
      const limits = [m.contextWindow ? t('models.window', { n: number(m.contextWindow) }) : '',
        m.maxOutput ? t('models.output', { n: number(m.maxOutput) }) : ''].filter(Boolean).join(', ');
      item.textContent = limits ? `${m.id} (${limits})` : m.id;
      if (m.name && m.name !== m.id) item.title = m.name;
      list.appendChild(item);
    }
    details.append(summary, list);
    td.appendChild(details);
  }
  if (other.catalogError) {
    const failure = document.createElement('span');
    failure.className = 'sub';
    failure.textContent = t('readFailed', { error: other.catalogError });
    td.appendChild(failure);
  }
}
