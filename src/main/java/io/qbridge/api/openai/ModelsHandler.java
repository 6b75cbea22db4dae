package io.qbridge.api.openai;

import io.qbridge.catalog.ModelDirectory;
import io.qbridge.catalog.ModelInfo;
import io.qbridge.convert.ModelMapper;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: what the gateway can serve. Until an
 * account has answered {@code ListAvailableModels}, every name the static mapping resolves exactly
 * (Amazon Q ids, dated Anthropic names, legacy aliases); then the union of the enabled accounts'
 * catalogs, plus the client names that resolve exactly to one of those models (dated Claude names,
 * legacy aliases), each with {@code context_window} and {@code max_output_tokens} where the catalog
 * gives them.
 *
 * <p>Shape: with an {@code anthropic-version} header (the Anthropic SDK and Claude Code send one),
 * Anthropic's list ({@code data} of {@code {id, display_name, created_at, type: "model"}},
 * {@code has_more}, {@code first_id}, {@code last_id}); otherwise entries carry OpenAI's fields
 * ({@code object}, {@code created}, {@code owned_by}) and Anthropic's, and the list both APIs'
 * paging fields, so model pickers built on either read the same answer.
 */
public final class ModelsHandler {

  private static final Pattern DATE = Pattern.compile("-(\\d{8})$");
  private static final Pattern SUFFIX = Pattern.compile("-(\\d{8}|latest)$");
  private static final Pattern DASH_VERSION = Pattern.compile("(\\d)-(\\d)");
  private static final LocalDate FALLBACK_DATE = LocalDate.of(2025, 1, 1);

  private final Supplier<ModelDirectory> directory;
  private final Map<String, LocalDate> releaseOfQModel = new LinkedHashMap<>();

  public ModelsHandler(Supplier<ModelDirectory> directory) {
    this.directory = directory;
    for (String dated : ModelMapper.DATED_NAMES) releaseOfQModel.put(ModelMapper.toQModel(dated), dateOf(dated));
  }

  /** The listed models by id, for the current directory. */
  private Map<String, JsonObject> models() {
    ModelDirectory d = directory.get();
    Map<String, JsonObject> models = new LinkedHashMap<>();
    if (!d.fromAccounts()) {
      for (String name : ModelMapper.knownNames()) models.put(name, entry(name, displayName(name), null));
      return models;
    }
    for (String id : d.ids()) {
      ModelInfo info = d.get(id);
      models.put(id, entry(id, info.displayName().equals(id) ? pretty(id) : info.displayName(), info));
    }
    for (String name : ModelMapper.knownNames()) {
      String target = ModelMapper.toCatalogId(name);
      ModelInfo info = d.get(target);
      if (info == null || models.containsKey(name)) continue;
      String base = pretty(DASH_VERSION.matcher(SUFFIX.matcher(name).replaceAll("")).replaceAll("$1.$2"));
      String served = info.displayName().equals(target) ? pretty(target) : info.displayName();
      models.put(name, entry(name, base.equals(served) ? base : base + " (served by " + served + ")", info));
    }
    return models;
  }

  /** Whether the caller is an Anthropic client (it sends {@code anthropic-version}): Anthropic's shapes then, bodies and errors. */
  static boolean anthropicClient(RoutingContext ctx) {
    return ctx.request().getHeader("anthropic-version") != null;
  }

  public void list(RoutingContext ctx) {
    Map<String, JsonObject> models = models();
    boolean anthropic = anthropicClient(ctx);
    JsonArray data = new JsonArray();
    models.values().forEach(m -> data.add(anthropic ? anthropicShape(m) : m));
    String first = models.isEmpty() ? null : models.keySet().iterator().next();
    String last = data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id");
    JsonObject body = new JsonObject();
    if (!anthropic) body.put("object", "list");
    send(ctx, body.put("data", data).put("has_more", false).put("first_id", first).put("last_id", last));
  }

  public void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject model = models().get(id);
    if (model == null) throw GatewayException.notFound("The model '" + id + "' does not exist");
    send(ctx, anthropicClient(ctx) ? anthropicShape(model) : model);
  }

  private static JsonObject anthropicShape(JsonObject m) {
    return new JsonObject().put("id", m.getString("id")).put("display_name", m.getString("display_name"))
        .put("created_at", m.getString("created_at")).put("type", "model");
  }

  private static void send(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private JsonObject entry(String name, String displayName, ModelInfo info) {
    LocalDate date = dateOf(name);
    if (date == null) date = releaseOfQModel.getOrDefault(ModelMapper.toCatalogId(name), FALLBACK_DATE);
    long epoch = date.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    JsonObject o = new JsonObject()
        .put("id", name).put("object", "model").put("created", epoch)
        .put("owned_by", name.startsWith("claude") ? "anthropic" : "amazon-q")
        .put("type", "model").put("display_name", displayName)
        .put("created_at", DateTimeFormatter.ISO_INSTANT.format(date.atStartOfDay(ZoneOffset.UTC)));
    if (info != null && info.contextWindow() > 0) o.put("context_window", info.contextWindow());
    if (info != null && info.maxOutput() > 0) o.put("max_output_tokens", info.maxOutput());
    return o;
  }

  /** {@code claude-3-5-sonnet-20241022} → "Claude 3.5 Sonnet (served by Claude Sonnet 4.5)". */
  static String displayName(String name) {
    String base = DASH_VERSION.matcher(SUFFIX.matcher(name).replaceAll("")).replaceAll("$1.$2");
    String served = ModelMapper.toQModel(name);
    String pretty = pretty(base);
    return base.equals(served) ? pretty : pretty + " (served by " + pretty(served) + ")";
  }

  private static String pretty(String id) {
    StringBuilder sb = new StringBuilder();
    for (String word : id.split("-")) {
      if (sb.length() > 0) sb.append(' ');
      sb.append(word.substring(0, 1).toUpperCase(Locale.ROOT)).append(word.substring(1));
    }
    return sb.toString();
  }

  private static LocalDate dateOf(String name) {
    Matcher m = DATE.matcher(name);
    return m.find() ? LocalDate.parse(m.group(1), DateTimeFormatter.BASIC_ISO_DATE) : null;
  }
}
