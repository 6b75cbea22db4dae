package io.qbridge.http.admin;

import io.qbridge.audit.AuditActions;
import io.qbridge.audit.AuditClient;
import io.qbridge.audit.AuditEvent;
import io.qbridge.http.security.AdminSecurity;
import io.qbridge.web.Bodies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Records every admin write in the audit log: account create, patch (enable and disable named as
 * such), delete, forced refresh, device-login start and claim. Mounted after the admin guard and
 * before the routes it describes: it notes the request, lets the route run, and records once the
 * answer has been sent (with its status, and the account id from the path or the
 * {@code Location} of a created account), so recording never delays or fails the action. Attempts
 * that were refused (4xx, 5xx) are recorded too, as failures.
 *
 * <p>What changed: the names of the fields in the request body, and the values of the non-secret
 * ones only (an allowlist: a field not listed here is never copied, so a future secret field cannot
 * leak by default). Long values are cut.
 */
final class AuditTrail {

  /** Fields recorded by name only. */
  static final Set<String> SECRET_FIELDS = Set.of("clientSecret", "refreshToken", "accessToken");
  /** Fields whose new value is recorded. */
  static final Set<String> PLAIN_FIELDS = Set.of("label", "clientId", "enabled", "other", "expires_at",
      "last_refresh_status");
  static final int MAX_VALUE_CHARS = 200;
  static final int MAX_OTHER_CHARS = 1000;

  private final AuditClient audit;
  private final AdminSecurity security;

  private AuditTrail(AuditClient audit, AdminSecurity security) {
    this.audit = audit;
    this.security = security;
  }

  /** Mounts the recording handlers; call after the admin guard and before the routes themselves. */
  static void mount(Router router, AuditClient audit, AdminSecurity security) {
    AuditTrail trail = new AuditTrail(audit, security);
    String accounts = AccountAdminRoutes.BASE;
    router.post(accounts).handler(trail.recording(body -> AuditActions.ACCOUNT_CREATE));
    router.patch(accounts + "/:id").handler(trail.recording(AuditTrail::patchAction));
    router.delete(accounts + "/:id").handler(trail.recording(body -> AuditActions.ACCOUNT_DELETE));
    router.post(accounts + "/:id/refresh").handler(trail.recording(body -> AuditActions.ACCOUNT_REFRESH));
    router.post(DeviceLoginRoutes.BASE + "/start").handler(trail.recording(body -> AuditActions.DEVICE_LOGIN_START));
    router.post(DeviceLoginRoutes.BASE + "/claim/:authId").handler(trail.recording(body -> AuditActions.DEVICE_LOGIN_CLAIM));
  }

  /** {@code {"enabled": true|false}} alone is an enable or disable; any other patch an update. */
  static String patchAction(JsonObject body) {
    if (body != null && body.size() == 1 && body.getValue("enabled") instanceof Boolean enabled) {
      return enabled ? AuditActions.ACCOUNT_ENABLE : AuditActions.ACCOUNT_DISABLE;
    }
    return AuditActions.ACCOUNT_UPDATE;
  }

  private io.vertx.core.Handler<RoutingContext> recording(Function<JsonObject, String> action) {
    return ctx -> {
      JsonObject body = bodyObject(ctx);
      String name = action.apply(body);
      String actor = AdminSecurity.auditActor(ctx);
      String address = security.clientAddress(ctx.request());
      ctx.addEndHandler(ended -> {
        int status = ctx.response().getStatusCode();
        AuditEvent event = AuditEvent.of(actor, address, name, accountId(ctx), status);
        audit.record(body == null ? event : withChanges(event, body));
      });
      ctx.next();
    };
  }

  /** The path's account id, else the id of the account the answer created ({@code Location}). */
  private static String accountId(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id != null) return id;
    String location = ctx.response().headers().get(HttpHeaders.LOCATION);
    String prefix = AccountAdminRoutes.BASE + "/";
    return location != null && location.startsWith(prefix) ? location.substring(prefix.length()) : null;
  }

  /** The field names of {@code body}, and the allowlisted values. */
  static AuditEvent withChanges(AuditEvent event, JsonObject body) {
    List<String> fields = new ArrayList<>();
    JsonObject values = new JsonObject();
    for (String field : body.fieldNames()) {
      if (SECRET_FIELDS.contains(field)) {
        fields.add(field);
      } else if (PLAIN_FIELDS.contains(field)) {
        fields.add(field);
        values.put(field, bounded(body.getValue(field)));
      }
    }
    return event.withChanges(fields, values);
  }

  private static Object bounded(Object value) {
    if (value instanceof String s) return s.length() <= MAX_VALUE_CHARS ? s : s.substring(0, MAX_VALUE_CHARS) + "…";
    if (value instanceof JsonObject json) {
      String encoded = json.encode();
      return encoded.length() <= MAX_OTHER_CHARS ? json : "(" + encoded.length() + " characters)";
    }
    if (value instanceof Boolean || value instanceof Number || value == null) return value;
    return "(" + value.getClass().getSimpleName() + ")";
  }

  /** The request body as a JSON object, or null (none, not JSON, not an object: the route answers that). */
  private static JsonObject bodyObject(RoutingContext ctx) {
    Buffer buffer = Bodies.buffer(ctx);
    if (buffer == null || buffer.length() == 0) return null;
    try {
      return Json.decodeValue(buffer) instanceof JsonObject json ? json : null;
    } catch (DecodeException e) {
      return null;
    }
  }
}
