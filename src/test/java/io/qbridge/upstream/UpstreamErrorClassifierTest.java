package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.bus.AccountAction;
import io.qbridge.upstream.UpstreamError.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** One row per observed Amazon Q error body (protocol doc §4.1). */
class UpstreamErrorClassifierTest {

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      400 | ValidationException   | {"message":"Input is too long.","reason":"CONTENT_LENGTH_EXCEEDS_THRESHOLD"} | CONTEXT_TOO_LONG
      400 | ValidationException   | {"message":"Improperly formed request.","reason":null}                       | MALFORMED_REQUEST
      400 | ValidationException   | {"message":"Invalid model","reason":"INVALID_MODEL_ID"}                      | INVALID_MODEL
      403 | AccessDeniedException | {"message":"The bearer token included in the request is invalid.","reason":null} | TOKEN_INVALID
      403 | AccessDeniedException | {"message":"Your User ID (1234) temporarily is suspended.","reason":"TEMPORARILY_SUSPENDED"} | SUSPENDED
      403 | AccessDeniedException | {"message":"Feature not supported","reason":"FEATURE_NOT_SUPPORTED"}         | ACCESS_DENIED
      429 | ThrottlingException   | {"message":"Too many requests, please wait before trying again."}            | THROTTLED
      429 | ThrottlingException   | {"message":"Due to suspicious activity, we are imposing temporary limits."}  | SUSPICIOUS_ACTIVITY
      429 | ThrottlingException   | {"message":"busy","reason":"INSUFFICIENT_MODEL_CAPACITY"}                    | CAPACITY
      500 | InternalServerException | {"message":"Encountered unexpectedly high load when processing the request, please try again."} | CAPACITY
      400 | ThrottlingException   | {"message":"Maximum com.amazon.aws.codewhisperer.streaming.GenerateAssistantResponse reached for this month.","reason":"MONTHLY_REQUEST_COUNT"} | QUOTA_EXHAUSTED
      402 |                       | {"__type":"com.amazon.kiro.runtimeservice#ServiceQuotaExceededException","message":"You have reached the limit.","reason":"MONTHLY_REQUEST_COUNT"} | QUOTA_EXHAUSTED
      429 | ServiceQuotaExceededException | {"message":"You have reached the limit.","reason":"MONTHLY_REQUEST_COUNT"} | QUOTA_EXHAUSTED
      503 | ServiceUnavailableException | {"message":"Service unavailable"}                                      | SERVER_ERROR
      500 |                       | not json at all                                                              | SERVER_ERROR
      418 |                       | {"message":"teapot"}                                                         | UNKNOWN
      """)
  void classifiesObservedBodies(int status, String type, String body, Kind expected) {
    UpstreamError e = UpstreamErrorClassifier.classifyHttp(status, type == null || type.isBlank() ? null : type, body, null);
    assertThat(e.kind()).isEqualTo(expected);
    assertThat(e.upstreamStatus()).isEqualTo(status);
  }

  @Test
  void clientMessagesNeverLeakUpstreamDetails() {
    UpstreamError e = UpstreamErrorClassifier.classifyHttp(403, "AccessDeniedException",
        "{\"message\":\"Your User ID (d0c1a4b2-1111-2222-3333-444455556666) temporarily is suspended.\",\"reason\":\"TEMPORARILY_SUSPENDED\"}", null);
    assertThat(e.getMessage()).doesNotContain("d0c1a4b2").doesNotContain("User ID");
    assertThat(e.detail()).contains("d0c1a4b2");
    assertThat(e.kind().accountAction()).isEqualTo(AccountAction.DISABLE);
  }

  @Test
  void clientErrorsDoNotPenaliseTheAccount() {
    assertThat(Kind.CONTEXT_TOO_LONG.accountAction()).isEqualTo(AccountAction.NONE);
    assertThat(Kind.MALFORMED_REQUEST.accountAction()).isEqualTo(AccountAction.NONE);
    assertThat(Kind.CONTEXT_TOO_LONG.retryable()).isFalse();
    assertThat(Kind.THROTTLED.retryable()).isTrue();
  }

  @Test
  void retryAfterSecondsAndDates() {
    assertThat(UpstreamErrorClassifier.parseRetryAfter("7")).isEqualTo(7000);
    assertThat(UpstreamErrorClassifier.parseRetryAfter("1.5")).isEqualTo(1500);
    assertThat(UpstreamErrorClassifier.parseRetryAfter("garbage")).isEqualTo(-1);
    assertThat(UpstreamErrorClassifier.parseRetryAfter(null)).isEqualTo(-1);
    String future = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(60));
    assertThat(UpstreamErrorClassifier.parseRetryAfter(future)).isBetween(55_000L, 61_000L);
  }

  @Test
  void streamExceptionsAreClassified() {
    assertThat(UpstreamErrorClassifier.classifyStreamException(
        new QEvent.StreamException("ThrottlingException", "Too many requests", null)).kind()).isEqualTo(Kind.THROTTLED);
    assertThat(UpstreamErrorClassifier.classifyStreamException(
        new QEvent.StreamException("ContentLengthExceededException", "too long", null)).kind()).isEqualTo(Kind.CONTEXT_TOO_LONG);
    assertThat(UpstreamErrorClassifier.classifyStreamException(
        new QEvent.StreamException("error", "boom", null)).kind()).isEqualTo(Kind.SERVER_ERROR);
  }

  @Test
  void awsTypeNamesAreSimplified() {
    assertThat(UpstreamErrorClassifier.simpleType("com.amazon.coral#ThrottlingException:http://internal")).isEqualTo("ThrottlingException");
    assertThat(OidcClient.errorFromType("AuthorizationPendingException")).isEqualTo("authorization_pending");
    assertThat(OidcClient.errorFromType("SlowDownException")).isEqualTo("slow_down");
  }
}
