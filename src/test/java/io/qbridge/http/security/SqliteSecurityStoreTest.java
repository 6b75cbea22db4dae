package io.qbridge.http.security;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link SecurityStoreContract} on SQLite. */
class SqliteSecurityStoreTest extends SqlSecurityStoreContract {

  @TempDir
  Path dir;

  @Override
  String databaseUrl() {
    return "jdbc:sqlite:" + dir.resolve("security.sqlite3");
  }
}
