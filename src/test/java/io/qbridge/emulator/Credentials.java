package io.qbridge.emulator;

/**
 * A Builder-ID account as the emulator's OIDC side knows it: a registered client plus a currently
 * valid token pair, ready to be stored by the gateway.
 */
public record Credentials(String clientId, String clientSecret, String refreshToken, String accessToken) {}
