package io.qbridge.e2e;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Fixture of the OpenAI end-to-end tests: qbridge + emulator with one account, and the OpenAI SDK. */
@ExtendWith(VertxExtension.class)
abstract class OpenAiGatewayTest {

  @TempDir Path dir;
  TestGateway gw;
  OpenAIClient sdk;

  @BeforeEach
  void startGateway(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    sdk = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("k").maxRetries(0).build();
  }

  @AfterEach
  void stopGateway() {
    sdk.close();
    gw.close();
  }
}
