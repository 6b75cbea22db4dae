package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: bad input never gives a 5xx. A seeded stream of bodies (invalid JSON, wrong types at
 * every field of both request shapes and the admin one, deep nesting, huge strings, unicode
 * garbage, every content type, 50 MB) against the real gateway with the emulator upstream: no
 * answer is 5xx, and every answer comes in its route's own shape. Bodies that pass validation
 * reach the emulator and are answered normally. The blocked-thread checker watches throughout.
 */
@ExtendWith(VertxExtension.class)
class RequestBodyFuzzTest {

  static final String MESSAGES = "/v1/messages";
  static final String COUNT_TOKENS = "/v1/messages/count_tokens";
  static final String CHAT = "/v1/chat/completions";
  static final String ACCOUNTS = "/v2/accounts";
  static final String[] ROUTES = {MESSAGES, COUNT_TOKENS, CHAT, ACCOUNTS};

  static final String[] CONTENT_TYPES = {
      "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=----fuzz", "text/plain", null, "application/octet-stream", "garbage/+;;=",
      "application/json; charset=latin-9"};

  static final JsonObject CLAUDE = new JsonObject("""
      {"model":"claude-sonnet-4-5","max_tokens":64,"stream":false,"system":"be brief","stop_sequences":["STOP"],
       "thinking":{"type":"enabled","budget_tokens":1024},"temperature":0.5,"metadata":{"user_id":"u"},
       "tools":[{"name":"read","description":"reads","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}],
       "tool_choice":{"type":"auto"},
       "messages":[{"role":"user","content":"hi"},
         {"role":"assistant","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"tu1","name":"read","input":{"path":"a"}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"data"},
           {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
           {"type":"text","text":"more"}]}]}""");
  static final JsonObject OPENAI = new JsonObject("""
      {"model":"gpt-4o","max_tokens":64,"stream":false,"stop":["STOP"],"n":1,"reasoning_effort":"low",
       "stream_options":{"include_usage":true},"response_format":{"type":"json_object"},"tool_choice":"auto",
       "tools":[{"type":"function","function":{"name":"read","description":"reads","parameters":{"type":"object"}}}],
       "messages":[{"role":"system","content":"be brief"},
         {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
         {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"read","arguments":"{\\"path\\":1}"}}]},
         {"role":"tool","tool_call_id":"c1","content":"data"}]}""");
  static final JsonObject ADMIN = new JsonObject("""
      {"label":"fuzz","clientId":"c","clientSecret":"s","refreshToken":"r","accessToken":"a","enabled":false,"other":{"k":1}}""");

  @TempDir static Path dir;
  static TestGateway gw;

  @BeforeAll
  static void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  record Case(String route, String what, Buffer body, String contentType) {}

  @Test
  void noBodyGetsA5xxAndEveryAnswerHasItsRoutesShape() {
    long seed = Long.getLong("qbridge.seed", 2026);
    System.out.println("RequestBodyFuzzTest seed " + seed + " (-Dqbridge.seed=… to vary)");
    Random rnd = new Random(seed);
    List<Case> cases = cases(rnd);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(2000);
    List<String> failures = new ArrayList<>();
    int[] byStatus = new int[6];
    for (Case c : cases) {
      TestGateway.Response r = gw.request(HttpMethod.POST, c.route(), c.body(), c.contentType());
      byStatus[r.status() / 100]++;
      String problem = problem(c.route(), r);
      if (problem != null && failures.size() < 20) {
        failures.add(c.route() + " " + c.what() + " [" + c.contentType() + ", " + c.body().length() + " bytes] -> "
            + r.status() + " " + problem + ": " + abbreviate(r.body().toString()));
      }
    }
    System.out.printf("%d bodies: 2xx %d, 4xx %d, 5xx %d%n", cases.size(), byStatus[2], byStatus[4], byStatus[5]);
    assertThat(failures).as("seed %d", seed).isEmpty();
    assertThat(byStatus[5]).isZero();
  }

  // ------------------------------------------------------------------ what each route must answer

