package io.qbridge.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.quota.UsageLimits;
import io.qbridge.telemetry.RequestFacts;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every qbridge_* series the Grafana dashboard queries is one PrometheusMetrics exposes, under the
 * exact names the README lists; and the per-state account gauge sums to what the census reported.
 */
class DashboardTest {

  private static final Pattern NAME = Pattern.compile("\\bqbridge_[a-z_]+");

  private static String everyMeter() {
    PrometheusMetrics m = new PrometheusMetrics();
    RequestFacts facts = new RequestFacts();
    facts.prepared("claude-sonnet-4.5", 10);
    facts.outputTokens(() -> 5);
    facts.upstreamCall("OK");
    facts.failover();
    m.requestEnded(facts.withApi("anthropic"), 200, 1_000_000, 500_000);
    m.streamOpened();
    m.tokenRefresh("success");
    m.accounts(Map.of("active", 3, "suspended", 1));
    m.accountInflight("acc-1", 2);
    m.accountUsage("acc-1", new UsageLimits(12.5, 50, Instant.parse("2026-06-01T00:00:00Z"), "KIRO PRO", null, "CREDIT", false));
    return m.scrape();
  }

  @Test
  void dashboardQueriesOnlyExposedNames() throws Exception {
    String scrape = everyMeter();
    Set<String> exposed = new TreeSet<>();
    Matcher m = NAME.matcher(scrape);
    while (m.find()) exposed.add(m.group());
    assertThat(exposed).contains("qbridge_requests_total", "qbridge_request_duration_seconds_bucket",
        "qbridge_request_duration_seconds_sum", "qbridge_request_duration_seconds_count", "qbridge_ttft_seconds_bucket",
        "qbridge_active_streams", "qbridge_upstream_calls_total", "qbridge_failovers_total", "qbridge_accounts",
        "qbridge_account_inflight", "qbridge_token_refreshes_total", "qbridge_tokens_total", "qbridge_account_quota_used",
        "qbridge_account_quota_limit", "qbridge_account_quota_reset_timestamp_seconds", "qbridge_account_quota_exhausted");

    JsonObject dashboard = new JsonObject(Files.readString(Path.of("conf/grafana/qbridge-dashboard.json")));
    Set<String> queried = new TreeSet<>();
    Matcher q = NAME.matcher(dashboard.encode());
    while (q.find()) queried.add(q.group());
    assertThat(queried).isNotEmpty();
    assertThat(exposed).containsAll(queried);
  }

  @Test
  void accountsGaugeSumsToTheCensusAndForgetsVanishedStates() {
    PrometheusMetrics m = new PrometheusMetrics();
    m.accounts(Map.of("active", 3, "suspended", 1, "cooldown", 2));
    assertThat(sum(m)).isEqualTo(6);
    m.accounts(Map.of("active", 4));
    assertThat(sum(m)).isEqualTo(4);
  }

  @Test
  void usageGaugesFollowTheLatestReadAndGoWithTheAccount() {
    PrometheusMetrics m = new PrometheusMetrics();
    Instant reset = Instant.now().plusSeconds(3600);
    m.accountUsage("acc-1", new UsageLimits(50, 50, reset, null, null, null, false));
    assertThat(m.scrape()).contains("qbridge_account_quota_exhausted{account=\"acc-1\"} 1.0")
        .contains("qbridge_account_quota_reset_timestamp_seconds{account=\"acc-1\"} " + (double) reset.getEpochSecond());
    m.accountUsage("acc-1", new UsageLimits(50, 500, null, null, null, null, false));
    assertThat(m.scrape()).contains("qbridge_account_quota_exhausted{account=\"acc-1\"} 0.0")
        .contains("qbridge_account_quota_limit{account=\"acc-1\"} 500.0")
        .contains("qbridge_account_quota_reset_timestamp_seconds{account=\"acc-1\"} NaN");
    m.accountRemoved("acc-1");
    assertThat(m.scrape()).doesNotContain("acc-1");
  }

  private static double sum(PrometheusMetrics m) {
    return m.registry().find("qbridge.accounts").gauges().stream().mapToDouble(g -> g.value()).sum();
  }
}
