package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/** Bodies of {@code /api/v1/webhooks}. */
public final class WebhookMessages {
  /** Header of every delivery: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}. */
  public static final String SIGNATURE_HEADER = "Capstan-Signature";

  public static final String EVENT_HEADER = "Capstan-Event";
  public static final String DELIVERY_HEADER = "Capstan-Delivery";
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";

  private WebhookMessages() {}

  public record CreateWebhookRequest(
      @NotBlank @Size(max = 2000) String url, @NotEmpty @Size(max = 10) List<String> events) {}

  /** {@code secret} is present only in the answer to the creation: store it then. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WebhookView(
      String id, String url, List<String> events, String secret, Instant createdAt) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeliveryView(
      String id,
      String eventKey,
      String eventType,
      String status,
      int attempts,
      Integer lastStatusCode,
      String lastError,
      Instant nextAttemptAt,
      Instant createdAt,
      Instant deliveredAt) {}

  /** The JSON body a receiver gets. */
  public record WebhookEvent(String id, String type, Instant createdAt, Object data) {}
}
