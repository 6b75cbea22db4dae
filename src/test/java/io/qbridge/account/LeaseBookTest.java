package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.bus.Lease;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pool's in-memory rules, without a store, a bus or a timer. */
class LeaseBookTest {

  static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  static Account account(String id, JsonObject other) {
    return new Account(id, "l-" + id, "c", "s", "rt", "at-" + id, other, null, null, NOW, NOW, true, 0, 0, null);
  }

  @Test
  void leasesCountPerAccountAndAreReleasedOnce() {
    LeaseBook book = new LeaseBook(2);
    Lease a1 = book.grant(account("a", null), 0);
    assertThat(book.atCapacity("a")).isFalse();
    Lease a2 = book.grant(account("a", null), 0);
    assertThat(book.atCapacity("a")).isTrue();
    assertThat(book.unavailable(NOW)).containsExactly("a");
    assertThat(book.release(a1.leaseId())).isNotNull();
    assertThat(book.release(a1.leaseId())).as("a second release counts nothing").isNull();
    assertThat(book.atCapacity("a")).isFalse();
    assertThat(book.size()).isEqualTo(1);

    book.retoken(a2.leaseId(), "fresh");
    assertThat(book.get(a2.leaseId()).accessToken()).isEqualTo("fresh");
  }

  @Test
  void aShorterHoldNeverReplacesALongerOneAndExpiredHoldsAreForgotten() {
    LeaseBook book = new LeaseBook(0);
    var park = new AccountHolds.Hold(AccountHolds.Type.PARKED, NOW.plusSeconds(3600), "quota_exhausted");
    var cooldown = new AccountHolds.Hold(AccountHolds.Type.COOLDOWN, NOW.plusSeconds(60), "throttled");
    assertThat(book.hold("a", park, NOW)).isTrue();
    assertThat(book.hold("a", cooldown, NOW)).isFalse();
    assertThat(book.unavailable(NOW.plusSeconds(600))).containsExactly("a");
    assertThat(book.unavailable(NOW.plusSeconds(3601))).isEmpty();
    assertThat(book.hold("a", cooldown, NOW)).as("the park is over").isTrue();
  }

  @Test
  void leasesNeverReleasedAreDroppedAfterTheirAge() {
    LeaseBook book = new LeaseBook(1);
    book.grant(account("old", null), 1_000);
    Lease young = book.grant(account("young", null), 5_000);
    assertThat(book.dropLeaked(2_000)).extracting(LeaseBook.LiveLease::accountId).containsExactly("old");
    assertThat(book.atCapacity("old")).isFalse();
    assertThat(book.get(young.leaseId())).isNotNull();
  }

  @Test
  void theReasonNothingCanBeLent() {
    LeaseBook book = new LeaseBook(1);
    JsonObject cooling = new JsonObject().put(AccountHolds.COOLDOWN_UNTIL, UtcTimes.format(NOW.plusSeconds(42)));
    JsonObject parked = new JsonObject().put(AccountHolds.PARKED_UNTIL, UtcTimes.format(NOW.plusSeconds(9000)));

    BusError cool = book.whyUnavailable(List.of(account("a", cooling), account("b", parked)), Set.of(), NOW);
    assertThat(cool.failure()).isEqualTo(BusFailure.COOLING_DOWN);
    assertThat(cool.retryAfterSeconds()).isEqualTo(42);
    assertThat(cool.getMessage()).contains("1 cooling down, 1 parked");

    BusError allParked = book.whyUnavailable(List.of(account("b", parked)), Set.of(), NOW);
    assertThat(allParked.failure()).isEqualTo(BusFailure.NO_ACCOUNT);
    assertThat(allParked.getMessage()).contains("exhausted their usage quota");

    book.grant(account("c", null), 0);
    BusError busy = book.whyUnavailable(List.of(account("c", null)), Set.of(), NOW);
    assertThat(busy.getMessage()).contains("busy");
    assertThat(busy.retryAfterSeconds()).isEqualTo(1);

    assertThat(book.whyUnavailable(List.of(account("d", null)), Set.of("d"), NOW).getMessage())
        .isEqualTo("No other enabled account available");
    assertThat(book.whyUnavailable(List.of(), Set.of(), NOW).getMessage()).isEqualTo("No enabled account available");
  }
}
