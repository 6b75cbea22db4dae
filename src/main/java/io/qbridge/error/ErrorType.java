package io.qbridge.error;

/**
 * Client-facing error vocabulary, with the spelling each API family uses. Anthropic names follow
 * https://docs.anthropic.com/en/api/errors; OpenAI names follow its error objects.
 */
public enum ErrorType {
  INVALID_REQUEST("invalid_request_error", "invalid_request_error"),
  AUTHENTICATION("authentication_error", "invalid_api_key"),
  PERMISSION("permission_error", "permission_error"),
  NOT_FOUND("not_found_error", "not_found_error"),
  REQUEST_TOO_LARGE("request_too_large", "invalid_request_error"),
  RATE_LIMIT("rate_limit_error", "rate_limit_exceeded"),
  API_ERROR("api_error", "api_error"),
  OVERLOADED("overloaded_error", "server_error"),
  TIMEOUT("timeout_error", "timeout");

  private final String anthropic;
  private final String openai;

  ErrorType(String anthropic, String openai) {
    this.anthropic = anthropic;
    this.openai = openai;
  }

  public String anthropic() { return anthropic; }

  public String openai() { return openai; }
}
