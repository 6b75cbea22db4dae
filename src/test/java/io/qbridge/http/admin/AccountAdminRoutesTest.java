package io.qbridge.http.admin;

import static io.qbridge.account.AccountTestSupport.config;
import static io.qbridge.account.AccountTestSupport.deployPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.error.GatewayException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.qbridge.web.RawBodyHandler;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class AccountAdminRoutesTest {

  @TempDir
  Path dir;

  private WebClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    deployPool(vertx, config(dir, 100));
    Router router = Router.router(vertx);
    router.route().handler(new RawBodyHandler(1024 * 1024, "test limit"));
    AccountAdminRoutes.mount(router, new AccountPoolClient(vertx));
    router.route().failureHandler(ctx -> { // minimal stand-in for the gateway's failure handler
      int status = ctx.failure() instanceof GatewayException g ? g.status() : 500;
      String type = ctx.failure() instanceof GatewayException g ? g.type().anthropic() : "api_error";
      String message = ctx.failure() instanceof GatewayException g ? g.getMessage() : "Internal error";
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("type", type).put("message", message)).encode());
    });
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(server.actualPort()));
  }

  private HttpResponse<Buffer> call(HttpMethod method, String path, String body) {
    var request = client.request(method, path);
    return (body == null ? request.send() : request.putHeader("content-type", "application/json")
        .sendBuffer(Buffer.buffer(body))).await();
  }

  private static JsonObject account(String label) {
    return new JsonObject().put("label", label).put("clientId", "cid").put("clientSecret", "cs")
        .put("refreshToken", "rt").put("other", new JsonObject().put("source", "test"));
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String type, String messagePart) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("message")).contains(messagePart);
  }

  @Test
  void createReturns201WithTheRowButNoSecrets() {
    HttpResponse<Buffer> created = call(HttpMethod.POST, "/v2/accounts", account("first").put("accessToken", "at").encode());

    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.getHeader("content-type")).startsWith("application/json");
    JsonObject row = created.bodyAsJsonObject();
    assertThat(created.getHeader("location")).isEqualTo("/v2/accounts/" + row.getString("id"));
    assertThat(row.fieldNames()).containsExactlyInAnyOrder("id", "label", "clientId", "other", "last_refresh_time",
        "last_refresh_status", "created_at", "updated_at", "enabled", "error_count", "success_count", "expires_at",
        "hasClientSecret", "hasRefreshToken", "hasAccessToken", "state", "stateUntil");
    assertThat(row.getString("label")).isEqualTo("first");
    assertThat(row.getString("clientId")).isEqualTo("cid");
    assertThat(row.getJsonObject("other")).isEqualTo(new JsonObject().put("source", "test"));
    assertThat(row.getBoolean("enabled")).isTrue();
    assertThat(row.getInteger("error_count")).isZero();
    assertThat(row.getInteger("success_count")).isZero();
    assertThat(row.getString("last_refresh_status")).isEqualTo("never");
    assertThat(row.getString("last_refresh_time")).isNull();
    assertThat(row.getString("expires_at")).isNull();
    assertThat(row.getString("created_at")).endsWith("Z");
    assertThat(row.getBoolean("hasClientSecret")).isTrue();
    assertThat(row.getBoolean("hasRefreshToken")).isTrue();
    assertThat(row.getBoolean("hasAccessToken")).isTrue();
    assertThat(created.bodyAsString()).doesNotContain("\"cs\"", "\"rt\"", "\"at\"");
  }

  @Test
  void listIsNewestFirstAndGetReturnsOneRow() {
    String a = call(HttpMethod.POST, "/v2/accounts", account("a").encode()).bodyAsJsonObject().getString("id");
    String b = call(HttpMethod.POST, "/v2/accounts", account("b").put("enabled", false).encode())
        .bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> list = call(HttpMethod.GET, "/v2/accounts", null);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonArray rows = list.bodyAsJsonArray();
    assertThat(rows.stream().map(r -> ((JsonObject) r).getString("id")).toList()).isEqualTo(List.of(b, a));
    assertThat(rows.getJsonObject(0).getBoolean("enabled")).isFalse();

    HttpResponse<Buffer> one = call(HttpMethod.GET, "/v2/accounts/" + a, null);
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.bodyAsJsonObject().getString("label")).isEqualTo("a");

    assertError(call(HttpMethod.GET, "/v2/accounts/does-not-exist", null), 404, "not_found_error", "Account not found");
  }

  @Test
  void patchChangesOnlyTheGivenFields() {
    JsonObject created = call(HttpMethod.POST, "/v2/accounts", account("before").encode()).bodyAsJsonObject();
    String id = created.getString("id");

    HttpResponse<Buffer> patched = call(HttpMethod.PATCH, "/v2/accounts/" + id,
        "{\"label\":\"after\",\"enabled\":false,\"accessToken\":\"new-at\"}");
    assertThat(patched.statusCode()).isEqualTo(200);
    JsonObject row = patched.bodyAsJsonObject();
    assertThat(row.getString("label")).isEqualTo("after");
    assertThat(row.getBoolean("enabled")).isFalse();
    assertThat(row.getBoolean("hasAccessToken")).isTrue();
    assertThat(row.getString("clientId")).isEqualTo("cid");
    assertThat(row.getJsonObject("other")).isEqualTo(created.getJsonObject("other"));
    assertThat(row.getString("created_at")).isEqualTo(created.getString("created_at"));

    JsonObject cleared = call(HttpMethod.PATCH, "/v2/accounts/" + id, "{\"label\":null,\"other\":{\"k\":1}}")
        .bodyAsJsonObject();
    assertThat(cleared.getString("label")).isNull();
    assertThat(cleared.getJsonObject("other")).isEqualTo(new JsonObject().put("k", 1));
    assertThat(cleared.getBoolean("enabled")).isFalse();

    assertThat(call(HttpMethod.PATCH, "/v2/accounts/" + id, "{}").bodyAsJsonObject().getString("id")).isEqualTo(id);
    assertError(call(HttpMethod.PATCH, "/v2/accounts/nope", "{\"label\":\"x\"}"), 404, "not_found_error", "not found");
  }

  @Test
  void deleteAnswersWithTheIdThen404() {
    String id = call(HttpMethod.POST, "/v2/accounts", account("gone").encode()).bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> deleted = call(HttpMethod.DELETE, "/v2/accounts/" + id, null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(deleted.bodyAsJsonObject()).isEqualTo(new JsonObject().put("deleted", true).put("id", id));

    assertError(call(HttpMethod.GET, "/v2/accounts/" + id, null), 404, "not_found_error", "Account not found");
    assertError(call(HttpMethod.DELETE, "/v2/accounts/" + id, null), 404, "not_found_error", "Account not found");
    assertThat(call(HttpMethod.GET, "/v2/accounts", null).bodyAsJsonArray()).isEmpty();
  }

  @Test
  void malformedBodiesAre400() {
    assertError(call(HttpMethod.POST, "/v2/accounts", "{not json"), 400, "invalid_request_error",
        "Request body must be a JSON object: invalid JSON");
    assertError(call(HttpMethod.POST, "/v2/accounts", "[1,2]"), 400, "invalid_request_error",
        "Request body must be a JSON object: got an array");
    assertError(call(HttpMethod.POST, "/v2/accounts", ""), 400, "invalid_request_error",
        "Request body must be a JSON object");
    String id = call(HttpMethod.POST, "/v2/accounts", account("x").encode()).bodyAsJsonObject().getString("id");
    assertError(call(HttpMethod.PATCH, "/v2/accounts/" + id, "\"text\""), 400, "invalid_request_error",
        "Request body must be a JSON object: got a string");
  }

  @Test
  void createValidationNamesTheField() {
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").putNull("clientId").encode()), 400,
        "invalid_request_error", "Missing required field 'clientId'");
    JsonObject noSecret = account("x");
    noSecret.remove("clientSecret");
    assertError(call(HttpMethod.POST, "/v2/accounts", noSecret.encode()), 400, "invalid_request_error",
        "Missing required field 'clientSecret'");
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").put("refreshToken", "").encode()), 400,
        "invalid_request_error", "Field 'refreshToken' must not be empty");
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").put("clientSecret", 5).encode()), 400,
        "invalid_request_error", "Field 'clientSecret' must be a string, got number");
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").put("enabled", "yes").encode()), 400,
        "invalid_request_error", "Field 'enabled' must be a boolean, got string");
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").put("other", new JsonArray()).encode()), 400,
        "invalid_request_error", "Field 'other' must be a JSON object or null, got array");
    assertError(call(HttpMethod.POST, "/v2/accounts", account("x").put("refresh_token", "rt").encode()), 400,
        "invalid_request_error", "Unknown field 'refresh_token'");
    assertThat(call(HttpMethod.GET, "/v2/accounts", null).bodyAsJsonArray()).isEmpty();
  }

  @Test
  void patchValidationNamesTheField() {
    String id = call(HttpMethod.POST, "/v2/accounts", account("x").encode()).bodyAsJsonObject().getString("id");
    assertError(call(HttpMethod.PATCH, "/v2/accounts/" + id, "{\"error_count\":0}"), 400, "invalid_request_error",
        "Unknown field 'error_count'");
    assertError(call(HttpMethod.PATCH, "/v2/accounts/" + id, "{\"enabled\":1}"), 400, "invalid_request_error",
        "Field 'enabled' must be a boolean, got number");
    assertError(call(HttpMethod.PATCH, "/v2/accounts/" + id, "{\"clientId\":null}"), 400, "invalid_request_error",
        "Missing required field 'clientId'");
    assertError(call(HttpMethod.PATCH, "/v2/accounts/" + id, "{\"label\":[\"x\"]}"), 400, "invalid_request_error",
        "Field 'label' must be a string or null, got array");
    assertThat(call(HttpMethod.GET, "/v2/accounts/" + id, null).bodyAsJsonObject().getString("label")).isEqualTo("x");
  }
}
