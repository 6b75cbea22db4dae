package io.qbridge.upstream;

/** An OAuth/OIDC error answer ({@code error} code and description) or a transport failure ({@code transport_error}). */
public final class OidcException extends RuntimeException {

  private final int status;
  private final String error;

  public OidcException(int status, String error, String description) {
    super(error + (description == null || description.isEmpty() ? "" : ": " + description), null, false, false);
    this.status = status;
    this.error = error;
  }

  public int status() { return status; }

  /** The OAuth error code, e.g. {@code invalid_grant}. */
  public String error() { return error; }

  public boolean isInvalidGrant() { return "invalid_grant".equals(error); }
}
