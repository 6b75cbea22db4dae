package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On PostgreSQL, encrypting plaintext rows at start leaves no plaintext in the table's file: the
 * rewrite leaves the old row versions behind as dead tuples, and the start compacts the table
 * ({@code VACUUM FULL accounts}) instead of waiting for autovacuum (which would only mark them
 * reusable, not erase them).
 */
@ExtendWith(VertxExtension.class)
class PostgresSecretsAtRestTest {

  @Test
  void plaintextRowsAreEncryptedAtStartAndLeaveNoPlaintextInTheTableFile(Vertx vertx) throws Exception {
    PostgresServer server = PostgresServer.shared();
    String database = server.createDatabase("secrets_at_rest");
    String url = server.url(database);
    AccountStores.create(vertx, url).await().close().await(); // schema
    server.psql(database, "INSERT INTO accounts (id, label, \"clientId\", \"clientSecret\", \"refreshToken\", \"accessToken\","
        + " enabled) VALUES ('legacy', 'old', 'cid', 'cs-LEGACY-1', 'rt-LEGACY-2', 'at-LEGACY-3', 1)");
    assertThat(tableFileBytes(server, database)).as("the search sees plaintext in the file").contains("LEGACY-");

    AccountStore plain = AccountStores.create(vertx, url).await();
    AccountStore store = EncryptedAccountStore.open(vertx, plain, EncryptedAccountStoreTest.KEY_A, "").await();
    assertThat(store.findById("legacy").await().orElseThrow().refreshToken()).isEqualTo("rt-LEGACY-2");
    store.close().await();

    assertThat(server.psql(database, "SELECT \"refreshToken\" FROM accounts WHERE id = 'legacy'")).startsWith("enc:v1:");
    assertThat(tableFileBytes(server, database)).doesNotContain("LEGACY-");
  }

  /** The accounts table's heap file, after a checkpoint wrote its pages out. */
  private static String tableFileBytes(PostgresServer server, String database) throws Exception {
    server.psql(database, "CHECKPOINT");
    Path dataDir = Path.of(server.psql(database, "SHOW data_directory").trim());
    Path file = dataDir.resolve(server.psql(database, "SELECT pg_relation_filepath('accounts')").trim());
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
  }
}
