package io.qbridge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * There is no Docker engine in CI, so the deployment files are checked for what can be checked
 * without one: the compose file parses, every host path it mounts or builds from exists, the nginx
 * config it mounts is the one {@code NginxSseTest} runs, and the Dockerfile keeps its promises
 * (multi-stage, non-root, health check, data volume).
 */
class DeploymentFilesTest {

  private static final Path COMPOSE = Path.of("docker-compose.yml");
  private static final Path DOCKERFILE = Path.of("Dockerfile");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws IOException {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(COMPOSE));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) throws IOException {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    assertThat(services).containsKey(name);
    return (Map<String, Object>) services.get(name);
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeServesQbridgeBehindTheTestedNginxConfig() throws IOException {
    Map<String, Object> qbridge = service("qbridge");
    assertThat(qbridge.get("build")).isEqualTo(".");
    assertThat(qbridge).containsKeys("healthcheck", "restart", "env_file");
    assertThat(String.valueOf(qbridge.get("env_file"))).contains(".env");
    assertThat((List<Object>) qbridge.get("volumes")).anySatisfy(v -> assertThat(String.valueOf(v)).startsWith("qbridge-data:"));

    Map<String, Object> nginx = service("nginx");
    // nginx shares qbridge's network namespace so the tested file's "127.0.0.1:8000" is qbridge
    assertThat(nginx.get("network_mode")).isEqualTo("service:qbridge");
    assertThat((List<Object>) nginx.get("volumes"))
        .contains("./conf/nginx/qbridge.conf:/etc/nginx/conf.d/default.conf:ro");
    assertThat(nginx).containsKeys("healthcheck", "restart");
    assertThat(Files.readString(Path.of("conf/nginx/qbridge.conf"))).contains("server 127.0.0.1:8000;");
    assertThat(Files.readString(Path.of("src/test/java/io/qbridge/e2e/NginxSseTest.java")))
        .contains("conf/nginx/qbridge.conf");
  }

  @Test
  @SuppressWarnings("unchecked")
  void scaleProfileRunsTwoInstancesOnOnePostgresBehindRoundRobin() throws IOException {
    assertThat(service("qbridge")).doesNotContainKey("profiles"); // "docker compose up" stays the single instance
    assertThat(service("nginx")).doesNotContainKey("profiles");
    for (String name : List.of("postgres", "qbridge-a", "qbridge-b", "nginx-scale")) {
      assertThat((List<Object>) service(name).get("profiles")).as(name).containsExactly("scale");
    }
    assertThat(String.valueOf(service("postgres").get("image"))).startsWith("postgres:");
    String conf = Files.readString(Path.of("conf/nginx/qbridge-scale.conf"));
    for (String name : List.of("qbridge-a", "qbridge-b")) {
      Map<String, Object> instance = service(name);
      assertThat(instance.get("build")).isEqualTo(".");
      assertThat(instance).containsKeys("healthcheck", "restart", "env_file", "depends_on");
      assertThat(instance).doesNotContainKey("ports"); // reached through nginx only
      String url = String.valueOf(((Map<String, Object>) instance.get("environment")).get("DATABASE_URL"))
          .replace("${POSTGRES_PASSWORD:-change-me}", "pw");
      assertThat(io.qbridge.store.DatabaseUrl.parse(url).engine()).isEqualTo(io.qbridge.store.Engine.POSTGRES);
      assertThat(io.qbridge.store.DatabaseUrl.parse(url).displayName()).isEqualTo("postgres://qbridge@postgres:5432/qbridge");
      assertThat(conf).contains("server " + name + ":8000");
    }
    assertThat((List<Object>) service("nginx-scale").get("volumes"))
        .contains("./conf/nginx/qbridge-scale.conf:/etc/nginx/conf.d/default.conf:ro");
    // the scale conf is the tested single-instance server block with another upstream
    String single = Files.readString(Path.of("conf/nginx/qbridge.conf"));
    for (String directive : List.of("proxy_buffering off;", "proxy_request_buffering off;", "gzip off;",
        "proxy_read_timeout 3600s;", "proxy_http_version 1.1;", "proxy_set_header Connection \"\";",
        "client_max_body_size 32m;", "keepalive 64;")) {
      assertThat(single).contains(directive);
      assertThat(conf).as(directive).contains(directive);
    }
  }

  @Test
  void everyHostPathTheComposeFileNamesExists() throws IOException {
    assertThat(Files.exists(DOCKERFILE)).isTrue();
    List<String> hostPaths = new ArrayList<>();
    Matcher m = Pattern.compile("(\\./[^:\\s\"]+):").matcher(Files.readString(COMPOSE));
    while (m.find()) hostPaths.add(m.group(1));
    assertThat(hostPaths).isNotEmpty();
    for (String p : hostPaths) assertThat(Path.of(p)).as("mounted path %s", p).exists();
    @SuppressWarnings("unchecked")
    Map<String, Object> volumes = (Map<String, Object>) compose().get("volumes");
    assertThat(volumes).containsKeys("qbridge-data", "qbridge-pg");
  }

  @Test
  void dockerfileIsMultiStageNonRootWithHealthCheckAndDataVolume() throws IOException {
    String file = Files.readString(DOCKERFILE);
    assertThat(Pattern.compile("(?m)^FROM ").matcher(file).results().count()).isGreaterThanOrEqualTo(2);
    assertThat(file).containsPattern("(?m)^USER (?!root)\\S+");
    assertThat(file).containsPattern("(?m)^EXPOSE 8000");
    assertThat(file).containsPattern("(?m)^HEALTHCHECK .*\\n?.*/healthz");
    assertThat(file).containsPattern("(?m)^VOLUME /data");
    assertThat(file).contains("DATABASE_URL=jdbc:sqlite:/data/");
    // every COPY source of the build context exists
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(file);
    while (copy.find()) assertThat(Path.of(copy.group(1))).as("COPY source %s", copy.group(1)).exists();
    assertThat(Files.readString(Path.of(".dockerignore"))).contains("target/");
    // what the pom bundles into the jar from the top level (templates, the console) must reach the build stage
    Matcher bundled = Pattern.compile("<include>([\\w-]+)/\\*\\*</include>").matcher(Files.readString(Path.of("pom.xml")));
    int folders = 0;
    while (bundled.find()) {
      folders++;
      assertThat(file).as("the build stage copies %s/", bundled.group(1)).containsPattern("(?m)^COPY " + bundled.group(1) + " ");
    }
    assertThat(folders).isGreaterThanOrEqualTo(2);
  }
}
