package io.qbridge.http.admin;

import io.qbridge.audit.AuditClient;
import io.qbridge.audit.AuditVerticle;
import io.qbridge.error.GatewayException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Reading the audit log:
 * <pre>
 * GET /v2/audit?limit=50&amp;before=&lt;id&gt;&amp;accountId=&lt;id&gt;
 *     → 200 {entries: [{id, time, actor, address, action, accountId, outcome, status, fields, values}...],
 *            nextBefore: id | null}
 * </pre>
 * Newest first. {@code limit} 1..500 (default 50); {@code before} an entry id (exclusive), the
 * previous page's {@code nextBefore} (null: no older entries); {@code accountId} only that account's
 * entries. A bad parameter is a 400 naming it, in the admin error shape.
 */
final class AuditRoutes {
  public static final String PATH = "/v2/audit";
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_ACCOUNT_ID_CHARS = 200;

  private final AuditClient audit;

  private AuditRoutes(AuditClient audit) {
    this.audit = audit;
  }

  static void mount(Router router, AuditClient audit) {
    router.get(PATH).handler(new AuditRoutes(audit)::list);
  }

  private void list(RoutingContext ctx) {
    int limit;
    Long before;
    String accountId;
    try {
      String limitText = single(ctx, "limit");
      limit = limitText == null ? DEFAULT_LIMIT : limit(limitText);
      String beforeText = single(ctx, "before");
      before = beforeText == null ? null : before(beforeText);
      accountId = single(ctx, "accountId");
      if (accountId != null && (accountId.isEmpty() || accountId.length() > MAX_ACCOUNT_ID_CHARS)) {
        throw GatewayException.badRequest("accountId: an account id (1 to " + MAX_ACCOUNT_ID_CHARS + " characters)");
      }
    } catch (GatewayException e) {
      ctx.fail(e);
      return;
    }
    audit.list(limit, before, accountId).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private static String single(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    if (values.size() > 1) throw GatewayException.badRequest(name + ": give it at most once");
    return values.isEmpty() ? null : values.get(0);
  }

  private static int limit(String text) {
    if (text.matches("\\d{1,4}")) {
      int n = Integer.parseInt(text);
      if (n >= 1 && n <= AuditVerticle.MAX_LIMIT) return n;
    }
    throw GatewayException.badRequest("limit: an integer from 1 to " + AuditVerticle.MAX_LIMIT);
  }

  private static long before(String text) {
    if (text.matches("\\d{1,19}")) {
      try {
        long id = Long.parseLong(text);
        if (id > 0) return id;
      } catch (NumberFormatException ignored) {
        // over Long.MAX_VALUE: fall through
      }
    }
    throw GatewayException.badRequest("before: an entry id (the nextBefore of the previous page)");
  }
}
