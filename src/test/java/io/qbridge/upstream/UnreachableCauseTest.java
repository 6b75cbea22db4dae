package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A client told "cannot reach" also learns the host and why, in words that leak nothing internal. */
class UnreachableCauseTest {

  @Test
  void eachConnectFailureHasItsCauseClass() {
    assertThat(UpstreamStream.unreachableCause(new UnknownHostException("q.example"))).isEqualTo("DNS lookup failed");
    assertThat(UpstreamStream.unreachableCause(new ConnectException("Connection refused: /10.0.0.1:443"))).isEqualTo("connection refused");
    assertThat(UpstreamStream.unreachableCause(new ConnectTimeoutException("connection timed out after 5000 ms: q/1.2.3.4:443")))
        .isEqualTo("connect timed out");
    assertThat(UpstreamStream.unreachableCause(new RuntimeException(new SSLHandshakeException("PKIX path building failed"))))
        .isEqualTo("TLS handshake failed");
    assertThat(UpstreamStream.unreachableCause(new IllegalStateException("something else"))).isNull();
  }

  @Test
  void theClientMessageNamesHostAndCauseTheDetailKeepsTheRest() {
    UpstreamError e = UpstreamStream.transportError(new UnknownHostException("q.example: Name or service not known"), "q.example");
    assertThat(e.kind()).isEqualTo(UpstreamError.Kind.CONNECT_FAILED);
    assertThat(e.getMessage()).isEqualTo("Cannot reach the upstream service q.example: DNS lookup failed");
    assertThat(e.detail()).contains("UnknownHostException");
    assertThat(e.status()).isEqualTo(502);
  }
}
