package io.qbridge.relay;

import io.qbridge.upstream.UpstreamError;

/**
 * How a relay ended once the client response was committed or the client left.
 *
 * @param error       the upstream failure written in-stream, or {@code null}
 * @param hasContent  whether content reached the client (a success for the account)
 * @param clientGone  the client disconnected before the end
 */
public record RelayOutcome(UpstreamError error, boolean hasContent, boolean clientGone) {}
