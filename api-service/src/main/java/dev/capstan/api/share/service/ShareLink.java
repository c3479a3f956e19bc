package dev.capstan.api.share.service;

import java.time.Instant;

/**
 * A share link as the API checks it on every open, detached from the database (what the share-link
 * cache holds). {@code ownerName}: the name shown to link holders.
 */
public record ShareLink(
    String id,
    String code,
    String videoId,
    String userId,
    String ownerName,
    String passwordHash,
    Instant expiresAt) {

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }

  public boolean isProtected() {
    return passwordHash != null;
  }
}
