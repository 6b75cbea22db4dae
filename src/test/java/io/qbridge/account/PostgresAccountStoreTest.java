package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The store contract on PostgreSQL (skipped when the server binaries are not installed), plus its URL forms. */
class PostgresAccountStoreTest extends AccountStoreContract {

  private PostgresServer server;
  private String database;

  @BeforeEach
  void freshDatabase(TestInfo test) {
    server = PostgresServer.shared();
    database = server.createDatabase("accounts_" + test.getTestMethod().orElseThrow().getName());
  }

  @Override
  String databaseUrl() {
    return server.url(database);
  }

  @Override
  List<String> rawColumns() {
    String out = server.psql(database, "SELECT column_name FROM information_schema.columns"
        + " WHERE table_schema = current_schema() AND table_name = 'accounts'");
    return Arrays.stream(out.split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  @Override
  void rawExecute(String... statements) {
    for (String sql : statements) server.psql(database, sql);
  }

  @Override
  AccountStore openWithSeveralConnections(Vertx vertx) {
    return open(vertx); // a PostgreSQL pool has several connections
  }

  @Test
  void acceptsLibpqAndJdbcUrlForms(Vertx vertx) {
    for (String url : List.of(
        "postgresql://postgres:ignored@127.0.0.1:" + server.port() + "/" + database + "?sslmode=disable",
        "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database + "?user=postgres&password=ignored&ApplicationName=t")) {
      AccountStore store = AccountStores.create(vertx, url).await();
      store.ping().await();
      store.close().await();
    }
  }

  @Test
  void unreachableServerFailsClearlyWithoutThePassword(Vertx vertx) {
    Throwable err = catchThrowable(() -> AccountStores.create(vertx,
        "postgres://qb:hunter2@127.0.0.1:1/" + database).await());
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("Cannot open the database postgres://qb@127.0.0.1:1/" + database)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void timesInOtherCompareAsTimesWhateverTheCollation(Vertx vertx) {
    server.psql(database, "ALTER DATABASE " + database + " SET lc_messages TO 'C'"); // a harmless per-db setting
    AccountStore store = open(vertx);
    Account a = store.insert(account("t", "at")).await();
    store.mergeOther(a.id(), new io.vertx.core.json.JsonObject().put("cooldownUntil", "2026-06-01T12:00:00.000Z")).await();
    assertThat(store.findLeaseCandidates(5, java.time.Instant.parse("2026-06-01T11:59:59.999Z"), List.of()).await()).isEmpty();
    assertThat(store.findLeaseCandidates(5, java.time.Instant.parse("2026-06-01T12:00:00.000Z"), List.of()).await()).hasSize(1);
  }
}
