package dev.capstan.api.upload;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.Problems;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses bodies that announce a size beyond the limit before a byte of them is read: uploads may
 * be as large as {@code capstan.upload.max-bytes}, every other body (JSON) 1 MiB.
 */
public class RequestSizeFilter {
  static final long JSON_LIMIT = 1024 * 1024;

  @Inject ApiConfig config;

  @ServerRequestFilter(preMatching = true)
  public Response refuseOversizedBodies(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (header == null) {
      return null;
    }
    long length;
    try {
      length = Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return Problems.response(400, "bad_request", "Bad request", "invalid Content-Length");
    }
    long limit = isUpload(request) ? config.upload().maxBytes() : JSON_LIMIT;
    if (length > limit) {
      return Problems.response(
          413,
          "payload_too_large",
          "Payload too large",
          "this request may carry at most " + limit + " bytes; it announced " + length);
    }
    return null;
  }

  private static boolean isUpload(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    MediaType type = request.getMediaType();
    boolean multipart = type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE);
    return ("PUT".equals(request.getMethod()) && path.endsWith("/source"))
        || ("POST".equals(request.getMethod()) && multipart);
  }
}
