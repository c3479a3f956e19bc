package dev.capstan.api.watch;

import dev.capstan.model.api.ShareMessages;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * How a browser proves it knows a protected link's password: after the share page's form accepted
 * it, an HttpOnly, SameSite=Lax cookie {@code capstan_share_<code>} carries it (base64url) to the
 * page, its live events, its player and its comment box. API clients send {@code X-Share-Password}
 * instead, which wins.
 */
public final class SharePasswords {
  static final String COOKIE_PREFIX = "capstan_share_";

  private SharePasswords() {}

  public static String of(String code, HttpHeaders headers) {
    String header = headers.getHeaderString(ShareMessages.PASSWORD_HEADER);
    if (header != null && !header.isEmpty()) {
      return header;
    }
    Cookie c = headers.getCookies().get(COOKIE_PREFIX + code);
    if (c == null) {
      return null;
    }
    try {
      return new String(Base64.getUrlDecoder().decode(c.getValue()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static NewCookie cookie(String code, String password, Duration ttl, boolean secure) {
    return new NewCookie.Builder(COOKIE_PREFIX + code)
        .value(
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(password.getBytes(StandardCharsets.UTF_8)))
        .path("/")
        .maxAge((int) ttl.toSeconds())
        .httpOnly(true)
        .secure(secure)
        .sameSite(NewCookie.SameSite.LAX)
        .build();
  }
}
