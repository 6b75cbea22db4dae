package io.qbridge.audit;

import io.qbridge.testsupport.PostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** Skipped when the PostgreSQL server binaries are not installed (see {@link PostgresServer}). */
class PostgresAuditStoreTest extends AuditStoreContract {
  private String url;

  @BeforeEach
  void freshDatabase(TestInfo test) {
    PostgresServer server = PostgresServer.shared();
    url = server.url(server.createDatabase("audit_" + test.getTestMethod().orElseThrow().getName()));
  }

  @Override
  String databaseUrl() {
    return url;
  }
}
