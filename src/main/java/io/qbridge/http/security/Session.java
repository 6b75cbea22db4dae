package io.qbridge.http.security;

import java.time.Instant;

/**
 * A signed-in console session. The id is the bearer secret (the cookie value); nothing else about
 * the admin key is kept.
 *
 * @param id            256 random bits, base64url
 * @param createdAt     sign-in time; the absolute lifetime counts from here
 * @param lastUsedAt    last authenticated request; the idle timeout counts from here
 * @param clientAddress where the sign-in came from (for operators and the audit log)
 */
public record Session(String id, Instant createdAt, Instant lastUsedAt, String clientAddress) {}
