package dev.capstan.api.error;

/** The thing does not exist, or the caller may not know it does. */
public final class NotFound extends ApiException {
  public NotFound(String what) {
    super(404, "not_found", "Not found", what + " was not found");
  }
}
