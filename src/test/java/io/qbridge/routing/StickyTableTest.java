package io.qbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StickyTableTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final StickyTable table = new StickyTable(3, 3_600_000, now::get);

  @Test
  void sameKeySameAccountWhileUsable() {
    assertThat(table.choose("k1", a -> true, () -> "A")).isEqualTo("A");
    assertThat(table.choose("k1", a -> true, () -> "B")).isEqualTo("A");
    assertThat(table.choose("k2", a -> true, () -> "B")).isEqualTo("B");
  }

  @Test
  void rebindsWhenTheBoundAccountIsNotUsable() {
    table.choose("k1", a -> true, () -> "A");
    Set<String> usable = Set.of("B"); // A disabled, parked, out of the model, or at its cap
    assertThat(table.choose("k1", usable::contains, () -> "B")).isEqualTo("B");
    assertThat(table.choose("k1", a -> true, () -> "C")).isEqualTo("B");
  }

  @Test
  void noKeyIsNeverBound() {
    assertThat(table.choose(null, a -> true, () -> "A")).isEqualTo("A");
    assertThat(table.size()).isZero();
    assertThat(table.choose("k", a -> true, () -> null)).isNull();
    assertThat(table.size()).isZero();
  }

  @Test
  void slidingTtl() {
    table.bind("k", "A");
    now.addAndGet(3_599_999);
    assertThat(table.lookup("k")).isEqualTo("A"); // renewed here
    now.addAndGet(3_599_999);
    assertThat(table.lookup("k")).isEqualTo("A");
    now.addAndGet(3_600_000);
    assertThat(table.lookup("k")).isNull();
    assertThat(table.size()).isZero();
  }

  @Test
  void lruBound() {
    table.bind("k1", "A");
    table.bind("k2", "B");
    table.bind("k3", "C");
    table.lookup("k1"); // k2 is now the least recently used
    table.bind("k4", "D");
    assertThat(table.size()).isEqualTo(3);
    assertThat(table.lookup("k2")).isNull();
    assertThat(table.lookup("k1")).isEqualTo("A");
    assertThat(table.lookup("k4")).isEqualTo("D");
  }

  @Test
  void manyKeysStayBounded() {
    StickyTable big = new StickyTable(1_000, 3_600_000, now::get);
    for (int i = 0; i < 50_000; i++) big.bind("key-" + i, "A");
    assertThat(big.size()).isEqualTo(1_000);
    assertThat(big.lookup("key-49999")).isEqualTo("A");
    assertThat(big.lookup("key-0")).isNull();
  }

  @Test
  void expiredEntriesAreDroppedOnWrite() {
    table.bind("k1", "A");
    table.bind("k2", "B");
    now.addAndGet(3_600_000);
    table.bind("k3", "C");
    assertThat(table.size()).isEqualTo(1);
  }

  @Test
  void zeroEntriesTurnsStickinessOff() {
    StickyTable off = new StickyTable(0, 3_600_000, now::get);
    assertThat(off.choose("k", a -> true, () -> "A")).isEqualTo("A");
    assertThat(off.choose("k", a -> true, () -> "B")).isEqualTo("B");
    assertThat(off.size()).isZero();
  }

  @Test
  void forgetAccount() {
    table.bind("k1", "A");
    table.bind("k2", "B");
    table.forgetAccount("A");
    assertThat(table.lookup("k1")).isNull();
    assertThat(table.lookup("k2")).isEqualTo("B");
  }
}
