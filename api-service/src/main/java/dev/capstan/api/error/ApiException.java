package dev.capstan.api.error;

/**
 * Base of the domain errors the API answers with problem+json: each carries its HTTP status and a
 * stable code.
 */
public abstract class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final String title;

  protected ApiException(int status, String code, String title, String detail) {
    super(detail);
    this.status = status;
    this.code = code;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String title() {
    return title;
  }
}
