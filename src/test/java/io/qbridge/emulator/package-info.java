/**
 * Amazon Q Developer upstream emulator for tests and the benchmark: {@link
 * io.qbridge.emulator.AmazonQEmulator} serves the Flavour-A chat endpoint (binary AWS event
 * stream, protocol doc §1/§3/§4) and the SSO-OIDC endpoints (§5) on one 127.0.0.1 port.
 *
 * <pre>{@code
 * AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
 * Credentials acct = emu.oidc().newAccount();                   // client + valid token pair
 * emu.enqueue(Scenario.text("Hel", "lo"));                      // FIFO, one per accepted chat request
 * emu.enqueue(Scenario.builder().text("Checking.")
 *     .toolUse("tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}").build());
 * emu.enqueue(Scenario.throttled429(3));                        // ready-made §4.1 error bodies
 * emu.scenarioForToken(acct.accessToken(), Scenario.suspended403());   // sticky, for failover
 * // ... run the gateway against emu.chatEndpoint() and emu.oidcEndpoint() ...
 * emu.chatRequests();  emu.oidcRequests();  emu.oidc().refreshCount();
 * emu.close().await();
 * }</pre>
 *
 * Everything here is test scope; production code never depends on it.
 */
package io.qbridge.emulator;
