// English and Simplified Chinese. The language comes from the browser unless the user picked one
// (remembered in localStorage: a preference, nothing secret).
const STRINGS = {
  en: {
    language: 'Language', signOut: 'Sign out', signInTitle: 'Sign in', adminKey: 'Admin key', signIn: 'Sign in',
    accounts: 'Accounts', addAccount: 'Add account', editAccount: 'Edit account', deviceLogin: 'Device login',
    label: 'Label', clientId: 'Client ID', clientSecret: 'Client secret', refreshToken: 'Refresh token',
    save: 'Save', cancel: 'Cancel', close: 'Close', secretsHint: 'Leave secrets empty to keep the stored ones.',
    startLogin: 'Start login', deviceOpen: 'Open this link and approve:', userCode: 'User code', copy: 'Copy',
    copied: 'Copied', remaining: 'Time left', status: 'Status', state: 'State', successes: 'Successes',
    errors: 'Errors', lastRefresh: 'Last refresh', tokenExpiry: 'Token expiry', inFlight: 'In flight',
    actions: 'Actions', noAccounts: 'No accounts yet: add one with "Add account" or "Device login".',
    chatTest: 'Chat test', api: 'API', model: 'Model', thinking: 'Thinking', apiKey: 'API key',
    message: 'Message', send: 'Send', stop: 'Stop', newChat: 'New chat',
    disable: 'Disable', enable: 'Enable', refresh: 'Refresh', edit: 'Edit', delete: 'Delete',
    confirmDelete: 'Confirm delete', never: 'never', unknown: 'unknown',
    'state.active': 'active', 'state.disabled': 'disabled', 'state.cooldown': 'cooling down until {until}',
    'state.parked': 'quota exhausted until {until}', 'state.suspended': 'suspended',
    'state.quotaExhausted': 'quota exhausted until {until}', 'state.quotaExhaustedNoReset': 'quota exhausted',
    quota: 'Quota', models: 'Models', 'quota.used': '{used} / {limit} {unit}', 'quota.noLimit': '{used} used, no limit known',
    'quota.resets': 'resets {at}', 'quota.overage': 'overage on', readFailed: 'last read failed: {error}',
    'models.static': 'static list', 'models.count': '{n} models', 'models.of': 'Models of {account}',
    'models.window': '{n} in', 'models.output': '{n} out',
    summary: 'Accounts: {total} · healthy {healthy} · cooling {cooling} · quota exhausted {exhausted} · disabled {disabled} · in flight {leases}',
    'login.pending': 'waiting for approval…', 'login.completed': 'approved: account added',
    'login.failed': 'failed: {error}', 'login.expired': 'expired: start a new login',
    devRemote: 'ADMIN_KEY is not set (dev mode): this console only works from the machine qbridge runs on. Set ADMIN_KEY to manage qbridge from here.',
    devMode: 'Dev mode: no ADMIN_KEY is set, so only this machine can manage qbridge.',
    sessionEnded: 'Your session has ended: sign in again.',
    thinkingLabel: 'thinking', toolLabel: 'tool call', you: 'You', assistant: 'Assistant',
    stopped: 'stopped', stats: 'TTFT {ttft} · duration {duration} · tokens in {input} / out {output}',
    networkError: 'Cannot reach qbridge: {error}', seconds: '{n} s',
    auditLog: 'Audit log', auditReload: 'Reload log', auditOlder: 'Load older', auditEmpty: 'Nothing recorded yet.',
    auditTime: 'Time', auditAction: 'Action', auditAccount: 'Account', auditChanges: 'Changes', auditActor: 'By',
    auditResult: 'Result', auditHidden: 'hidden', auditSuccess: 'done ({status})', auditFailure: 'failed ({status})',
    'actor.admin-key': 'admin key (script)', 'actor.loopback': 'this machine (dev mode)', 'actor.anonymous': 'unknown',
    'actor.session': 'console session {tag}',
    'audit.account.create': 'account added', 'audit.account.update': 'account edited',
    'audit.account.enable': 'account enabled', 'audit.account.disable': 'account disabled',
    'audit.account.delete': 'account deleted', 'audit.account.refresh': 'token refreshed',
    'audit.device_login.start': 'device login started', 'audit.device_login.claim': 'device login claimed',
    'audit.session.sign_in': 'signed in', 'audit.session.sign_in_failed': 'sign-in failed',
    'audit.admin_key.rejected': 'wrong admin key',
    'audit.session.sign_out': 'signed out',
  },
  zh: {
    language: '语言', signOut: '退出登录', signInTitle: '登录', adminKey: '管理密钥', signIn: '登录',
    accounts: '账号', addAccount: '添加账号', editAccount: '编辑账号', deviceLogin: '设备登录',
    label: '名称', clientId: '客户端 ID', clientSecret: '客户端密钥', refreshToken: '刷新令牌',
    save: '保存', cancel: '取消', close: '关闭', secretsHint: '密钥留空则保留已保存的值。',
    startLogin: '开始登录', deviceOpen: '打开此链接并批准：', userCode: '用户代码', copy: '复制',
    copied: '已复制', remaining: '剩余时间', status: '状态', state: '状态', successes: '成功',
    errors: '错误', lastRefresh: '上次刷新', tokenExpiry: '令牌过期', inFlight: '进行中',
    actions: '操作', noAccounts: '还没有账号：用“添加账号”或“设备登录”添加。',
    chatTest: '对话测试', api: '接口', model: '模型', thinking: '思考', apiKey: 'API 密钥',
    message: '消息', send: '发送', stop: '停止', newChat: '新对话',
    disable: '停用', enable: '启用', refresh: '刷新', edit: '编辑', delete: '删除',
    confirmDelete: '确认删除', never: '从未', unknown: '未知',
    'state.active': '正常', 'state.disabled': '已停用', 'state.cooldown': '冷却中，直到 {until}',
    'state.parked': '额度用尽，直到 {until}', 'state.suspended': '已被暂停',
    'state.quotaExhausted': '额度用尽，直到 {until}', 'state.quotaExhaustedNoReset': '额度用尽',
    quota: '额度', models: '模型', 'quota.used': '{used} / {limit} {unit}', 'quota.noLimit': '已用 {used}，上限未知',
    'quota.resets': '{at} 重置', 'quota.overage': '已开启超额', readFailed: '上次读取失败：{error}',
    'models.static': '静态列表', 'models.count': '{n} 个模型', 'models.of': '{account} 的模型',
    'models.window': '输入 {n}', 'models.output': '输出 {n}',
    summary: '共 {total} 个账号：{healthy} 个正常，{cooling} 个冷却中，{exhausted} 个额度用尽，{disabled} 个已停用 · {leases} 个请求进行中',
    'login.pending': '等待批准…', 'login.completed': '已批准：账号已添加',
    'login.failed': '失败：{error}', 'login.expired': '已过期：请重新开始登录',
    devRemote: '未设置 ADMIN_KEY（开发模式）：只能在运行 qbridge 的机器上使用此控制台。设置 ADMIN_KEY 后即可从这里管理。',
    devMode: '开发模式：未设置 ADMIN_KEY，只有本机可以管理 qbridge。',
    sessionEnded: '会话已结束，请重新登录。',
    thinkingLabel: '思考', toolLabel: '工具调用', you: '你', assistant: '助手',
    stopped: '已停止', stats: '首字延迟 {ttft} · 用时 {duration} · 输入 {input} / 输出 {output} 个令牌',
    networkError: '无法连接 qbridge：{error}', seconds: '{n} 秒',
    auditLog: '审计日志', auditReload: '重新加载日志', auditOlder: '加载更早的记录', auditEmpty: '还没有记录。',
    auditTime: '时间', auditAction: '操作', auditAccount: '账号', auditChanges: '变更', auditActor: '操作者',
    auditResult: '结果', auditHidden: '已隐藏', auditSuccess: '成功（{status}）', auditFailure: '失败（{status}）',
    'actor.admin-key': '管理密钥（脚本）', 'actor.loopback': '本机（开发模式）', 'actor.anonymous': '未知',
    'actor.session': '控制台会话 {tag}',
    'audit.account.create': '添加账号', 'audit.account.update': '编辑账号',
    'audit.account.enable': '启用账号', 'audit.account.disable': '停用账号',
    'audit.account.delete': '删除账号', 'audit.account.refresh': '刷新令牌',
    'audit.device_login.start': '开始设备登录', 'audit.device_login.claim': '完成设备登录',
    'audit.session.sign_in': '登录', 'audit.session.sign_in_failed': '登录失败',
    'audit.admin_key.rejected': '管理密钥错误',
    'audit.session.sign_out': '退出登录',
  },
};

const STORAGE_KEY = 'qbridge.lang';
let lang = pickLanguage();

function pickLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && STRINGS[saved]) return saved;
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  return wanted.some((l) => String(l).toLowerCase().startsWith('zh')) && !String(wanted[0]).toLowerCase().startsWith('en')
    ? 'zh' : 'en';
}

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = STRINGS[next] ? next : 'en';
  localStorage.setItem(STORAGE_KEY, lang);
  applyStatic();
}

/** The string for key, with {name} placeholders filled from vars. */
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? ''));
}

/** Translates every element carrying data-i18n, and the page language. */
export function applyStatic() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
