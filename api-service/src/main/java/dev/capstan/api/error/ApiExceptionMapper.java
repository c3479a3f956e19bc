package dev.capstan.api.error;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Domain errors → problem+json with their own status and code. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {
  @Override
  public Response toResponse(ApiException e) {
    return Problems.response(e.status(), e.code(), e.title(), e.getMessage());
  }
}
