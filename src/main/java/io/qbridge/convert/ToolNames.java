package io.qbridge.convert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reversible tool-name shortening: Amazon Q rejects names over 64 characters, so long names are
 * sent as a 54-character prefix, {@code _} and 8 hex digits of their SHA-256 (63 characters), and
 * mapped back when the model calls them. Deterministic, so history and tools agree across turns.
 */
public final class ToolNames {

  public static final int MAX_LENGTH = 64;
  private static final ToolNames NONE = new ToolNames(Map.of());

  private final Map<String, String> toClient;

  private ToolNames(Map<String, String> toClient) {
    this.toClient = toClient;
  }

  public static ToolNames none() { return NONE; }

  /** The name Amazon Q sees for a client tool name. */
  public static String toQ(String clientName) {
    if (clientName.length() <= MAX_LENGTH) return clientName;
    return clientName.substring(0, 54) + "_" + sha256Hex(clientName).substring(0, 8);
  }

  /** The client's tool name for a name the model used. */
  public String toClient(String qName) {
    if (qName == null) return null;
    return toClient.getOrDefault(qName, qName);
  }

  static final class Builder {
    private final Map<String, String> map = new HashMap<>();

    String add(String clientName) {
      String q = toQ(clientName);
      if (!q.equals(clientName)) map.put(q, clientName);
      return q;
    }

    ToolNames build() {
      return map.isEmpty() ? NONE : new ToolNames(Map.copyOf(map));
    }
  }

  private static String sha256Hex(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
