package io.qbridge.account;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Lease;
import io.qbridge.bus.Outcome;
import static io.qbridge.account.AccountTestSupport.config;
import static io.qbridge.account.AccountTestSupport.deployPool;
import static io.qbridge.account.AccountTestSupport.newAccount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.error.GatewayException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code accounts.create} with the token bookkeeping a device login supplies. */
@ExtendWith(VertxExtension.class)
class AccountCreateTokensTest {

  @TempDir
  Path dir;

  @Test
  void createAcceptsExpiryAndRefreshStatus(Vertx vertx) {
    deployPool(vertx, config(dir, 100));
    AccountPoolClient pool = new AccountPoolClient(vertx);
    Instant before = Instant.now().minusSeconds(1);

    JsonObject created = pool.create(newAccount("fresh", "at", true)
        .put("expires_at", "2030-01-02T03:04:05Z").put("last_refresh_status", "success")).await();

    assertThat(created.getString("expires_at")).isEqualTo("2030-01-02T03:04:05.000Z");
    assertThat(created.getString("last_refresh_status")).isEqualTo("success");
    assertThat(Instant.parse(created.getString("last_refresh_time"))).isAfter(before);
    // and the lease uses the stored token without refreshing (no refresher is deployed)
    assertThat(pool.lease().await().accessToken()).isEqualTo("at");
  }

  @Test
  void withoutThemNothingChanges(Vertx vertx) {
    deployPool(vertx, config(dir, 100));
    JsonObject created = new AccountPoolClient(vertx).create(newAccount("plain", "at", true)).await();
    assertThat(created.getString("expires_at")).isNull();
    assertThat(created.getString("last_refresh_status")).isEqualTo("never");
    assertThat(created.getString("last_refresh_time")).isNull();
  }

  @Test
  void badValuesAreRejectedAndPatchStillRefusesThem(Vertx vertx) {
    deployPool(vertx, config(dir, 100));
    AccountPoolClient pool = new AccountPoolClient(vertx);
    Throwable badTime = catchThrowable(() -> pool.create(newAccount("a", "at", true).put("expires_at", "soon")).await());
    assertThat(((GatewayException) badTime).status()).isEqualTo(400);
    assertThat(badTime.getMessage()).contains("'expires_at'");
    Throwable badStatus = catchThrowable(() -> pool.create(newAccount("a", "at", true).put("last_refresh_status", "ok")).await());
    assertThat(badStatus.getMessage()).contains("'last_refresh_status'");

    String id = pool.create(newAccount("b", "at", true)).await().getString("id");
    Throwable patch = catchThrowable(() -> pool.update(id, new JsonObject().put("expires_at", "2030-01-01T00:00:00Z")).await());
    assertThat(patch.getMessage()).contains("Unknown field 'expires_at'");
  }
}
