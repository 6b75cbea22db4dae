package io.qbridge.account;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link CoordinationStoreContract} on SQLite: two pools on one file, as two processes would have. */
class SqliteCoordinationStoreTest extends CoordinationStoreContract {

  @TempDir
  Path dir;

  @Override
  String databaseUrl() {
    return AccountTestSupport.sqliteUrl(dir);
  }
}
