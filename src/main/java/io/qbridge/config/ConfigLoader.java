package io.qbridge.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds the one {@link AppConfig} of the process. Sources, later ones win key by key:
 * <ol>
 *   <li>built-in defaults ({@link ConfigKey});</li>
 *   <li>the config file: {@code CONFIG_FILE} if set (relative paths resolve against the work
 *       dir; it must exist and end in {@code .yaml}, {@code .yml} or {@code .json}), otherwise the
 *       one of {@code conf/config.yaml}, {@code conf/config.yml}, {@code conf/config.json} that
 *       exists &mdash; several of them is an error, none is fine;</li>
 *   <li>{@code .env} in the work dir (grammar in {@link DotEnvParser});</li>
 *   <li>the {@code env} map passed in (normally {@code System.getenv()}).</li>
 * </ol>
 * {@code CONFIG_FILE} itself is read from the env map, then {@code .env}.
 *
 * <p>Keys are the UPPER_SNAKE names of the {@link AppConfig} components' javadoc everywhere. In the config file
 * values may be native YAML/JSON types; a key with an empty/null value ({@code PORT:}) is treated
 * as absent. Unknown config-file keys are logged as warnings; unknown environment variables are
 * ignored, and unknown {@code .env} keys too unless they look like a misspelt setting (warning).
 * Values are trimmed. An empty string is a real value: it clears OPENAI_KEYS, ADMIN_KEY and
 * HTTP_PROXY, and is an error for the other settings.
 *
 * <p>Every problem (malformed file or line, wrong type, out-of-range value, conflicting files) is
 * collected and reported together in one {@link ConfigException}, one line per problem naming the
 * key and its source. Secrets are never echoed: ADMIN_KEY/OPENAI_KEYS values are not quoted, URLs
 * are quoted with credentials masked.
 *
 * <p>Why no {@code ConfigRetriever}: two of the four layers (.env, and an env map that must come
 * from the caller instead of {@code System.getenv()}) have no store; the retriever merges stores
 * into one JsonObject and so loses which source a value came from, which every error message
 * needs; and it starts a scan timer that must be closed. What it would contribute for the file
 * layer is a file read plus the same snakeyaml/Jackson parse done here, where we also control the
 * YAML loader (safe constructor, duplicate keys rejected, alias bomb limit) and its error text.
 */
