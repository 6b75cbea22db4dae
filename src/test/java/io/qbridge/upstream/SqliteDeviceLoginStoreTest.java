package io.qbridge.upstream;

import io.qbridge.store.Database;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeviceLoginStoreContract} on SQLite: two pools on one file. */
class SqliteDeviceLoginStoreTest extends DeviceLoginStoreContract {

  @TempDir
  Path dir;
  private final List<Database> opened = new ArrayList<>();

  @Override
  DeviceLoginStore[] openTwo(Vertx vertx) {
    return openTwoSql(vertx, "jdbc:sqlite:" + dir.resolve("logins.sqlite3"), opened);
  }

  @Override
  void closeAll() {
    opened.forEach(db -> db.close().await());
  }
}
