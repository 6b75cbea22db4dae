package io.qbridge.audit;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteAuditStoreTest extends AuditStoreContract {
  @TempDir Path dir;

  @Override
  String databaseUrl() {
    return "jdbc:sqlite:" + dir.resolve("audit.sqlite3");
  }
}
