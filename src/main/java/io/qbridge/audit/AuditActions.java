package io.qbridge.audit;

/** The actions the audit log records, one constant each (the vocabulary of {@code GET /v2/audit}). */
public final class AuditActions {
  private AuditActions() {}

  public static final String ACCOUNT_CREATE = "account.create";
  /** A patch of anything but {@code enabled} alone. */
  public static final String ACCOUNT_UPDATE = "account.update";
  /** A patch of {@code enabled: true} alone. */
  public static final String ACCOUNT_ENABLE = "account.enable";
  /** A patch of {@code enabled: false} alone. */
  public static final String ACCOUNT_DISABLE = "account.disable";
  public static final String ACCOUNT_DELETE = "account.delete";
  public static final String ACCOUNT_REFRESH = "account.refresh";
  public static final String DEVICE_LOGIN_START = "device_login.start";
  public static final String DEVICE_LOGIN_CLAIM = "device_login.claim";
  public static final String SIGN_IN = "session.sign_in";
  public static final String SIGN_IN_FAILED = "session.sign_in_failed";
  public static final String SIGN_OUT = "session.sign_out";
  /** A request to an admin route (a script, not the console's sign-in) presented a wrong ADMIN_KEY. */
  public static final String ADMIN_KEY_REJECTED = "admin_key.rejected";
}
