package io.qbridge.api.responses.store;

/**
 * One stored Responses API response: the response object as the client received it and the
 * conversation a {@code previous_response_id} continues (input items and output items). Both are
 * JSON text, encoded once on the HTTP side. Never holds credentials: only what the client sent and
 * what the model answered.
 *
 * @param createdAtMillis when it was stored (eviction order)
 * @param expiresAtMillis after this it is gone for clients
 */
public record StoredResponse(String id, long createdAtMillis, long expiresAtMillis, String response, String items) {

  /** Bytes the record takes in the store's accounting (UTF-16 chars, close enough for caps). */
  public long size() {
    return (long) response.length() + items.length();
  }
}
