package dev.capstan.api.error;

import dev.capstan.model.api.Problem;
import jakarta.ws.rs.core.Response;

/** Builds problem+json responses. */
public final class Problems {
  private Problems() {}

  public static Response response(int status, String code, String title, String detail) {
    Response.ResponseBuilder b =
        Response.status(status)
            .type(Problem.MEDIA_TYPE)
            .entity(Problem.of(status, code, title, detail));
    if (status == 401) {
      b.header("WWW-Authenticate", "Bearer realm=\"capstan\"");
    }
    return b.build();
  }
}
