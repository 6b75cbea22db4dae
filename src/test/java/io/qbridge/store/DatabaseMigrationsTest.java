package io.qbridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Database#migrate} on both engines: once each, in order, per component, atomically, concurrently. */
@ExtendWith(VertxExtension.class)
class DatabaseMigrationsTest {

  @TempDir
  Path dir;

  private String url(Engine engine, TestInfo test) {
    if (engine == Engine.SQLITE) return "jdbc:sqlite:" + dir.resolve("m.sqlite3");
    PostgresServer pg = PostgresServer.shared();
    return pg.url(pg.createDatabase("migrations_" + test.getTestMethod().orElseThrow().getName()));
  }

  /** Each applied step appends a row to {@code steps}, so a step that ran twice shows. */
  private static Migration step(int version, String table) {
    return Migration.of(version, "v" + version, engine -> List.of(
        "CREATE TABLE " + table + " (n INTEGER)",
        "INSERT INTO steps (name) VALUES ('" + table + "')"));
  }

  private static List<String> steps(Database db) {
    List<String> out = new ArrayList<>();
    for (Row r : db.pool().query("SELECT name FROM steps ORDER BY seq").execute().await()) out.add(r.getString(0));
    return out;
  }

  private static Database openWithStepsTable(Vertx vertx, String url) {
    Database db = Database.open(vertx, url, 1).await();
    db.migrate("test-base", List.of(Migration.of(1, "steps", engine -> List.of(engine == Engine.POSTGRES
        ? "CREATE TABLE steps (seq SERIAL PRIMARY KEY, name TEXT)"
        : "CREATE TABLE steps (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT)")))).await();
    return db;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void appliesMissingVersionsInOrderOncePerComponent(Engine engine, Vertx vertx, TestInfo test) {
    Database db = openWithStepsTable(vertx, url(engine, test));
    db.migrate("alpha", List.of(step(2, "a2"), step(1, "a1"))).await();
    db.migrate("alpha", List.of(step(1, "a1"), step(2, "a2"), step(3, "a3"))).await();
    db.migrate("beta", List.of(step(1, "b1"))).await(); // versions are per component
    db.migrate("alpha", List.of(step(1, "a1"), step(2, "a2"), step(3, "a3"))).await();
    assertThat(steps(db)).containsExactly("a1", "a2", "a3", "b1");
    assertThat(db.pool().query("SELECT COUNT(*) FROM qbridge_migrations").execute().await().iterator().next()
        .getValue(0).toString()).isEqualTo("5"); // test-base, alpha 1..3, beta 1
    db.close().await();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFailingMigrationRollsBackEverythingOfThatRun(Engine engine, Vertx vertx, TestInfo test) {
    Database db = openWithStepsTable(vertx, url(engine, test));
    Migration broken = Migration.of(2, "broken", e -> List.of("CREATE TABLE c2 (n INTEGER)", "THIS IS NOT SQL"));
    Throwable err = catchThrowable(() -> db.migrate("gamma", List.of(step(1, "c1"), broken)).await());
    assertThat(err).isInstanceOf(DatabaseException.class).hasMessageContaining("migration of gamma failed");
    assertThat(steps(db)).isEmpty();
    // fixed in a later release: everything applies from scratch
    db.migrate("gamma", List.of(step(1, "c1"), step(2, "c2"))).await();
    assertThat(steps(db)).containsExactly("c1", "c2");
    db.close().await();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void instancesMigratingAtOnceApplyEachStepOnce(Engine engine, Vertx vertx, TestInfo test) {
    String url = url(engine, test);
    openWithStepsTable(vertx, url).close().await();
    List<Database> instances = IntStream.range(0, 4).mapToObj(i -> Database.open(vertx, url, 1).await()).toList();
    List<Migration> all = List.of(step(1, "d1"), step(2, "d2"), step(3, "d3"));
    Future.all(instances.stream().map(db -> db.migrate("delta", all)).toList()).await();
    assertThat(steps(instances.get(0))).containsExactly("d1", "d2", "d3");
    instances.forEach(db -> db.close().await());
  }

  @Test
  void postgresParametersAreNumbered() {
    assertThat(Placeholders.numbered("SELECT '?', \"a?\", x FROM t WHERE a = ? AND b = ?::text -- ?\nAND c = ?"))
        .isEqualTo("SELECT '?', \"a?\", x FROM t WHERE a = $1 AND b = $2::text -- ?\nAND c = $3");
    assertThat(Placeholders.numbered("SELECT $$ a ? $$, $f$?$f$, ?")).isEqualTo("SELECT $$ a ? $$, $f$?$f$, $1");
  }
}
