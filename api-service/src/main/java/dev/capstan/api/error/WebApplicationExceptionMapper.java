package dev.capstan.api.error;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;

/**
 * The framework's own errors (unknown path, wrong method, unreadable JSON, unsupported media type)
 * → problem+json, so clients see one error format.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
  private static final Map<Integer, String> CODES =
      Map.of(
          400, "bad_request",
          404, "not_found",
          405, "method_not_allowed",
          406, "not_acceptable",
          411, "length_required",
          413, "payload_too_large",
          415, "unsupported_media_type");

  @Override
  public Response toResponse(WebApplicationException e) {
    Response r = e.getResponse();
    int status = r.getStatus();
    String code = CODES.getOrDefault(status, status >= 500 ? "internal_error" : "bad_request");
    String title = r.getStatusInfo().getReasonPhrase();
    String detail = status == 400 ? "the request body could not be read" : e.getMessage();
    return Problems.response(status, code, title, detail);
  }
}
