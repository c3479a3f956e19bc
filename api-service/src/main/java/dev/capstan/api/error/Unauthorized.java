package dev.capstan.api.error;

/** No valid session, or wrong credentials. */
public final class Unauthorized extends ApiException {
  public Unauthorized(String code, String detail) {
    super(401, code, "Unauthorized", detail);
  }
}
