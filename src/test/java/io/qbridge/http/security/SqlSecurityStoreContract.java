package io.qbridge.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.store.Database;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link SecurityStoreContract} on a database: each store is opened on its own pool, as another instance's would be. */
abstract class SqlSecurityStoreContract extends SecurityStoreContract {

  private final List<Database> opened = new ArrayList<>();

  /** DATABASE_URL of this test's fresh database. */
  abstract String databaseUrl();

  private Database open() {
    Database db = Database.open(vertx, databaseUrl(), 1).await();
    opened.add(db);
    return db;
  }

  @AfterEach
  void closeAll() {
    opened.forEach(db -> db.close().await());
  }

  @Override
  AuthLockout lockout() {
    return SqlAuthLockout.open(open(), 10, Duration.ofSeconds(60), clock).await();
  }

  @Override
  SessionStore sessions() {
    return SqlSessionStore.open(open(), clock, Duration.ofHours(8), Duration.ofHours(24)).await();
  }

  @Test
  void theTableKeepsAHashOfTheSessionIdNotTheId() {
    Database db = open();
    Session s = SqlSessionStore.open(db, clock, Duration.ofHours(8), Duration.ofHours(24)).await().create("x").await();
    String stored = db.pool().query("SELECT id_hash FROM console_sessions").execute().await().iterator().next().getString(0);
    assertThat(stored).isNotEqualTo(s.id()).isEqualTo(SqlSessionStore.hash(s.id()));
  }
}
