package io.qbridge.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address or CIDR range written as a literal ({@code 10.0.0.5}, {@code 10.0.0.0/8},
 * {@code ::1}, {@code fd00::/8}), as TRUSTED_PROXIES holds them. Parsing never resolves names: a
 * host name is an error, not a DNS lookup. IPv4-mapped IPv6 peers ({@code ::ffff:10.0.0.5}) match
 * IPv4 ranges, because that is how a dual-stack socket reports an IPv4 client.
 */
public record AddressRange(byte[] network, int prefixBits) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

  /** The range, or an {@link IllegalArgumentException} saying what is wrong. */
  public static AddressRange parse(String text) {
    String problem = problem(text);
    if (problem != null) throw new IllegalArgumentException(problem);
    int slash = text.indexOf('/');
    byte[] address = literal(slash < 0 ? text : text.substring(0, slash));
    int bits = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
    return new AddressRange(address, bits);
  }

  /** Null when {@code text} is a valid literal address or range, else why not. */
  public static String problem(String text) {
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    if (!IPV4.matcher(host).matches() && !(host.contains(":") && IPV6.matcher(host).matches())) {
      return "is not an IP address or CIDR range (host names are not accepted)";
    }
    byte[] address = literal(host);
    if (address == null) return "is not a valid IP address";
    if (slash >= 0) {
      String bits = text.substring(slash + 1);
      if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > address.length * 8) {
        return "has an invalid prefix length";
      }
    }
    return null;
  }

  /** True when {@code address} (a literal, as a socket reports it) lies in this range. */
  public boolean contains(String address) {
    if (address == null) return false;
    String host = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    if (!IPV4.matcher(host).matches() && !(host.contains(":") && IPV6.matcher(host).matches())) return false;
    byte[] candidate = literal(host);
    if (candidate == null) return false;
    if (candidate.length == 16 && network.length == 4 && isMappedV4(candidate)) {
      candidate = java.util.Arrays.copyOfRange(candidate, 12, 16);
    }
    if (candidate.length != network.length) return false;
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) return false;
    }
    int rest = prefixBits % 8;
    if (rest == 0) return true;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (candidate[full] & mask) == (network[full] & mask);
  }

  private static boolean isMappedV4(byte[] a) {
    for (int i = 0; i < 10; i++) if (a[i] != 0) return false;
    return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
  }

  /** Bytes of an already syntax-checked literal; InetAddress does no lookup for literals. */
  private static byte[] literal(String host) {
    if (IPV4.matcher(host).matches()) {
      for (String octet : host.split("\\.")) if (Integer.parseInt(octet) > 255) return null;
    }
    try {
      // a literal (checked above) is parsed, never looked up; "::ffff:1.2.3.4" comes back as IPv4
      return InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
