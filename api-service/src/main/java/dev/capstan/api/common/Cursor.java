package dev.capstan.api.common;

import dev.capstan.api.error.BadRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Position in a list ordered by (created_at, id), newest first: the last row a page returned.
 * Opaque to clients (base64url), so its format may change without breaking them.
 */
public record Cursor(Instant createdAt, String id) {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  public String encode() {
    String raw = createdAt + "|" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  public static Cursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      if (bar < 0) {
        throw invalid();
      }
      return new Cursor(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw invalid();
    }
  }

  /** The cursor a client sent, or null for the first page. */
  public static Cursor parse(String cursor) {
    return cursor == null || cursor.isBlank() ? null : decode(cursor);
  }

  /** Clamps a requested page size to 1..{@link #MAX_LIMIT}. */
  public static int limit(Integer requested) {
    if (requested == null) {
      return DEFAULT_LIMIT;
    }
    if (requested < 1 || requested > MAX_LIMIT) {
      throw new BadRequest("invalid_limit", "limit must be between 1 and " + MAX_LIMIT);
    }
    return requested;
  }

  private static BadRequest invalid() {
    return new BadRequest("invalid_cursor", "the cursor is not one this API returned");
  }
}
