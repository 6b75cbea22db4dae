package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.QBridge;
import io.qbridge.emulator.Credentials;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** SECRETS_KEY end to end: accounts work (refresh, chat), the file holds no secret, a wrong key stops the start. */
@ExtendWith(VertxExtension.class)
class SecretsAtRestTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  static String newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private String databaseBytes() throws Exception {
    StringBuilder all = new StringBuilder();
    for (String name : new String[] {"test.sqlite3", "test.sqlite3-wal"}) {
      Path p = dir.resolve(name);
      if (Files.exists(p)) all.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
    }
    return all.toString();
  }

  @Test
  void encryptedAccountsServeChatAndNeverReachTheFileOrTheApi(Vertx vertx) throws Exception {
    String key = newKey();
    gw = TestGateway.start(vertx, dir, Map.of("SECRETS_KEY", key));
    Credentials c = gw.addAccount();
    String id = gw.account(c.clientId()).getString("id");

    // a forced refresh sends the decrypted client secret and refresh token to OIDC; the chat uses the new token
    TestGateway.Response refreshed = gw.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null);
    assertThat(refreshed.status()).as(refreshed.body().toString()).isEqualTo(200);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(200);

    String api = gw.get("/v2/accounts").body().toString() + gw.get("/v2/accounts/" + id).body();
    for (String secret : new String[] {c.clientSecret(), c.refreshToken(), c.accessToken()}) {
      assertThat(api).doesNotContain(secret);
    }
    gw.close();
    gw = null;
    String bytes = databaseBytes();
    assertThat(bytes).contains(c.clientId()); // not a secret: proves the search sees the rows
    for (String secret : new String[] {c.clientSecret(), c.refreshToken(), c.accessToken()}) {
      assertThat(bytes).doesNotContain(secret);
    }
  }

  @Test
  void aWrongKeyIsAClearStartFailure(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("SECRETS_KEY", newKey()));
    Credentials c = gw.addAccount();
    String id = gw.account(c.clientId()).getString("id");
    String wrong = newKey();
    var config = TestGateway.config(vertx, gw.emulator, dir, Map.of("SECRETS_KEY", wrong));
    gw.app.close().await();

    Throwable err = catchThrowable(() -> QBridge.deploy(vertx, config).await());
    assertThat(err).hasMessageContaining("Cannot decrypt").hasMessageContaining("account " + id)
        .hasMessageContaining("SECRETS_KEY").hasMessageNotContaining(wrong);
    assertThat(err.getMessage()).doesNotContain(c.clientSecret(), c.refreshToken(), c.accessToken());

    var noKey = TestGateway.config(vertx, gw.emulator, dir, Map.of());
    assertThat(catchThrowable(() -> QBridge.deploy(vertx, noKey).await())).hasMessageContaining("SECRETS_KEY is not set");
    gw.http.close().await();
    gw.emulator.close().await();
    gw = null;
  }
}