  /** Why the answer is wrong for its route, or null when it is right. */
  static String problem(String route, TestGateway.Response r) {
    if (r.status() >= 500) return "5xx";
    String type = r.headers().get("content-type");
    if (type != null && type.startsWith("text/event-stream")) { // a fuzzed "stream": true that passed validation
      if (r.status() != 200 || route.equals(ACCOUNTS) || route.equals(COUNT_TOKENS)) return "unexpected stream";
      return r.body().toString().startsWith(route.equals(CHAT) ? "data: {" : "event: message_start") ? null : "wrong stream";
    }
    JsonObject json;
    try {
      json = r.json();
    } catch (RuntimeException e) {
      return "not a JSON object";
    }
    boolean ok = r.status() < 300;
    Predicate<JsonObject> shape = switch (route) {
      case MESSAGES -> j -> ok ? "message".equals(j.getValue("type")) : anthropicError(j);
      case COUNT_TOKENS -> j -> ok ? j.getValue("input_tokens") instanceof Integer : anthropicError(j);
      case CHAT -> j -> ok ? "chat.completion".equals(j.getValue("object")) : openAiError(j);
      default -> j -> ok ? j.getValue("id") instanceof String : adminError(j);
    };
    return shape.test(json) ? null : "wrong shape";
  }

  static boolean anthropicError(JsonObject j) {
    return "error".equals(j.getValue("type")) && j.getValue("error") instanceof JsonObject e
        && e.getValue("type") instanceof String && e.getValue("message") instanceof String;
  }

  static boolean openAiError(JsonObject j) {
    return j.getValue("error") instanceof JsonObject e && e.getValue("type") instanceof String
        && e.getValue("message") instanceof String && e.containsKey("param") && e.containsKey("code");
  }

  static boolean adminError(JsonObject j) {
    return j.size() == 1 && j.getValue("error") instanceof JsonObject e && e.getValue("type") instanceof String
        && e.getValue("message") instanceof String;
  }

  // ------------------------------------------------------------------ the bodies

  static List<Case> cases(Random rnd) {
    List<Case> cases = new ArrayList<>();
    // wrong types at every field of every shape
    for (String route : ROUTES) {
      JsonObject base = switch (route) {
        case CHAT -> OPENAI;
        case ACCOUNTS -> ADMIN;
        default -> CLAUDE;
      };
      cases.add(new Case(route, "valid", base.toBuffer(), "application/json"));
      for (List<Object> path : paths(base, new ArrayList<>(), new ArrayList<>())) {
        for (int i = 0; i < 8; i++) {
          Object wrong = wrongValue(rnd);
          JsonObject mutated = base.copy();
          replace(mutated, path, wrong);
          cases.add(new Case(route, path + " = " + abbreviate(String.valueOf(wrong)), mutated.toBuffer(), contentType(rnd)));
        }
        JsonObject removed = base.copy();
        remove(removed, path);
        cases.add(new Case(route, "without " + path, removed.toBuffer(), contentType(rnd)));
      }
    }
    // garbage of every other kind, on every route
    for (int i = 0; i < 120; i++) {
      for (String route : ROUTES) {
        cases.add(new Case(route, "garbage #" + i, garbage(rnd, route), contentType(rnd)));
      }
    }
    Buffer fiftyMegabytes = Buffer.buffer(new byte[50 * 1024 * 1024]); // one copy, sent to every route
    for (String route : ROUTES) {
      cases.add(new Case(route, "100k [", Buffer.buffer("[".repeat(100_000)), "application/json"));
      cases.add(new Case(route, "100k {\"a\":", Buffer.buffer("{\"a\":".repeat(100_000)), "application/json"));
      cases.add(new Case(route, "deep messages", Buffer.buffer("{\"model\":\"m\",\"messages\":" + "[".repeat(100_000)), null));
      cases.add(new Case(route, "multipart", multipart(), "multipart/form-data; boundary=----fuzz"));
      cases.add(new Case(route, "form", Buffer.buffer("a=b&c=" + "x".repeat(20_000)), "application/x-www-form-urlencoded"));
      cases.add(new Case(route, "50 MB", fiftyMegabytes, contentType(rnd)));
      cases.add(new Case(route, "empty", Buffer.buffer(), contentType(rnd)));
    }
    return cases;
  }

  static String contentType(Random rnd) {
    return CONTENT_TYPES[rnd.nextInt(CONTENT_TYPES.length)];
  }

