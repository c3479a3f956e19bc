package dev.capstan.api.error;

/** The upload is bigger than the configured limit. */
public final class PayloadTooLarge extends ApiException {
  public PayloadTooLarge(long limitBytes) {
    super(
        413,
        "payload_too_large",
        "Payload too large",
        "uploads are limited to " + limitBytes + " bytes");
  }
}
