package io.qbridge.api.openai;

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
import java.util.regex.Pattern;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: every name the model mapping resolves
 * exactly (Amazon Q ids, dated Anthropic names, legacy aliases). Each entry carries both OpenAI's
 * fields ({@code object}, {@code created}, {@code owned_by}) and Anthropic's ({@code type},
 * {@code display_name}, {@code created_at}), and the list both APIs' paging fields, so the OpenAI
 * and Anthropic SDKs, and model pickers built on either, read the same answer.
 */
public final class ModelsHandler {

  private static final Pattern DATE = Pattern.compile("-(\\d{8})$");
  private static final Pattern SUFFIX = Pattern.compile("-(\\d{8}|latest)$");
  private static final Pattern DASH_VERSION = Pattern.compile("(\\d)-(\\d)");
  private static final LocalDate FALLBACK_DATE = LocalDate.of(2025, 1, 1);

  private final Map<String, JsonObject> models = new LinkedHashMap<>();

  public ModelsHandler() {
    Map<String, LocalDate> releaseOfQModel = new LinkedHashMap<>();
    for (String dated : ModelMapper.DATED_NAMES) releaseOfQModel.put(ModelMapper.toQModel(dated), dateOf(dated));
    for (String name : ModelMapper.knownNames()) {
      LocalDate date = dateOf(name);
      if (date == null) date = releaseOfQModel.getOrDefault(ModelMapper.toQModel(name), FALLBACK_DATE);
      models.put(name, entry(name, date));
    }
  }

  public void list(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    models.values().forEach(data::add);
    String first = models.keySet().iterator().next();
    String last = data.getJsonObject(data.size() - 1).getString("id");
    send(ctx, new JsonObject().put("object", "list").put("data", data)
        .put("has_more", false).put("first_id", first).put("last_id", last));
  }

  public void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject model = models.get(id);
    if (model == null) throw GatewayException.notFound("The model '" + id + "' does not exist");
    send(ctx, model);
  }

  private static void send(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private static JsonObject entry(String name, LocalDate date) {
    long epoch = date.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    return new JsonObject()
        .put("id", name).put("object", "model").put("created", epoch).put("owned_by", "anthropic")
        .put("type", "model").put("display_name", displayName(name))
        .put("created_at", DateTimeFormatter.ISO_INSTANT.format(date.atStartOfDay(ZoneOffset.UTC)));
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