  /** Every field path of a JSON tree: object keys and array indexes, leaves and containers. */
  static List<List<Object>> paths(Object node, List<Object> prefix, List<List<Object>> out) {
    if (node instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(k);
        out.add(p);
        paths(o.getValue(k), p, out);
      }
    } else if (node instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(i);
        out.add(p);
        paths(a.getValue(i), p, out);
      }
    }
    return out;
  }

  static void replace(Object root, List<Object> path, Object value) {
    Object parent = at(root, path.subList(0, path.size() - 1));
    Object key = path.get(path.size() - 1);
    if (parent instanceof JsonObject o) o.put((String) key, value);
    else ((JsonArray) parent).set((Integer) key, value);
  }

  static void remove(Object root, List<Object> path) {
    Object parent = at(root, path.subList(0, path.size() - 1));
    Object key = path.get(path.size() - 1);
    if (parent instanceof JsonObject o) o.remove((String) key);
    else ((JsonArray) parent).remove((int) (Integer) key);
  }

  static Object at(Object root, List<Object> path) {
    Object node = root;
    for (Object k : path) node = node instanceof JsonObject o ? o.getValue((String) k) : ((JsonArray) node).getValue((Integer) k);
    return node;
  }

  static Object wrongValue(Random rnd) {
    return switch (rnd.nextInt(16)) {
      case 0 -> null;
      case 1 -> rnd.nextInt();
      case 2 -> -1;
      case 3 -> 1e308;
      case 4 -> "";
      case 5 -> "text";
      case 6 -> rnd.nextBoolean();
      case 7 -> new JsonArray();
      case 8 -> new JsonObject();
      case 9 -> new JsonArray().add(1).add("x").addNull();
      case 10 -> new JsonObject().put("type", "unknown").put("x", 1);
      case 11 -> unicodeGarbage(rnd, 1 + rnd.nextInt(200));
      case 12 -> rnd.nextInt(8) == 0 ? "A".repeat(3_000_000) : "lorem ipsum ".repeat(1 + rnd.nextInt(20_000));
      case 13 -> nested(1 + rnd.nextInt(250));
      case 14 -> Long.MAX_VALUE;
      default -> new JsonArray().add(new JsonObject().put("role", "user").put("content", unicodeGarbage(rnd, 50)));
    };
  }

  /** Lone and swapped surrogates, controls, noncharacters, BOMs, RTL marks, combining marks. */
  static String unicodeGarbage(Random rnd, int n) {
    String[] bits = {"\ud800", "\udfff", "\udc00\ud800", "\u0000", "\u001f", "\ufffe", "\uffff", "\ufeff", "\u202e",
        "\u0301\u0301", "😀", "𝒜", "日本", "\r\n", "\\", "\"", "é", "\u2028"};
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) b.append(bits[rnd.nextInt(bits.length)]);
    return b.toString();
  }

  static JsonArray nested(int depth) {
    JsonArray root = new JsonArray();
    JsonArray cur = root;
    for (int i = 1; i < depth; i++) {
      JsonArray next = new JsonArray();
      cur.add(next);
      cur = next;
    }
    return root;
  }

  static Buffer garbage(Random rnd, String route) {
    return switch (rnd.nextInt(10)) {
      case 0 -> { // random bytes, invalid UTF-8 included
        byte[] b = new byte[1 + rnd.nextInt(4096)];
        rnd.nextBytes(b);
        yield Buffer.buffer(b);
      }
      case 1 -> { // a valid body cut short
        String full = (route.equals(CHAT) ? OPENAI : route.equals(ACCOUNTS) ? ADMIN : CLAUDE).encode();
        yield Buffer.buffer(full.substring(0, rnd.nextInt(full.length())));
      }
      case 2 -> Buffer.buffer(new String[] {"null", "0", "-1", "\"s\"", "true", "[]", "[{}]", "1e999", "{}"}[rnd.nextInt(9)]);
      case 3 -> Buffer.buffer("{\"model\":\"" + unicodeGarbage(rnd, 30) + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
          + unicodeGarbage(rnd, 100).replace("\\", "\\\\").replace("\"", "\\\"") + "\"}]}");
      case 4 -> Buffer.buffer("{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\\udc00\\ud800 lone\"}],\"model\":\"m\",\"max_tokens\":5}");
      case 5 -> Buffer.buffer(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '}'}); // BOM
      case 6 -> Buffer.buffer(new byte[] {'{', '"', (byte) 0xc0, (byte) 0xaf, '"', ':', '1', '}'}); // overlong UTF-8
      case 7 -> Buffer.buffer("{\"a\":1}{\"b\":2}");
      case 8 -> Buffer.buffer("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(rnd.nextInt(100_000)) + "\"}],"
          + "\"max_tokens\":" + rnd.nextLong() + "}");
      default -> Buffer.buffer("{\"model\":1e400,\"max_tokens\":" + "9".repeat(2000) + ",\"messages\":[]}");
    };
  }

  static Buffer multipart() {
    String b = "------fuzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"model\":\"m\"}\r\n------fuzz--\r\n";
    return Buffer.buffer(b.getBytes(StandardCharsets.UTF_8));
  }

  static String abbreviate(String s) {
    return s.length() > 160 ? s.substring(0, 160) + "…" : s;
  }
}
