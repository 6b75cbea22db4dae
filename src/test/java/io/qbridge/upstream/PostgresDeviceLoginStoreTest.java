package io.qbridge.upstream;

import io.qbridge.store.Database;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** {@link DeviceLoginStoreContract} on PostgreSQL (skipped when the server binaries are not installed). */
class PostgresDeviceLoginStoreTest extends DeviceLoginStoreContract {

  private final List<Database> opened = new ArrayList<>();

  @Override
  DeviceLoginStore[] openTwo(Vertx vertx) {
    PostgresServer server = PostgresServer.shared();
    return openTwoSql(vertx, server.url(server.createDatabase("logins")), opened);
  }

  @Override
  void closeAll() {
    opened.forEach(db -> db.close().await());
  }
}
