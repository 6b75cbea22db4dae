package io.qbridge.http.security;

import io.qbridge.testsupport.PostgresServer;

/** {@link SecurityStoreContract} on PostgreSQL (skipped when the server binaries are not installed). */
class PostgresSecurityStoreTest extends SqlSecurityStoreContract {

  private String url;

  @Override
  String databaseUrl() {
    if (url == null) {
      PostgresServer server = PostgresServer.shared();
      url = server.url(server.createDatabase("security"));
    }
    return url;
  }
}
