package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 7807 {@code application/problem+json} body. {@code code} is stable and machine-readable;
 * {@code type} is a URI built from it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type, String title, int status, String detail, String code, String instance) {

  public static final String MEDIA_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://capstan.dev/problems/";

  public static Problem of(int status, String code, String title, String detail) {
    return new Problem(TYPE_BASE + code, title, status, detail, code, null);
  }
}
