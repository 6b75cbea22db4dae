package io.qbridge.api.responses.store;

import io.qbridge.testsupport.PostgresServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** The same store policy on PostgreSQL (the Responses table shares the account database). */
class PostgresResponseStoreVerticleTest extends ResponseStoreVerticleTest {
  private String url;

  @BeforeEach
  void database(TestInfo test) {
    PostgresServer server = PostgresServer.shared();
    url = server.url(server.createDatabase("responses_" + test.getTestMethod().orElseThrow().getName()));
  }

  @Override
  String url() {
    return url;
  }
}
