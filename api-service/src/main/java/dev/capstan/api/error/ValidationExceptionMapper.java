package dev.capstan.api.error;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.stream.Collectors;

/** Bean Validation failures → 400 {@code validation_failed}, naming each bad field. */
@Provider
public class ValidationExceptionMapper implements ExceptionMapper<ConstraintViolationException> {
  @Override
  public Response toResponse(ConstraintViolationException e) {
    String detail =
        e.getConstraintViolations().stream()
            .map(ValidationExceptionMapper::describe)
            .sorted()
            .collect(Collectors.joining("; "));
    return Problems.response(400, "validation_failed", "Invalid request", detail);
  }

  private static String describe(ConstraintViolation<?> v) {
    String path = v.getPropertyPath().toString();
    String field = path.substring(path.lastIndexOf('.') + 1);
    return field + " " + v.getMessage();
  }
}
