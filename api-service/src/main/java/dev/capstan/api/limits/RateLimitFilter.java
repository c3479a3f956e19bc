package dev.capstan.api.limits;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.error.Problems;
import dev.capstan.api.limits.RateLimits.Bucket;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.util.OptionalLong;

/**
 * Counts calls of {@link RateLimited} endpoints against the caller's budget; past it answers 429
 * {@code rate_limited} with {@code Retry-After}. Runs after authentication.
 */
@Provider
@RateLimited
@Priority(Priorities.AUTHORIZATION)
public class RateLimitFilter implements ContainerRequestFilter {
  @Inject RateLimits limits;
  @Inject CurrentUser currentUser;

  @Override
  public void filter(ContainerRequestContext request) {
    Bucket bucket = bucketOf(request.getUriInfo().getPath());
    OptionalLong retryAfter = limits.tryTake(bucket, currentUser.id());
    if (retryAfter.isPresent()) {
      String detail =
          "at most "
              + limits.permitsOf(bucket)
              + " "
              + bucket.name().toLowerCase().replace('_', ' ')
              + " per "
              + limits.window();
      request.abortWith(
          Response.fromResponse(Problems.response(429, "rate_limited", "Too many requests", detail))
              .header("Retry-After", retryAfter.getAsLong())
              .build());
    }
  }

  /** The budget an endpoint spends from, by what it does. */
  private static Bucket bucketOf(String path) {
    if (path.endsWith("/comments")) {
      return Bucket.COMMENTS;
    }
    if (path.endsWith("/shares")) {
      return Bucket.SHARES;
    }
    if (path.endsWith("/source") || path.endsWith("/uploads")) {
      return Bucket.UPLOADS;
    }
    return Bucket.VIDEO_CREATES;
  }
}