public final class ConfigLoader {

  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);

  /** Environment / .env key naming an alternative config file, used instead of conf/config.*. */
  public static final String CONFIG_FILE = "CONFIG_FILE";

  /** Default config file locations under the work dir; at most one may exist. */
  static final List<String> DEFAULT_FILES = List.of("conf/config.yaml", "conf/config.yml", "conf/config.json");

  static final String DOTENV = ".env";

  private static final String FROM_ENV = "environment";
  private static final String FROM_DEFAULT = "default";

  private ConfigLoader() {}

  /**
   * Loads and validates the configuration. File I/O and parsing run on a worker thread via
   * {@code executeBlocking}; the future completes on the caller's context (or a fresh one when
   * called from a non-Vert.x thread such as {@code main}).
   *
   * @param workDir directory holding {@code conf/} and {@code .env} ({@code Path.of("")} = cwd)
   * @param env     environment variables; only known keys and {@code CONFIG_FILE} are read
   * @return the config, or a failed future with a {@link ConfigException} listing every problem
   */
  public static Future<AppConfig> load(Vertx vertx, Path workDir, Map<String, String> env) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(env, "env");
    return vertx.executeBlocking(() -> resolve(workDir, env));
  }

  /**
   * Synchronous core of {@link #load}: blocking file I/O, throws {@link ConfigException}. Public
   * for tools and tests that build a config from settings without a Vert.x instance.
   */
  public static AppConfig resolve(Path workDir, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, Raw> dotEnv = readDotEnv(workDir.resolve(DOTENV), problems);
    Map<String, Raw> environment = readEnvironment(env);

    Map<ConfigKey, Raw> merged = new EnumMap<>(ConfigKey.class);
    for (ConfigKey key : ConfigKey.values()) {
      merged.put(key, new Raw(key.defaultValue, FROM_DEFAULT));
    }
    Raw configFileSetting = environment.getOrDefault(CONFIG_FILE, dotEnv.get(CONFIG_FILE));
    Path file = locateConfigFile(workDir, configFileSetting, problems);
    if (file != null) {
      overlayFile(merged, file, problems);
    }
    overlay(merged, dotEnv);
    overlay(merged, environment);

    AppConfig config = new Binder(merged, problems).bind();
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** A value as found in one source, before typing: a String, or any YAML/JSON value. */
  record Raw(Object value, String source) {
    String from() {
      return FROM_DEFAULT.equals(source) ? " (built-in default)" : " (from " + source + ")";
    }
  }

  // ---------------------------------------------------------------- sources

  private static Map<String, Raw> readEnvironment(Map<String, String> env) {
    Map<String, Raw> out = new HashMap<>();
    for (ConfigKey key : ConfigKey.values()) {
      String value = env.get(key.name());
      if (value != null) {
        out.put(key.name(), new Raw(value, FROM_ENV));
      }
    }
    String configFile = env.get(CONFIG_FILE);
    if (configFile != null) {
      out.put(CONFIG_FILE, new Raw(configFile, FROM_ENV));
    }
    return out;
  }

  private static Map<String, Raw> readDotEnv(Path path, List<String> problems) {
    if (!Files.exists(path)) {
      return Map.of();
    }
    String text = readText(path, problems);
    if (text == null) {
      return Map.of();
    }
    DotEnvParser.Result parsed = DotEnvParser.parse(text, path.toString());
    problems.addAll(parsed.problems());
    Map<String, Raw> out = new HashMap<>();
    parsed.entries().forEach((key, entry) -> {
      String source = path + ":" + entry.line();
      if (isKnown(key) || CONFIG_FILE.equals(key)) {
        out.put(key, new Raw(entry.value(), source));
      } else {
        // .env is often shared with docker compose: stay quiet unless it looks like a typo of ours
        String guess = suggest(key);
        if (guess != null) {
          log.warn("{}: '{}' is not a qbridge setting and is ignored (did you mean {}?)", source, key, guess);
        }
      }
    });
    return out;
  }

  private static Path locateConfigFile(Path workDir, Raw override, List<String> problems) {
    if (override != null && !((String) override.value()).isBlank()) {
      String name = ((String) override.value()).strip();
      Path path;
      try {
        path = workDir.resolve(name);
      } catch (InvalidPathException e) {
        problems.add(CONFIG_FILE + ": '" + name + "' is not a valid path" + override.from());
        return null;
      }
      if (!Files.exists(path)) {
        problems.add(CONFIG_FILE + ": '" + path + "' does not exist" + override.from());
        return null;
      }
      if (format(path) == null) {
        problems.add(CONFIG_FILE + ": '" + path + "' must end in .yaml, .yml or .json" + override.from());
        return null;
      }
      return path;
    }
    List<Path> found = DEFAULT_FILES.stream().map(workDir::resolve).filter(Files::exists).toList();
    if (found.size() > 1) {
      problems.add(found.stream().map(Path::toString).collect(Collectors.joining(" and "))
          + ": only one of conf/config.yaml, conf/config.yml, conf/config.json may exist;"
          + " delete the others or select one with CONFIG_FILE");
      return null;
    }
    return found.isEmpty() ? null : found.get(0);
  }

  private static void overlayFile(Map<ConfigKey, Raw> merged, Path file, List<String> problems) {
    log.info("Reading configuration file {}", file);
    Map<String, Object> values = parseConfigFile(file, problems);
    values.forEach((key, value) -> {
      if (CONFIG_FILE.equals(key)) {
        log.warn("{}: CONFIG_FILE is only read from the environment or .env; ignored here", file);
      } else if (!isKnown(key)) {
        String guess = suggest(key);
        log.warn("{}: unknown key '{}' ignored{}", file, key, guess == null ? "" : " (did you mean " + guess + "?)");
      } else if (value != null) {
        merged.put(ConfigKey.valueOf(key), new Raw(value, file.toString()));
      }
    });
  }

  private static void overlay(Map<ConfigKey, Raw> merged, Map<String, Raw> source) {
    for (ConfigKey key : ConfigKey.values()) {
      Raw raw = source.get(key.name());
      if (raw != null) {
        merged.put(key, raw);
      }
    }
  }

  private static String readText(Path path, List<String> problems) {
    if (!Files.isRegularFile(path)) {
      problems.add(path + ": is not a regular file");
      return null;
    }
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      problems.add(path + ": is not valid UTF-8 text");
    } catch (IOException e) {
      problems.add(path + ": cannot be read (" + oneLine(String.valueOf(e.getMessage())) + ")");
    }
    return null;
  }

  // ---------------------------------------------------------------- config file parsing

  private enum Format { YAML, JSON }

  private static Format format(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return Format.YAML;
    }
    return name.endsWith(".json") ? Format.JSON : null;
  }

  /** Top-level entries of the file, in file order; empty (with a problem added) when unusable. */
  private static Map<String, Object> parseConfigFile(Path file, List<String> problems) {
    String text = readText(file, problems);
    if (text == null || text.isBlank()) {
      return Map.of();
    }
    Format format = format(file);
    Object doc;
    try {
      doc = normalize(format == Format.JSON ? parseJson(text) : parseYaml(text));
    } catch (ParseFailure e) {
      problems.add(file + ": malformed " + format + ": " + oneLine(e.getMessage()));
      return Map.of();
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      problems.add(file + ": the top level must be a mapping of KEY: value, found a " + typeName(doc));
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static Object parseYaml(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    try {
      return new Yaml(new SafeConstructor(options)).load(text);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      String context = e.getContext() == null ? "" : e.getContext() + ", ";
      throw new ParseFailure(context + e.getProblem() + where);
    } catch (YAMLException e) {
      throw new ParseFailure(e.getMessage());
    }
  }

  private static Object parseJson(String text) {
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      if (e.getCause() instanceof JsonProcessingException jpe) {
        JsonLocation at = jpe.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        throw new ParseFailure(jpe.getOriginalMessage() + where);
      }
      throw new ParseFailure(e.getMessage());
    }
  }

  /** JsonObject/JsonArray (Vert.x) become Map/List so both formats look the same downstream. */
  private static Object normalize(Object value) {
    if (value instanceof JsonObject o) {
      return normalize(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return normalize(a.getList());
    }
    if (value instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(k, normalize(v)));
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(normalize(v)));
      return out;
    }
    return value;
  }

  private static final class ParseFailure extends RuntimeException {
    ParseFailure(String message) {
      super(message, null, false, false);
    }
  }

  // ---------------------------------------------------------------- typing and validation

  /** Turns the merged raw values into an AppConfig, adding one problem per bad value. */
  private static final class Binder {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Set<ConfigKey> URL_KEYS = EnumSet.of(ConfigKey.HTTP_PROXY, ConfigKey.DATABASE_URL,
        ConfigKey.AMAZONQ_ENDPOINT, ConfigKey.AMAZONQ_OIDC_ENDPOINT, ConfigKey.AMAZONQ_START_URL);
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;

    private final Map<ConfigKey, Raw> values;
    private final List<String> problems;

    Binder(Map<ConfigKey, Raw> values, List<String> problems) {
      this.values = values;
      this.problems = problems;
    }

    /** Null when any problem was found (in this or an earlier stage). */
    AppConfig bind() {
      String host = word(ConfigKey.HOST);
      int port = integer(ConfigKey.PORT, 0, 65535, null);
      int httpInstances = integer(ConfigKey.HTTP_INSTANCES, 1, ConfigKey.MAX_HTTP_INSTANCES, null);
      List<String> apiKeys = list(ConfigKey.OPENAI_KEYS);
      String adminKey = text(ConfigKey.ADMIN_KEY);
      int maxErrorCount = integer(ConfigKey.MAX_ERROR_COUNT, 1, Integer.MAX_VALUE, null);
      String httpProxy = url(ConfigKey.HTTP_PROXY, true);
      String databaseUrl = databaseUrl(ConfigKey.DATABASE_URL);
      String amazonqEndpoint = url(ConfigKey.AMAZONQ_ENDPOINT, false);
      String oidcEndpoint = url(ConfigKey.AMAZONQ_OIDC_ENDPOINT, false);
      String startUrl = url(ConfigKey.AMAZONQ_START_URL, false);
      String templatesDir = word(ConfigKey.TEMPLATES_DIR);
      int connectTimeout = integer(ConfigKey.UPSTREAM_CONNECT_TIMEOUT_MS, 1, Integer.MAX_VALUE, null);
      int idleTimeout = integer(ConfigKey.UPSTREAM_IDLE_TIMEOUT_MS, 1, Integer.MAX_VALUE, null);
      int maxConnections = integer(ConfigKey.UPSTREAM_MAX_CONNECTIONS, 1, Integer.MAX_VALUE, null);
      int pingInterval = integer(ConfigKey.SSE_PING_INTERVAL_MS, 1, Integer.MAX_VALUE, null);
      double multiplier = positiveFinite(ConfigKey.TOKEN_COUNT_MULTIPLIER);
      int maxBodyBytes = integer(ConfigKey.MAX_BODY_BYTES, KIB, 512 * MIB,
          "must be between 1024 (1 KiB) and 536870912 (512 MiB)");
      int contextTokenLimit = integer(ConfigKey.CONTEXT_TOKEN_LIMIT, 0, Integer.MAX_VALUE, null);
      int claimTimeout = integer(ConfigKey.DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS, 1, 3600, null);
      int loginRetention = integer(ConfigKey.DEVICE_LOGIN_RETENTION_SECONDS, 0, 86400, null);
      int refreshInterval = integer(ConfigKey.REFRESH_INTERVAL_SECONDS, 1, Integer.MAX_VALUE, null);
      int refreshMaxAge = integer(ConfigKey.REFRESH_MAX_AGE_SECONDS, 1, Integer.MAX_VALUE, null);
      int refreshBeforeExpiry = integer(ConfigKey.REFRESH_BEFORE_EXPIRY_SECONDS, 0, Integer.MAX_VALUE, null);
      int maxAttempts = integer(ConfigKey.MAX_ATTEMPTS, 1, 20, null);
      int accountMaxConcurrency = integer(ConfigKey.ACCOUNT_MAX_CONCURRENCY, 0, Integer.MAX_VALUE, null);
      int cooldown = integer(ConfigKey.COOLDOWN_SECONDS, 0, Integer.MAX_VALUE, null);
      int shortCooldown = integer(ConfigKey.SHORT_COOLDOWN_SECONDS, 0, Integer.MAX_VALUE, null);
      int longCooldown = integer(ConfigKey.LONG_COOLDOWN_SECONDS, 0, Integer.MAX_VALUE, null);
      int quotaPark = integer(ConfigKey.QUOTA_PARK_SECONDS, 0, Integer.MAX_VALUE, null);
      int shutdownGrace = integer(ConfigKey.SHUTDOWN_GRACE_SECONDS, 0, 3600, null);
      int headersTimeout = integer(ConfigKey.UPSTREAM_HEADERS_TIMEOUT_MS, 1, Integer.MAX_VALUE, null);
      int responsesTtl = integer(ConfigKey.RESPONSES_TTL_HOURS, 1, 24 * 365, null);
      int responsesMax = integer(ConfigKey.RESPONSES_MAX_BYTES, KIB, Integer.MAX_VALUE, null);
      int responsesStoreMax = integer(ConfigKey.RESPONSES_STORE_MAX_BYTES, KIB, Integer.MAX_VALUE, null);
      int catalogTtl = integer(ConfigKey.MODEL_CATALOG_TTL_SECONDS, 60, Integer.MAX_VALUE, null);
      int usageRefresh = integer(ConfigKey.USAGE_REFRESH_SECONDS, 60, Integer.MAX_VALUE, null);
      String fallback = text(ConfigKey.MODEL_FALLBACK);
      boolean modelFallback = !"off".equalsIgnoreCase(fallback);
      if (fallback != null && !fallback.equalsIgnoreCase("on") && !fallback.equalsIgnoreCase("off")) {
        problems.add("MODEL_FALLBACK must be 'on' or 'off', got '" + fallback + "'");
      }
      int stickyMax = integer(ConfigKey.STICKY_MAX_ENTRIES, 0, 10_000_000, null);
      int stickyTtl = integer(ConfigKey.STICKY_TTL_SECONDS, 1, Integer.MAX_VALUE, null);
      int sessionIdle = integer(ConfigKey.SESSION_IDLE_TIMEOUT_SECONDS, 60, Integer.MAX_VALUE, null);
      int sessionMax = integer(ConfigKey.SESSION_MAX_LIFETIME_SECONDS, 60, Integer.MAX_VALUE, null);
      List<String> trustedProxies = list(ConfigKey.TRUSTED_PROXIES);
      for (String proxy : trustedProxies) {
        String why = AddressRange.problem(proxy);
        if (why != null) {
          problem(ConfigKey.TRUSTED_PROXIES, values.get(ConfigKey.TRUSTED_PROXIES), quote(ConfigKey.TRUSTED_PROXIES, proxy) + " " + why);
        }
      }
      int metricsPort = integer(ConfigKey.METRICS_PORT, 0, 65535, null);
      String alertWebhookUrl = url(ConfigKey.ALERT_WEBHOOK_URL, true);
      int alertMinHealthy = integer(ConfigKey.ALERT_MIN_HEALTHY_ACCOUNTS, 0, Integer.MAX_VALUE, null);
      String secretsKey = secretsKey(ConfigKey.SECRETS_KEY);
      String secretsKeyPrevious = secretsKey(ConfigKey.SECRETS_KEY_PREVIOUS);
      if (secretsKey.isEmpty() && !secretsKeyPrevious.isEmpty()) {
        problem(ConfigKey.SECRETS_KEY_PREVIOUS, values.get(ConfigKey.SECRETS_KEY_PREVIOUS),
            "is set but SECRETS_KEY is not; to rotate, set SECRETS_KEY to the new key and SECRETS_KEY_PREVIOUS to the"
            + " old one; to stop encrypting, keep the old key as SECRETS_KEY (stored secrets stay encrypted)");
      }
      int auditRetentionDays = integer(ConfigKey.AUDIT_RETENTION_DAYS, 1, 36_500, null);
      if (!problems.isEmpty()) {
        return null;
      }
      return new AppConfig(
          new AppConfig.Http(host, port, httpInstances, apiKeys, adminKey == null ? "" : adminKey, maxBodyBytes,
              pingInterval, multiplier, contextTokenLimit, maxAttempts, shutdownGrace),
          new AppConfig.Upstream(amazonqEndpoint, oidcEndpoint, startUrl, httpProxy, templatesDir, connectTimeout,
              idleTimeout, headersTimeout, maxConnections),
          new AppConfig.Pool(databaseUrl, maxErrorCount, accountMaxConcurrency, cooldown, shortCooldown, longCooldown,
              quotaPark, refreshInterval, refreshMaxAge, refreshBeforeExpiry, secretsKey, secretsKeyPrevious),
          new AppConfig.DeviceLogin(claimTimeout, loginRetention),
          new AppConfig.Responses(responsesTtl, responsesMax, responsesStoreMax),
          new AppConfig.Routing(catalogTtl, usageRefresh, modelFallback, stickyMax, stickyTtl),
          new AppConfig.Admin(sessionIdle, sessionMax, trustedProxies, auditRetentionDays),
          new AppConfig.Ops(metricsPort, alertWebhookUrl == null ? "" : alertWebhookUrl, alertMinHealthy));
    }

    /** The value as trimmed text, or null (problem added) when the file holds a wrong type. */
    private String text(ConfigKey key) {
      Raw raw = values.get(key);
      Object v = raw.value();
      if (v instanceof String s) {
        return s.strip();
      }
      boolean numeric = key.kind == ConfigKey.Kind.INT || key.kind == ConfigKey.Kind.DECIMAL;
      if (numeric && v instanceof Number n) {
        return n.toString();
      }
      problem(key, raw, numeric
          ? "expected a number but found a " + typeName(v)
          : "expected a string but found a " + typeName(v) + "; put the value in quotes");
      return null;
    }

    /** Non-empty text without whitespace (HOST, TEMPLATES_DIR). */
    private String word(ConfigKey key) {
      String s = text(key);
      if (s == null) {
        return "";
      }
      if (s.isEmpty()) {
        problem(key, values.get(key), "must not be empty");
      } else if (s.chars().anyMatch(Character::isWhitespace)) {
        problem(key, values.get(key), quote(key, s) + " must not contain whitespace");
      }
      return s;
    }

    private int integer(ConfigKey key, long min, long max, String rangeMessage) {
      String s = text(key);
      if (s == null) {
        return 0;
      }
      Raw raw = values.get(key);
      if (!INTEGER.matcher(s).matches()) {
        problem(key, raw, quote(key, s) + " is not an integer");
        return 0;
      }
      BigInteger v = new BigInteger(s);
      if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
        String range = rangeMessage != null ? rangeMessage
            : max == Integer.MAX_VALUE ? "must be at least " + min
            : "must be between " + min + " and " + max;
        problem(key, raw, quote(key, s) + " " + range);
        return 0;
      }
      return v.intValue();
    }

    private double positiveFinite(ConfigKey key) {
      String s = text(key);
      if (s == null) {
        return 0;
      }
      Raw raw = values.get(key);
      double d;
      if (raw.value() instanceof Number n) {
        d = n.doubleValue();
      } else if (DECIMAL.matcher(s).matches()) {
        d = Double.parseDouble(s);
      } else {
        problem(key, raw, quote(key, s) + " is not a number");
        return 0;
      }
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        problem(key, raw, quote(key, s) + " must be a finite number");
      } else if (d <= 0) {
        problem(key, raw, quote(key, s) + " must be greater than 0");
      }
      return d;
    }

    /** A comma-separated string or a list (whose items may themselves hold commas). */
    private List<String> list(ConfigKey key) {
      Raw raw = values.get(key);
      Object v = raw.value();
      if (!(v instanceof String) && !(v instanceof List<?>)) {
        problem(key, raw, "expected a comma-separated string or a list of strings but found a "
            + typeName(v) + "; put the value in quotes");
        return List.of();
      }
      List<?> items = v instanceof List<?> l ? l : List.of(v);
      Set<String> out = new LinkedHashSet<>();
      for (int i = 0; i < items.size(); i++) {
        Object item = items.get(i);
        if (item == null) {
          continue;
        }
        if (!(item instanceof String s)) {
          problem(key, raw, "item " + (i + 1) + " is a " + typeName(item) + ", not a string; put it in quotes");
          continue;
        }
        for (String part : s.split(",")) {
          String k = part.strip();
          if (!k.isEmpty()) {
            out.add(k);
          }
        }
      }
      return List.copyOf(out);
    }

    /** Empty (only HTTP_PROXY) or an absolute http/https URL with a host. */
    private String url(ConfigKey key, boolean proxy) {
      String s = text(key);
      if (s == null) {
        return "";
      }
      if (s.isEmpty()) {
        if (!proxy) {
          problem(key, values.get(key), "must not be empty");
        }
        return s;
      }
      String error = checkHttpUrl(s, proxy);
      if (error != null) {
        problem(key, values.get(key), quote(key, s) + " " + error);
      }
      return s;
    }

    /** Empty (unset) or a valid {@link SecretsKey}; a problem names the key and what is wrong, never the value. */
    private String secretsKey(ConfigKey key) {
      String s = text(key);
      if (s == null || s.isEmpty()) {
        return "";
      }
      String why = SecretsKey.problem(s);
      if (why != null) {
        problem(key, values.get(key), "the value " + why);
      }
      return s;
    }

    private String databaseUrl(ConfigKey key) {
      String s = text(key);
      if (s == null) {
        return "";
      }
      if (!s.startsWith("jdbc:sqlite:") && !io.qbridge.store.DatabaseUrl.isPostgres(s)) {
        problem(key, values.get(key), quote(key, s) + " is not supported; only jdbc:sqlite:<file>,"
            + " postgres://user:password@host:port/db (or postgresql://, jdbc:postgresql://) URLs are");
        return s;
      }
      try {
        io.qbridge.store.DatabaseUrl.parse(s);
      } catch (io.qbridge.store.DatabaseException e) {
        // the parser names the problem, never the password; the value is shown masked
        problem(key, values.get(key), quote(key, s) + ": " + e.getMessage().replaceFirst("^DATABASE_URL ", ""));
      }
      return s;
    }

    /** Null when valid, else what is wrong (without the value). */
    private static String checkHttpUrl(String s, boolean credentialsAllowed) {
      if (!s.contains("://")) {
        // also catches "user:pass@host:port", which URI would read as scheme "user"
        return "is not an absolute URL; expected http://... or https://...";
      }
      URI uri;
      try {
        uri = new URI(s);
      } catch (URISyntaxException e) {
        return "is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")";
      }
      String scheme = uri.getScheme();
      if (scheme == null) {
        return "is not an absolute URL; expected http://... or https://...";
      }
      // the scheme sits before "://", so echoing it cannot leak credentials
      String lower = scheme.toLowerCase(Locale.ROOT);
      if (!lower.equals("http") && !lower.equals("https")) {
        return "must be an http:// or https:// URL, not " + scheme + ":";
      }
      if (uri.isOpaque() || uri.getHost() == null) {
        return "has no valid host name";
      }
      if (!credentialsAllowed && uri.getRawUserInfo() != null) {
        return "must not contain credentials (user-info)";
      }
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        return "has a port outside 1..65535";
      }
      return null;
    }

    /** The value as it may appear in a message: secrets hidden, URL credentials masked, one line. */
    private static String quote(ConfigKey key, String value) {
      if (key.secret) {
        return "(hidden value)";
      }
      String shown = URL_KEYS.contains(key) ? Redaction.maskUrl(value) : value;
      if (shown.length() > 120) {
        shown = shown.substring(0, 117) + "...";
      }
      return "'" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'";
    }

    private void problem(ConfigKey key, Raw raw, String message) {
      problems.add(key.name() + ": " + oneLine(message) + raw.from());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static boolean isKnown(String key) {
    for (ConfigKey k : ConfigKey.values()) {
      if (k.name().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /** The known key {@code key} most likely meant (case, '-'/'.' for '_', or 2 edits), or null. */
  static String suggest(String key) {
    String norm = key.strip().toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    String best = null;
    int bestDistance = 3;
    for (ConfigKey k : ConfigKey.values()) {
      int d = k.name().equals(norm) ? 0 : editDistance(norm, k.name());
      if (d < bestDistance) {
        best = k.name();
        bestDistance = d;
      }
    }
    if (best == null && (norm.equals(CONFIG_FILE) || editDistance(norm, CONFIG_FILE) <= 2)) {
      return CONFIG_FILE;
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    if (Math.abs(a.length() - b.length()) > 2) {
      return Integer.MAX_VALUE;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String typeName(Object v) {
    if (v == null) {
      return "null";
    } else if (v instanceof String) {
      return "string";
    } else if (v instanceof Boolean) {
      return "boolean";
    } else if (v instanceof Number) {
      return "number";
    } else if (v instanceof List<?>) {
      return "list";
    } else if (v instanceof Map<?, ?>) {
      return "mapping";
    } else if (v instanceof Date) {
      return "date";
    } else if (v instanceof byte[]) {
      return "binary value";
    }
    return v.getClass().getSimpleName();
  }

  private static String oneLine(String s) {
    return s.replace("\r", "").replace('\n', ' ');
  }
}
