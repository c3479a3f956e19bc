package dev.capstan.cli.upload;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The integrity check of a part without extra signed headers: S3 (and S3Proxy, MinIO, R2) answer a
 * single-part PUT with the MD5 of the bytes they stored as its ETag. A different MD5 means the
 * bytes were damaged on the way, and the part is sent again. An ETag that is not an MD5 (some
 * stores with server-side encryption) cannot be checked and is taken as it is.
 */
public final class PartChecksum {
  private static final Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");

  private PartChecksum() {}

  public static String md5Hex(byte[] data, int length) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(data, 0, length);
      return HexFormat.of().formatHex(md5.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ETag header's value without quotes (or a weak prefix), lower case. */
  public static String normalize(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.trim();
    if (e.startsWith("W/")) {
      e = e.substring(2);
    }
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      e = e.substring(1, e.length() - 1);
    }
    return e.toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether the store's ETag proves it stored other bytes than {@code md5Hex}. */
  public static boolean contradicts(String etag, String md5Hex) {
    String e = normalize(etag);
    return e != null && MD5_HEX.matcher(e).matches() && !e.equals(md5Hex);
  }
}
