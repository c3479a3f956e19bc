package dev.capstan.api.common;

import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Puts the video a request is about into the logging context ({@code videoId}), next to the {@code
 * traceId}/{@code spanId} that OpenTelemetry adds, so JSON log lines can be joined with the
 * worker's lines for the same video.
 */
public class LogContextFilter {
  static final String VIDEO_ID = "videoId";

  @ServerRequestFilter
  public void videoOfTheRequest(UriInfo uri) {
    String id = uri.getPathParameters().getFirst("id");
    if (id != null && uri.getPath().startsWith("/api/v1/videos/")) {
      MDC.put(VIDEO_ID, id);
    }
  }

  @ServerResponseFilter
  public void forgetIt() {
    MDC.remove(VIDEO_ID);
  }
}
