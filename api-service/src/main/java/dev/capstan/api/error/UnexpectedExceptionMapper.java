package dev.capstan.api.error;

import io.quarkus.logging.Log;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** Anything else is our fault: log it, answer 500 without internals. */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Exception> {
  @Override
  public Response toResponse(Exception e) {
    Log.error("unexpected error", e);
    return Problems.response(
        500, "internal_error", "Internal server error", "the server failed; the error was logged");
  }
}
