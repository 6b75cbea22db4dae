package io.qbridge.convert;

import static io.qbridge.convert.RequestFields.requireString;

import io.qbridge.convert.Conversation.Image;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;

/**
 * Image data URLs (OpenAI's {@code image_url} parts, the Responses API's {@code input_image}) →
 * Amazon Q images (protocol doc §2.7). Only inline
 * {@code data:image/...;base64,} URLs work: Amazon Q cannot fetch URLs and qbridge does not fetch
 * them for it (no outbound requests chosen by clients).
 */
public final class DataUrlImages {

  private static final Set<String> FORMATS = Set.of("png", "jpeg", "gif", "webp");

  private DataUrlImages() {}

  /** @param raw the part's {@code image_url} value (an object with {@code url}, or the URL string some clients send) */
  public static Image fromDataUrl(Object raw, String p) {
    String url;
    String urlPath;
    if (raw instanceof String s) {
      url = s;
      urlPath = p;
    } else if (raw instanceof JsonObject o) {
      urlPath = p + ".url";
      url = requireString(o, "url", urlPath);
    } else {
      throw GatewayException.badRequest(p + ": field required and must be an object with a url");
    }
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      throw GatewayException.badRequest(urlPath + ": http(s) image URLs are not supported because Amazon Q cannot fetch them;"
          + " send the image inline as a data URL (data:image/png;base64,...)");
    }
    int comma = url.indexOf(',');
    if (!lower.startsWith("data:") || comma < 0) throw GatewayException.badRequest(urlPath + ": must be a data URL (data:image/png;base64,...)");
    String[] header = lower.substring(5, comma).split(";");
    if (!header[header.length - 1].equals("base64")) throw GatewayException.badRequest(urlPath + ": the data URL must be base64-encoded");
    String mime = header[0];
    String format = mime.startsWith("image/") ? mime.substring(6) : mime;
    if (format.equals("jpg")) format = "jpeg";
    if (!FORMATS.contains(format)) {
      throw GatewayException.badRequest(urlPath + ": image type '" + mime + "' is not supported; use image/png, image/jpeg, image/gif or image/webp");
    }
    String data = url.substring(comma + 1).trim();
    if (data.isEmpty()) throw GatewayException.badRequest(urlPath + ": the data URL holds no image data");
    return new Image(format, data);
  }
}
