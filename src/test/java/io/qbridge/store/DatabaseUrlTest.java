package io.qbridge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  @Test
  void sqlite() {
    DatabaseUrl url = DatabaseUrl.parse(" jdbc:sqlite:/data/q.sqlite3 ");
    assertThat(url.engine()).isEqualTo(Engine.SQLITE);
    assertThat(url.displayName()).isEqualTo("'/data/q.sqlite3'");
    assertThat(url.sqliteJdbcUrl()).isEqualTo("jdbc:sqlite:/data/q.sqlite3?journal_mode=WAL&busy_timeout=5000&synchronous=NORMAL");
  }

  @Test
  void libpqForm() {
    DatabaseUrl url = DatabaseUrl.parse("postgres://qb:p%40ss%3Aw0rd@db.example:6543/qbridge?sslmode=require");
    PgConnectOptions o = url.postgresOptions();
    assertThat(url.engine()).isEqualTo(Engine.POSTGRES);
    assertThat(o.getHost()).isEqualTo("db.example");
    assertThat(o.getPort()).isEqualTo(6543);
    assertThat(o.getDatabase()).isEqualTo("qbridge");
    assertThat(o.getUser()).isEqualTo("qb");
    assertThat(o.getPassword()).isEqualTo("p@ss:w0rd");
    assertThat(o.getSslMode()).isEqualTo(SslMode.REQUIRE);
    assertThat(o.getSslOptions().isTrustAll()).isTrue(); // libpq's require: encrypted, not verified
    assertThat(o.getProperties()).containsEntry("application_name", "qbridge");
    assertThat(url.displayName()).isEqualTo("postgres://qb@db.example:6543/qbridge").doesNotContain("p@ss");
  }

  @Test
  void postgresqlSchemeDefaultsAndUnderscoreHosts() {
    PgConnectOptions o = DatabaseUrl.parse("postgresql://qbridge_db/q").postgresOptions();
    assertThat(o.getHost()).isEqualTo("qbridge_db");
    assertThat(o.getPort()).isEqualTo(5432);
    assertThat(o.getUser()).isEqualTo("postgres");
    assertThat(o.getSslMode()).isEqualTo(SslMode.DISABLE);
  }

  @Test
  void jdbcForm() {
    DatabaseUrl url = DatabaseUrl.parse("jdbc:postgresql://[::1]:5433/q?user=u&password=s3cret&currentSchema=gw"
        + "&ApplicationName=edge&ssl=true&connectTimeout=2");
    PgConnectOptions o = url.postgresOptions();
    assertThat(o.getHost()).isEqualTo("::1");
    assertThat(o.getPort()).isEqualTo(5433);
    assertThat(o.getUser()).isEqualTo("u");
    assertThat(o.getPassword()).isEqualTo("s3cret");
    assertThat(o.getProperties()).containsEntry("search_path", "gw").containsEntry("application_name", "edge");
    assertThat(o.getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(o.getSslOptions().getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(url.connectTimeoutMs()).isEqualTo(2000);
    assertThat(url.displayName()).doesNotContain("s3cret");
  }

  @Test
  void unixSocketDirectory() {
    PgConnectOptions o = DatabaseUrl.parse("postgres:///q?host=/var/run/postgresql").postgresOptions();
    assertThat(o.getHost()).isEqualTo("/var/run/postgresql");
    assertThat(o.getDatabase()).isEqualTo("q");
  }

  @Test
  void errorsNameTheProblemNeverThePassword() {
    for (String bad : new String[] {"postgres://u:hunter2@h/q?sslmod=require", "postgres://u:hunter2@h/",
        "postgres://u:hunter2@h/q?sslmode=maybe", "postgres://u:hunter2@h:port/q", "postgres://u:hun ter2@h/q",
        "mysql://u:hunter2@h/q", ""}) {
      Throwable err = catchThrowable(() -> DatabaseUrl.parse(bad));
      assertThat(err).as(bad).isInstanceOf(DatabaseException.class).hasMessageContaining("DATABASE_URL")
          .hasMessageNotContaining("hunter2");
    }
    assertThat(catchThrowable(() -> DatabaseUrl.parse("postgres://u:hunter2@h/q?sslmod=require")))
        .hasMessageContaining("'sslmod'");
  }
}
