package dev.capstan.api.share.service;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/** Share codes: random, URL-safe, unguessable (96 bits by default). */
final class ShareCodes {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{8,32}");

  private ShareCodes() {}

  static String next(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Cheap rejection of anything that cannot be a code, before touching the database. */
  static boolean plausible(String code) {
    return code != null && SHAPE.matcher(code).matches();
  }
}
