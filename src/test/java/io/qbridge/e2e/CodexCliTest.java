package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real Codex CLI ({@code codex exec}, installed by .ci/run into target/codex; skipped where
 * absent) runs a shell tool loop through qbridge: the emulator answers the first turn with an
 * {@code exec_command} call, Codex runs it and sends the output back, the second answer is final.
 * Codex gets a private CODEX_HOME whose only provider is qbridge on 127.0.0.1, so it reaches no other host.
 */
class CodexCliTest extends OpenAiGatewayTest {

  static final Path CODEX = Path.of("target/codex/node_modules/.bin/codex").toAbsolutePath();

  @Test
  void execRunsShellToolLoopThroughQbridge() throws Exception {
    assumeTrue(Files.isExecutable(CODEX), "the Codex CLI is not installed (.ci/run installs it into target/codex)");
    gw.emulator.enqueue(
        Scenario.toolUse("tooluse_qb1", "exec_command", "{\"cmd\":\"echo qbridge-ok > out.txt && cat out.txt\"}"),
        Scenario.text("The file out.txt now says qbridge-ok. QBRIDGE-FINAL"));
    // anything else Codex might ask (none expected) gets a harmless answer rather than a stall
    gw.emulator.setDefaultScenario(Scenario.text("extra"));

    Path home = Files.createDirectories(dir.resolve("codex-home"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(home.resolve("config.toml"), """
        model = "claude-sonnet-4.5"
        model_provider = "qbridge"
        check_for_update_on_startup = false
        web_search = "disabled"

        [model_providers.qbridge]
        name = "qbridge"
        base_url = "%s/v1"
        env_key = "QBRIDGE_KEY"
        wire_api = "responses"
        request_max_retries = 0
        stream_max_retries = 0

        [analytics]
        enabled = false

        [feedback]
        enabled = false

        [otel]
        exporter = "none"
        """.formatted(gw.baseUrl()));

    ProcessBuilder pb = new ProcessBuilder(CODEX.toString(), "exec", "--skip-git-repo-check",
        "--dangerously-bypass-approvals-and-sandbox", "-C", work.toString(),
        "Write qbridge-ok into out.txt using the shell.")
        .directory(work.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(dir.resolve("codex.out").toFile())
        .redirectError(dir.resolve("codex.err").toFile());
    pb.environment().put("CODEX_HOME", home.toString());
    pb.environment().put("QBRIDGE_KEY", "k");
    pb.environment().remove("OPENAI_API_KEY");
    pb.environment().put("NO_PROXY", "*");
    Process codex = pb.start();
    boolean exited = codex.waitFor(120, TimeUnit.SECONDS);
    if (!exited) codex.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    String out = Files.readString(dir.resolve("codex.out"));
    String err = Files.readString(dir.resolve("codex.err"));
    String log = "stdout:\n" + out + "\nstderr:\n" + err;
    assertThat(exited).as(log).isTrue();
    assertThat(codex.exitValue()).as(log).isZero();

    // the command ran in the working dir, and Codex printed the final answer
    assertThat(work.resolve("out.txt")).as(log).hasContent("qbridge-ok");
    assertThat(out).as(log).contains("QBRIDGE-FINAL");

    // ≥ 2 turns went through qbridge; the second carried the command's output back as a tool result
    List<RecordedRequest> turns = gw.emulator.chatRequests();
    assertThat(turns).as(log).hasSizeGreaterThanOrEqualTo(2);
    JsonObject first = userInput(turns.get(0));
    List<String> tools = new ArrayList<>();
    first.getJsonObject("userInputMessageContext").getJsonArray("tools")
        .forEach(t -> tools.add(((JsonObject) t).getJsonObject("toolSpecification").getString("name")));
    assertThat(tools).contains("exec_command");
    JsonArray results = userInput(turns.get(1)).getJsonObject("userInputMessageContext").getJsonArray("toolResults");
    assertThat(results).as(turns.get(1).rawBody()).hasSize(1);
    JsonObject result = results.getJsonObject(0);
    assertThat(result.getString("toolUseId")).isEqualTo("tooluse_qb1");
    assertThat(result.encode()).contains("qbridge-ok");
  }

  static JsonObject userInput(RecordedRequest r) {
    return r.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
  }
}
