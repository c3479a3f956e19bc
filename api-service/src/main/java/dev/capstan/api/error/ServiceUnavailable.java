package dev.capstan.api.error;

/** A dependency (object store, database) is down; the client may retry. */
public final class ServiceUnavailable extends ApiException {
  public ServiceUnavailable(String code, String detail) {
    super(503, code, "Service unavailable", detail);
  }
}
