package io.qbridge.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogParserTest {

  /** The doc's §5 minimal success. */
  private static final String MINIMAL = """
      {"models":[{"modelId":"claude-sonnet-4.5","modelName":"Claude Sonnet 4.5","tokenLimits":{"maxInputTokens":200000,\
      "maxOutputTokens":64000},"supportedInputTypes":["TEXT","IMAGE"],"rateMultiplier":1.3,"rateUnit":"Credit"}],\
      "defaultModel":{"modelId":"claude-sonnet-4.5"}}""";

  /** The doc's observed Kiro default model (§2.3), plus 4.6 with a 1M window and an oldest-shape model. */
  private static final String OBSERVED = """
      {"models":[{"modelId":"auto","modelName":"Auto","description":"Models chosen by task","rateMultiplier":1.0,\
      "rateUnit":"Credit","supportedInputTypes":["TEXT","IMAGE"],"tokenLimits":{"maxInputTokens":200000,"maxOutputTokens":64000},\
      "promptCaching":{"supportsPromptCaching":true,"minimumTokensPerCacheCheckpoint":1024,"maximumCacheCheckpointsPerRequest":4}},\
      {"modelId":"claude-sonnet-4.6","tokenLimits":{"maxInputTokens":1.0E6,"maxOutputTokens":"64000"}},\
      {"modelId":"claude-3.7-sonnet","modelMetadata":{"maxInputTokens":200000,"supportsImages":true}},\
      {"modelName":"no id"},{"modelId":""},"junk",{"modelId":"deepseek-3.2","tokenLimits":{}}],\
      "defaultModel":{"modelId":"auto","modelName":"Auto"},"nextToken":"cGFnZTI=","unknownKey":[1,2]}""";

  @Test
  void minimalSample() {
    ModelCatalogParser.Page page = ModelCatalogParser.parsePage(new JsonObject(MINIMAL));
    assertThat(page.models()).containsExactly(new ModelInfo("claude-sonnet-4.5", "Claude Sonnet 4.5", 200_000, 64_000));
    assertThat(page.defaultModel().id()).isEqualTo("claude-sonnet-4.5");
    assertThat(page.nextToken()).isNull();
  }

  @Test
  void observedShapesLeniently() {
    ModelCatalogParser.Page page = ModelCatalogParser.parsePage(new JsonObject(OBSERVED));
    assertThat(page.models()).extracting(ModelInfo::id).containsExactly("auto", "claude-sonnet-4.6", "claude-3.7-sonnet", "deepseek-3.2");
    assertThat(page.models().get(1)).isEqualTo(new ModelInfo("claude-sonnet-4.6", "claude-sonnet-4.6", 1_000_000, 64_000));
    assertThat(page.models().get(2).contextWindow()).isEqualTo(200_000);
    assertThat(page.models().get(2).maxOutput()).isZero();
    assertThat(page.models().get(3).contextWindow()).isZero();
    assertThat(page.nextToken()).isEqualTo("cGFnZTI=");
  }

  @Test
  void missingEverythingIsAnEmptyPage() {
    ModelCatalogParser.Page page = ModelCatalogParser.parsePage(new JsonObject("{\"models\":\"x\",\"defaultModel\":3,\"nextToken\":5}"));
    assertThat(page.models()).isEmpty();
    assertThat(page.defaultModel()).isNull();
    assertThat(page.nextToken()).isNull();
    assertThat(ModelCatalogParser.parsePage(null).models()).isEmpty();
  }

  @Test
  void pageWalkConcatenatesAndKeepsTheFirstDefault() {
    ModelCatalogParser.PageWalk walk = new ModelCatalogParser.PageWalk();
    String next = walk.add(page("t1", "a", "b"), null);
    assertThat(next).isEqualTo("t1");
    assertThat(walk.add(new ModelCatalogParser.Page(List.of(m("b"), m("c")), m("c"), null), "t1")).isNull();
    ModelCatalog c = walk.catalog();
    assertThat(c.ids()).containsExactly("a", "b", "c");
    assertThat(c.defaultModelId()).isEqualTo("a");
    assertThat(c.fetched()).isTrue();
    assertThat(walk.truncated()).isFalse();
  }

  @Test
  void pageWalkStopsOnRepeatedEmptyOrLoopingTokens() {
    ModelCatalogParser.PageWalk repeat = new ModelCatalogParser.PageWalk();
    assertThat(repeat.add(page("t1", "a"), null)).isEqualTo("t1");
    assertThat(repeat.add(page("t1", "b"), "t1")).isNull();

    ModelCatalogParser.PageWalk empty = new ModelCatalogParser.PageWalk();
    assertThat(empty.add(page("", "a"), null)).isNull();

    ModelCatalogParser.PageWalk loop = new ModelCatalogParser.PageWalk();
    assertThat(loop.add(page("t1", "a"), null)).isEqualTo("t1");
    assertThat(loop.add(page("t2", "b"), "t1")).isEqualTo("t2");
    assertThat(loop.add(page("t1", "c"), "t2")).isNull();
    assertThat(loop.catalog().ids()).containsExactly("a", "b", "c");
  }

  @Test
  void pageWalkIsBounded() {
    ModelCatalogParser.PageWalk walk = new ModelCatalogParser.PageWalk(3);
    String token = null;
    int pages = 0;
    do {
      token = walk.add(page("t" + pages, "m" + pages), token);
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(walk.truncated()).isTrue();
  }

  @Test
  void catalogRoundTripsThroughItsStorageForm() {
    ModelCatalog c = ModelCatalogParser.parsePage(new JsonObject(OBSERVED)).models().isEmpty() ? null
        : ModelCatalog.of(ModelCatalogParser.parsePage(new JsonObject(OBSERVED)).models(), "auto", true);
    assertThat(ModelCatalog.fromJson(c.toJson())).isEqualTo(c);
    ModelCatalog without = c.without("auto");
    assertThat(without.has("auto")).isFalse();
    assertThat(without.defaultModelId()).isNull();
    assertThat(c.has("auto")).isTrue();
    assertThat(ModelCatalog.fromJson(new JsonObject("{\"models\":[{\"id\":\"x\",\"contextWindow\":\"big\"},{}],\"fetched\":\"?\"}")))
        .isEqualTo(ModelCatalog.of(List.of(new ModelInfo("x", null, 0, 0)), null, true));
    assertThat(ModelCatalog.fromJson(new JsonObject())).isNull();
  }

  private static ModelCatalogParser.Page page(String next, String... ids) {
    return new ModelCatalogParser.Page(java.util.Arrays.stream(ids).map(ModelCatalogParserTest::m).toList(), m(ids[0]), next);
  }

  private static ModelInfo m(String id) {
    return new ModelInfo(id, null, 0, 0);
  }
}
