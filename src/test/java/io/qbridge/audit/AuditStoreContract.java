package io.qbridge.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit store on every engine: {@link SqliteAuditStoreTest} and {@link PostgresAuditStoreTest}. */
@ExtendWith(VertxExtension.class)
abstract class AuditStoreContract {

  /** DATABASE_URL of this test's fresh database. */
  abstract String databaseUrl();

  AuditStore open(Vertx vertx) {
    return SqlAuditStore.open(vertx, databaseUrl()).await();
  }

  static AuditEntry entry(long id, long at, String accountId, String label) {
    return new AuditEntry(id, at, new AuditEvent("admin-key", "10.0.0.1", "account.update", accountId, "success", 200,
        List.of("label", "refreshToken"), new JsonObject().put("label", label)));
  }

  @Test
  void pagesNewestFirstByIdWithACursorAndAnAccountFilter(Vertx vertx) {
    AuditStore store = open(vertx);
    AuditIds ids = new AuditIds();
    List<Long> written = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long id = ids.next(1_700_000_000_000L + i);
      written.add(id);
      store.insert(entry(id, 1_700_000_000_000L + i, i % 2 == 0 ? "even" : "odd", "l" + i)).await();
    }
    List<AuditEntry> first = store.page(2, null, null).await();
    assertThat(first).extracting(AuditEntry::id).containsExactly(written.get(4), written.get(3));
    List<AuditEntry> second = store.page(2, first.get(1).id(), null).await();
    assertThat(second).extracting(AuditEntry::id).containsExactly(written.get(2), written.get(1));
    assertThat(store.page(10, null, "even").await()).extracting(e -> e.event().values().getString("label"))
        .containsExactly("l4", "l2", "l0");

    AuditEntry read = first.get(0);
    assertThat(read.atMillis()).isEqualTo(1_700_000_000_004L);
    assertThat(read.event()).isEqualTo(entry(0, 0, "even", "l4").event());
    store.close().await();
  }

  @Test
  void deletesEntriesBeforeACutoffAndRefusesADuplicateId(Vertx vertx) {
    AuditStore store = open(vertx);
    store.insert(entry(1, 1000, null, "old")).await();
    store.insert(entry(2, 2000, null, "new")).await();
    assertThat(store.deleteBefore(2000).await()).isEqualTo(1);
    assertThat(store.page(10, null, null).await()).extracting(AuditEntry::id).containsExactly(2L);
    assertThat(catchThrowable(() -> store.insert(entry(2, 3000, null, "dup")).await())).isNotNull();
    store.close().await();
    // reopening applies no migration twice
    open(vertx).close().await();
  }
}
