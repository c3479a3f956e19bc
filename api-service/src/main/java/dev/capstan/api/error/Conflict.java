package dev.capstan.api.error;

/** The request clashes with the current state (e.g. uploading twice, an email in use). */
public final class Conflict extends ApiException {
  public Conflict(String code, String detail) {
    super(409, code, "Conflict", detail);
  }
}
