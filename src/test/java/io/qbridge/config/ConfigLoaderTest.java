package io.qbridge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @TempDir Path dir;
  Vertx vertx;
  ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(ConfigLoader.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(ConfigLoader.class)).detachAppender(logs);
  }

  // ------------------------------------------------------------------ helpers

  private AppConfig load(Map<String, String> env) {
    return ConfigLoader.load(vertx, dir, env).await();
  }

  private ConfigException failure(Map<String, String> env) {
    Throwable t = catchThrowable(() -> ConfigLoader.load(vertx, dir, env).await());
    assertThat(t).isInstanceOf(ConfigException.class);
    ConfigException e = (ConfigException) t;
    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.getMessage().lines().skip(1).map(String::strip).toList()).isEqualTo(e.problems());
    return e;
  }

  private Path write(String relative, String content) throws IOException {
    Path p = dir.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private List<String> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static AppConfig defaults() {
    int cores = Math.min(256, Runtime.getRuntime().availableProcessors());
    return new AppConfig(
        new AppConfig.Http("0.0.0.0", 8000, cores, List.of(), "", 33554432, 15000, 1.0, 200000, 3, 30),
        new AppConfig.Upstream("https://q.us-east-1.amazonaws.com/", "https://oidc.us-east-1.amazonaws.com",
            "https://view.awsapps.com/start", "", "templates", 5000, 300000, 60000, 4096),
        new AppConfig.Pool("jdbc:sqlite:data.sqlite3", 100, 0, 60, 15, 1800, 0, 300, 1500, 300),
        new AppConfig.DeviceLogin(300, 600),
        new AppConfig.Responses(24, 8388608, 268435456),
        AppConfig.Routing.defaults(),
        new AppConfig.Admin(28800, 86400, List.of()),
        new AppConfig.Ops(0, "", 0));
  }

  // ------------------------------------------------------------------ defaults and precedence

  @Test
  void defaultsWithEmptyDirAndEnv() {
    AppConfig c = load(Map.of());
    assertThat(c).isEqualTo(defaults());
    assertThat(c.http().authRequired()).isFalse();
    assertThat(c.http().adminEnabled()).isFalse();
    assertThat(warnings()).isEmpty();
  }

  @Test
  void unrelatedEnvironmentVariablesAreIgnored() {
    AppConfig c = load(Map.of("PATH", "/usr/bin", "HOME", "/root", "HOSTNAME", "box", "port", "1",
        "JAVA_TOOL_OPTIONS", "-Xmx1g", "PORTS", "nonsense"));
    assertThat(c).isEqualTo(defaults());
    assertThat(warnings()).isEmpty();
  }

  @Test
  void precedenceIsFileThenDotEnvThenEnvironment() throws IOException {
    write("conf/config.yaml", "PORT: 1111\nHOST: 10.0.0.1\nMAX_ERROR_COUNT: 7\n");
    write(".env", "PORT=2222\nHOST=10.0.0.2\n");
    Map<String, String> env = Map.of("PORT", "3333");

    AppConfig all = load(env);
    assertThat(all.http().port()).isEqualTo(3333);          // env beats .env and file
    assertThat(all.http().host()).isEqualTo("10.0.0.2");     // .env beats file
    assertThat(all.pool().maxErrorCount()).isEqualTo(7);     // file beats default
    assertThat(all.upstream().maxConnections()).isEqualTo(4096);

    assertThat(load(Map.of()).http().port()).isEqualTo(2222);
    Files.delete(dir.resolve(".env"));
    assertThat(load(Map.of()).http().port()).isEqualTo(1111);
  }

  @Test
  void emptyEnvValueClearsAFileValueForOptionalSettings() throws IOException {
    write("conf/config.yaml", "HTTP_PROXY: http://proxy:3128\nADMIN_KEY: adm\nOPENAI_KEYS: [a, b]\n");
    AppConfig c = load(Map.of("HTTP_PROXY", "", "ADMIN_KEY", "", "OPENAI_KEYS", " , "));
    assertThat(c.upstream().httpProxy()).isEmpty();
    assertThat(c.http().adminKey()).isEmpty();
    assertThat(c.http().apiKeys()).isEmpty();
  }

  // ------------------------------------------------------------------ .env through the loader

  @Test
  void dotEnvValuesAreUsedWithQuotesAndComments() throws IOException {
    write(".env", """
        # local settings
        export ADMIN_KEY="adm \\"quoted\\" # not a comment"
        OPENAI_KEYS = 'k1, k2' # two keys
        TOKEN_COUNT_MULTIPLIER=1.25
        COMPOSE_PROJECT_NAME=qbridge
        """);
    AppConfig c = load(Map.of());
    assertThat(c.http().adminKey()).isEqualTo("adm \"quoted\" # not a comment");
    assertThat(c.http().apiKeys()).containsExactly("k1", "k2");
    assertThat(c.http().tokenCountMultiplier()).isEqualTo(1.25);
    assertThat(warnings()).isEmpty(); // foreign .env keys are not our business
  }

  @Test
  void malformedDotEnvLineIsReportedWithFileAndLine() throws IOException {
    write(".env", "PORT=9000\nthis is not an assignment\nADMIN_KEY=\"unterminated\n");
    ConfigException e = failure(Map.of());
    String env = dir.resolve(".env").toString();
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(0)).startsWith(env + ":2: ");
    assertThat(e.problems().get(1)).startsWith(env + ":3: unterminated double-quoted value of ADMIN_KEY");
  }

  @Test
  void misspeltDotEnvKeyWarns() throws IOException {
    write(".env", "PROT=9000\n");
    assertThat(load(Map.of()).http().port()).isEqualTo(8000);
    assertThat(warnings()).singleElement().asString().contains("PROT").contains("did you mean PORT?");
  }

  // ------------------------------------------------------------------ config file formats

  @Test
  void openAiKeysAsYamlListOrCommaString() throws IOException {
    write("conf/config.yaml", """
        OPENAI_KEYS:
          - " sk-one "
          - sk-two,sk-three
          - ""
          - sk-one
        """);
    AppConfig fromList = load(Map.of());
    assertThat(fromList.http().apiKeys()).containsExactly("sk-one", "sk-two", "sk-three");
    assertThat(fromList.http().authRequired()).isTrue();

    write("conf/config.yaml", "OPENAI_KEYS: ' sk-one , ,sk-two,sk-three, '\n");
    assertThat(load(Map.of()).http().apiKeys()).containsExactly("sk-one", "sk-two", "sk-three");

    assertThat(load(Map.of("OPENAI_KEYS", "a,b")).http().apiKeys()).containsExactly("a", "b");
  }

  @Test
  void yamlNativeTypesAndYmlExtension() throws IOException {
    write("conf/config.yml", """
        HOST: 127.0.0.1
        PORT: 0
        HTTP_INSTANCES: "3"
        TOKEN_COUNT_MULTIPLIER: 2
        MAX_BODY_BYTES: 1048576
        ADMIN_KEY: "0123"
        TEMPLATES_DIR:
        """);
    AppConfig c = load(Map.of());
    assertThat(c.http().host()).isEqualTo("127.0.0.1");
    assertThat(c.http().port()).isZero();
    assertThat(c.http().instances()).isEqualTo(3);
    assertThat(c.http().tokenCountMultiplier()).isEqualTo(2.0);
    assertThat(c.http().maxBodyBytes()).isEqualTo(1048576);
    assertThat(c.http().adminKey()).isEqualTo("0123");
    assertThat(c.upstream().templatesDir()).isEqualTo("templates"); // empty YAML value = default
  }

  @Test
  void jsonConfigFile() throws IOException {
    write("conf/config.json", """
        {
          "PORT": 9100,
          "OPENAI_KEYS": ["j1", "j2"],
          "TOKEN_COUNT_MULTIPLIER": 0.5,
          "DATABASE_URL": "jdbc:postgresql://db:5432/qbridge",
          "HTTP_PROXY": null
        }
        """);
    AppConfig c = load(Map.of());
    assertThat(c.http().port()).isEqualTo(9100);
    assertThat(c.http().apiKeys()).containsExactly("j1", "j2");
    assertThat(c.http().tokenCountMultiplier()).isEqualTo(0.5);
    assertThat(c.pool().databaseUrl()).isEqualTo("jdbc:postgresql://db:5432/qbridge");
    assertThat(c.upstream().httpProxy()).isEmpty();
  }

  @Test
  void emptyOrCommentOnlyYamlMeansDefaults() throws IOException {
    write("conf/config.yaml", "# nothing yet\n");
    assertThat(load(Map.of())).isEqualTo(defaults());
  }

  @Test
  void yamlAndJsonBothPresentIsAnError() throws IOException {
    write("conf/config.yaml", "PORT: 1\n");
    write("conf/config.json", "{\"PORT\": 2}");
    ConfigException e = failure(Map.of());
    assertThat(e.problems()).singleElement().asString()
        .contains(dir.resolve("conf/config.yaml").toString())
        .contains(dir.resolve("conf/config.json").toString())
        .contains("only one of");
  }

  @Test
  void malformedYamlNamesTheFileAndPosition() throws IOException {
    Path file = write("conf/config.yaml", "PORT: 1\n  HOST: [unclosed\n");
    ConfigException e = failure(Map.of());
    assertThat(e.problems()).singleElement().asString()
        .startsWith(file + ": malformed YAML: ")
        .contains("line 2");
  }

  @Test
  void duplicateYamlKeyIsMalformed() throws IOException {
    Path file = write("conf/config.yaml", "PORT: 1\nPORT: 2\n");
    assertThat(failure(Map.of()).problems()).singleElement().asString()
        .startsWith(file + ": malformed YAML: ")
        .contains("duplicate key PORT");
  }

  @Test
  void malformedJsonNamesTheFile() throws IOException {
    Path file = write("conf/config.json", "{ \"PORT\": 1, }");
    assertThat(failure(Map.of()).problems()).singleElement().asString()
        .startsWith(file + ": malformed JSON: ")
        .contains("line 1");
  }

  @Test
  void topLevelMustBeAMapping() throws IOException {
    Path file = write("conf/config.yaml", "- PORT\n- HOST\n");
    assertThat(failure(Map.of()).problems()).singleElement().asString()
        .isEqualTo(file + ": the top level must be a mapping of KEY: value, found a list");
  }

  @Test
  void unknownFileKeyOnlyWarns() throws IOException {
    Path file = write("conf/config.yaml", "PORT: 9000\nPROT: 1\nport: 2\nSOMETHING_ELSE: x\nCONFIG_FILE: other.yaml\n");
    AppConfig c = load(Map.of());
    assertThat(c.http().port()).isEqualTo(9000);
    assertThat(warnings()).containsExactly(
        file + ": unknown key 'PROT' ignored (did you mean PORT?)",
        file + ": unknown key 'port' ignored (did you mean PORT?)",
        file + ": unknown key 'SOMETHING_ELSE' ignored",
        file + ": CONFIG_FILE is only read from the environment or .env; ignored here");
  }

  @Test
  void wrongYamlTypesAreReportedWithoutEchoingSecrets() throws IOException {
    Path file = write("conf/config.yaml", """
        ADMIN_KEY: 012345
        OPENAI_KEYS: [sk-ok, 42]
        PORT: true
        HOST: {a: b}
        """);
    ConfigException e = failure(Map.of());
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "HOST: expected a string but found a mapping; put the value in quotes (from " + file + ")",
        "PORT: expected a number but found a boolean (from " + file + ")",
        "OPENAI_KEYS: item 2 is a number, not a string; put it in quotes (from " + file + ")",
        "ADMIN_KEY: expected a string but found a number; put the value in quotes (from " + file + ")");
    assertThat(e.getMessage()).doesNotContain("12345").doesNotContain("sk-ok");
  }

  // ------------------------------------------------------------------ CONFIG_FILE

  @Test
  void configFileFromEnvironmentReplacesDefaultLocation() throws IOException {
    write("conf/config.yaml", "PORT: 1111\nHOST: from-default-file\n");
    write("conf/config.json", "{}"); // would conflict, but CONFIG_FILE skips discovery
    write("custom/qbridge.yml", "PORT: 4444\n");
    AppConfig c = load(Map.of("CONFIG_FILE", "custom/qbridge.yml"));
    assertThat(c.http().port()).isEqualTo(4444);
    assertThat(c.http().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void configFileFromDotEnvAndAbsolutePath(@TempDir Path elsewhere) throws IOException {
    Path json = Files.writeString(elsewhere.resolve("prod.json"), "{\"PORT\": 5555}");
    write(".env", "CONFIG_FILE=\"" + json + "\"\n");
    assertThat(load(Map.of()).http().port()).isEqualTo(5555);

    write("other.yaml", "PORT: 6666\n");
    assertThat(load(Map.of("CONFIG_FILE", "other.yaml")).http().port()).isEqualTo(6666); // env beats .env
  }

  @Test
  void missingOrUnsupportedConfigFileIsAnError() throws IOException {
    ConfigException missing = failure(Map.of("CONFIG_FILE", "nope.yaml"));
    assertThat(missing.problems()).singleElement().asString()
        .isEqualTo("CONFIG_FILE: '" + dir.resolve("nope.yaml") + "' does not exist (from environment)");

    write("app.toml", "PORT = 1\n");
    ConfigException toml = failure(Map.of("CONFIG_FILE", "app.toml"));
    assertThat(toml.problems()).singleElement().asString().contains("must end in .yaml, .yml or .json");
  }

  // ------------------------------------------------------------------ validation

  @Test
  void everyBadValueIsReportedTogetherWithKeyAndSource() throws IOException {
    Path file = write("conf/config.yaml", "MAX_BODY_BYTES: 10\nUPSTREAM_IDLE_TIMEOUT_MS: 0\n");
    write(".env", "HTTP_INSTANCES=0\nAMAZONQ_ENDPOINT=ftp://q.example.com/\n");
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "abc");
    env.put("TOKEN_COUNT_MULTIPLIER", "NaN");
    env.put("MAX_ERROR_COUNT", "0");
    env.put("DATABASE_URL", "jdbc:mysql://db/q");
    env.put("HTTP_PROXY", "proxy.example.com:3128");
    env.put("AMAZONQ_OIDC_ENDPOINT", "https://user:pw@oidc.example.com");
    env.put("AMAZONQ_START_URL", "https://");
    env.put("UPSTREAM_CONNECT_TIMEOUT_MS", "99999999999999999999");
    env.put("SSE_PING_INTERVAL_MS", "-5");
    env.put("HOST", "");
    env.put("UPSTREAM_MAX_CONNECTIONS", "1.5");
    String dotEnv = dir.resolve(".env").toString();

    ConfigException e = failure(env);

    assertThat(e.problems()).containsExactly(
        "HOST: must not be empty (from environment)",
        "PORT: 'abc' is not an integer (from environment)",
        "HTTP_INSTANCES: '0' must be between 1 and 256 (from " + dotEnv + ":1)",
        "MAX_ERROR_COUNT: '0' must be at least 1 (from environment)",
        "HTTP_PROXY: 'proxy.example.com:3128' is not an absolute URL; expected http://... or https://..."
            + " (from environment)",
        "DATABASE_URL: 'jdbc:mysql://db/q' is not supported; only jdbc:sqlite:<file>,"
            + " postgres://user:password@host:port/db (or postgresql://, jdbc:postgresql://) URLs are (from environment)",
        "AMAZONQ_ENDPOINT: 'ftp://q.example.com/' must be an http:// or https:// URL, not ftp: (from " + dotEnv + ":2)",
        "AMAZONQ_OIDC_ENDPOINT: 'https://***@oidc.example.com' must not contain credentials (user-info) (from environment)",
        "AMAZONQ_START_URL: 'https://' is not a valid URL (Expected authority at index 8) (from environment)",
        "UPSTREAM_CONNECT_TIMEOUT_MS: '99999999999999999999' must be at least 1 (from environment)",
        "UPSTREAM_IDLE_TIMEOUT_MS: '0' must be at least 1 (from " + file + ")",
        "UPSTREAM_MAX_CONNECTIONS: '1.5' is not an integer (from environment)",
        "SSE_PING_INTERVAL_MS: '-5' must be at least 1 (from environment)",
        "TOKEN_COUNT_MULTIPLIER: 'NaN' is not a number (from environment)",
        "MAX_BODY_BYTES: '10' must be between 1024 (1 KiB) and 536870912 (512 MiB) (from " + file + ")");
    assertThat(e.getMessage()).startsWith("Invalid configuration (15 problems):\n  HOST: ")
        .doesNotContain(":pw@");
  }

  @Test
  void numericBoundaries() {
    AppConfig c = load(Map.of("PORT", "65535", "HTTP_INSTANCES", "256", "MAX_BODY_BYTES", "536870912",
        "TOKEN_COUNT_MULTIPLIER", "1e-3", "UPSTREAM_IDLE_TIMEOUT_MS", " 1 "));
    assertThat(c.http().port()).isEqualTo(65535);
    assertThat(c.http().instances()).isEqualTo(256);
    assertThat(c.http().maxBodyBytes()).isEqualTo(512 * 1024 * 1024);
    assertThat(c.http().tokenCountMultiplier()).isEqualTo(0.001);
    assertThat(c.upstream().idleTimeoutMs()).isEqualTo(1);

    ConfigException e = failure(Map.of("PORT", "65536", "HTTP_INSTANCES", "257", "MAX_BODY_BYTES", "1023",
        "TOKEN_COUNT_MULTIPLIER", "1e999"));
    assertThat(e.problems()).containsExactly(
        "PORT: '65536' must be between 0 and 65535 (from environment)",
        "HTTP_INSTANCES: '257' must be between 1 and 256 (from environment)",
        "TOKEN_COUNT_MULTIPLIER: '1e999' must be a finite number (from environment)",
        "MAX_BODY_BYTES: '1023' must be between 1024 (1 KiB) and 536870912 (512 MiB) (from environment)");

    assertThat(failure(Map.of("TOKEN_COUNT_MULTIPLIER", "0")).problems())
        .containsExactly("TOKEN_COUNT_MULTIPLIER: '0' must be greater than 0 (from environment)");
  }

  @Test
  void proxyUrlsMayCarryCredentialsButErrorsMaskThem() {
    AppConfig ok = load(Map.of("HTTP_PROXY", "http://alice:s3cret@proxy.example.com:3128",
        "DATABASE_URL", "jdbc:postgresql://db/q?user=q&password=dbpass"));
    assertThat(ok.upstream().httpProxy()).isEqualTo("http://alice:s3cret@proxy.example.com:3128");

    ConfigException e = failure(Map.of("HTTP_PROXY", "alice:s3cret@proxy.example.com:3128",
        "DATABASE_URL", "postgres://bob:dbpass@db/q?sslmode=maybe"));
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(1)).contains("sslmode 'maybe' is not one of");
    assertThat(e.getMessage()).doesNotContain("s3cret").doesNotContain("dbpass").doesNotContain("alice")
        .contains("'***@proxy.example.com:3128'").contains("'postgres://***@db/q?sslmode=maybe'");
  }

  @Test
  void underscoreHostAndBadPortAreRejected() {
    ConfigException e = failure(Map.of("HTTP_PROXY", "http://my_proxy:3128",
        "AMAZONQ_ENDPOINT", "https://q.example.com:70000/", "AMAZONQ_START_URL", "view.awsapps.com/start"));
    assertThat(e.problems()).containsExactly(
        "HTTP_PROXY: 'http://my_proxy:3128' has no valid host name (from environment)",
        "AMAZONQ_ENDPOINT: 'https://q.example.com:70000/' has a port outside 1..65535 (from environment)",
        "AMAZONQ_START_URL: 'view.awsapps.com/start' is not an absolute URL; expected http://... or https://..."
            + " (from environment)");
  }

  @Test
  void failureIsDeliveredThroughTheFutureNotThrown(VertxTestContext ctx) {
    Future<AppConfig> f = ConfigLoader.load(vertx, dir, Map.of("PORT", "x"));
    f.onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertThat(err).isInstanceOf(ConfigException.class).hasMessageContaining("PORT: 'x' is not an integer");
      ctx.completeNow();
    })));
  }

  @Test
  void loadsFromAnEventLoopContextToo(VertxTestContext ctx) {
    vertx.runOnContext(v -> ConfigLoader.load(vertx, dir, Map.of("PORT", "1"))
        .onComplete(ctx.succeeding(c -> ctx.verify(() -> {
          assertThat(c.http().port()).isEqualTo(1);
          ctx.completeNow();
        }))));
  }

  // ------------------------------------------------------------------ shipped example

  @Test
  void secretsKeysMustBe32BytesOfBase64AndAreNeverEchoed() {
    String valid = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    String urlSafe = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
    AppConfig c = load(Map.of("SECRETS_KEY", valid, "SECRETS_KEY_PREVIOUS", urlSafe));
    assertThat(c.pool().secretsKey()).isEqualTo(valid);
    assertThat(c.pool().secretsKeyPrevious()).isEqualTo(urlSafe);
    assertThat(c.describe()).contains("secretsKey=set").doesNotContain(valid);
    assertThat(c.pool().toString()).doesNotContain(valid).doesNotContain(urlSafe);

    String short16 = java.util.Base64.getEncoder().encodeToString("0123456789abcdef".getBytes());
    ConfigException e = failure(Map.of("SECRETS_KEY", short16, "SECRETS_KEY_PREVIOUS", "not base64 at all!"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("SECRETS_KEY: ").contains("16 bytes")
        .contains("exactly 32"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("SECRETS_KEY_PREVIOUS: ").contains("base64"));
    assertThat(e.getMessage()).doesNotContain(short16).doesNotContain("not base64 at all");

    ConfigException previousAlone = failure(Map.of("SECRETS_KEY_PREVIOUS", valid));
    assertThat(previousAlone.problems()).singleElement().asString().startsWith("SECRETS_KEY_PREVIOUS: ")
        .contains("SECRETS_KEY is not");
  }

  @Test
  void auditRetentionIsAtLeastADay() {
    assertThat(load(Map.of()).admin().auditRetentionDays()).isEqualTo(90);
    assertThat(load(Map.of("AUDIT_RETENTION_DAYS", "7")).admin().auditRetentionDays()).isEqualTo(7);
    assertThat(failure(Map.of("AUDIT_RETENTION_DAYS", "0")).problems()).singleElement().asString()
        .startsWith("AUDIT_RETENTION_DAYS: ");
  }

  /** Uncommenting the first "# KEY: value" line of each key in the example yields the defaults. */
  @Test
  void shippedExampleDocumentsEveryKeyWithItsDefault() throws IOException {
    Path example = Path.of("conf/config.yaml.example");
    assertThat(Path.of("conf/config.yaml")).doesNotExist();
    String text = Files.readString(example);
    Pattern setting = Pattern.compile("(?m)^# ([A-Z_]+):(.*)$");
    StringBuilder uncommented = new StringBuilder();
    Matcher m = setting.matcher(text);
    java.util.Set<String> seen = new java.util.HashSet<>();
    while (m.find()) {
      if (seen.add(m.group(1)) && !m.group(1).equals("HTTP_INSTANCES")) {
        uncommented.append(m.group(1)).append(':').append(m.group(2)).append('\n');
      }
    }
    for (ConfigKey key : ConfigKey.values()) {
      assertThat(seen).as("example documents %s", key).contains(key.name());
    }
    write("conf/config.yaml", uncommented.toString());
    assertThat(load(Map.of())).isEqualTo(defaults());
    assertThat(warnings()).isEmpty();
  }
}
