package io.qbridge.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.config.AddressRange;
import io.vertx.core.MultiMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeersTest {

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::1]"})
  void loopbackPeers(String address) {
    assertThat(Peers.isLoopback(address)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1", "192.168.1.5", "192.0.2.2", "172.16.0.1", "8.8.8.8", "0.0.0.0", "128.0.0.1",
      "126.255.255.255", "::ffff:10.0.0.1", "::2", "fe80::1", "::", "fd00::1", "localhost", "127.0.0.1.evil.example",
      "", "999.0.0.1"})
  void nonLoopbackPeers(String address) {
    assertThat(Peers.isLoopback(address)).isFalse();
  }

  @Test
  void nullPeerIsNotLoopback() {
    assertThat(Peers.isLoopback(null)).isFalse();
  }

  @Test
  void anyForwardingHeaderMeansForwarded() {
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap())).isFalse();
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-For", "127.0.0.1"))).isTrue();
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap().add("Forwarded", "for=127.0.0.1"))).isTrue();
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap().add("X-Real-IP", "127.0.0.1"))).isTrue();
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap().add("x-forwarded-for", ""))).isTrue();
    assertThat(Peers.isForwarded(MultiMap.caseInsensitiveMultiMap().add("X-Forwarded-Proto", "https"))).isFalse();
  }

  @Test
  void hostHeaderMustNameThisMachine() {
    assertThat(Peers.isLoopbackHost("localhost:8000")).isTrue();
    assertThat(Peers.isLoopbackHost("LOCALHOST")).isTrue();
    assertThat(Peers.isLoopbackHost("app.localhost:8000")).isTrue();
    assertThat(Peers.isLoopbackHost("127.0.0.1:8000")).isTrue();
    assertThat(Peers.isLoopbackHost("[::1]:8000")).isTrue();
    assertThat(Peers.isLoopbackHost(null)).isTrue();
    assertThat(Peers.isLoopbackHost("evil.example:8000")).isFalse();
    assertThat(Peers.isLoopbackHost("localhost.evil.example")).isFalse();
    assertThat(Peers.isLoopbackHost("10.0.0.1:8000")).isFalse();
    assertThat(Peers.isLoopbackHost("[fe80::1]:8000")).isFalse();
  }

  @Test
  void addressRanges() {
    AddressRange net = AddressRange.parse("10.1.0.0/16");
    assertThat(net.contains("10.1.200.3")).isTrue();
    assertThat(net.contains("::ffff:10.1.0.9")).isTrue();
    assertThat(net.contains("10.2.0.1")).isFalse();
    assertThat(net.contains("evil")).isFalse();
    assertThat(AddressRange.parse("192.0.2.1").contains("192.0.2.1")).isTrue();
    assertThat(AddressRange.parse("192.0.2.1").contains("192.0.2.2")).isFalse();
    assertThat(AddressRange.parse("10.0.0.0/9").contains("10.127.255.255")).isTrue();
    assertThat(AddressRange.parse("10.0.0.0/9").contains("10.128.0.0")).isFalse();
    assertThat(AddressRange.parse("fd00::/8").contains("fd12::1")).isTrue();
    assertThat(AddressRange.parse("fd00::/8").contains("fe80::1")).isFalse();
    assertThat(AddressRange.problem("proxy.example")).contains("host names");
    assertThat(AddressRange.problem("10.0.0.0/33")).contains("prefix");
    assertThat(AddressRange.problem("300.0.0.1")).isNotNull();
    assertThat(AddressRange.problem("::1/129")).contains("prefix");
  }
}
