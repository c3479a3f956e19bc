package dev.capstan.api.error;

/** The request is malformed or breaks a rule the client can fix. */
public final class BadRequest extends ApiException {
  public BadRequest(String code, String detail) {
    super(400, code, "Bad request", detail);
  }
}
