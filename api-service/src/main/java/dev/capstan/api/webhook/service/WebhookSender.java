package dev.capstan.api.webhook.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.webhook.persistence.WebhookDeliveryEntity;
import dev.capstan.api.webhook.persistence.WebhookEntity;
import dev.capstan.model.api.WebhookMessages;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Relays the webhook outbox into deliveries, then sends due deliveries. Each batch is claimed with
 * {@code FOR UPDATE SKIP LOCKED} and pushed a little into the future before sending, so several API
 * instances never send the same delivery at once. Failures back off exponentially (with jitter)
 * until the delivery is a day old.
 */
@ApplicationScoped
public class WebhookSender {
  private static final int BATCH = 20;
  private static final Duration MAX_BACKOFF = Duration.ofHours(1);

  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject SecretBox secrets;
  @Inject WebhookTargets targets;
  @Inject WebhookService webhooks;

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @Scheduled(
      every = "${capstan.webhooks.send-every}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sendDue() {
    try {
      while (webhooks.relayOutbox() > 0) {
        // Drain what the workers captured, a batch per transaction.
      }
    } catch (RuntimeException e) {
      Log.warnf("webhook outbox not relayed (the next run retries): %s", e.getMessage());
    }
    if (!secrets.enabled()) {
      return;
    }
    for (String id : claimDue()) {
      send(id);
    }
  }

  @SuppressWarnings("unchecked")
  private List<String> claimDue() {
    Instant now = now();
    Instant lease = now.plus(config.webhooks().timeout().multipliedBy(3));
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              List<String> ids =
                  WebhookDeliveryEntity.getEntityManager()
                      .createNativeQuery(
                          "SELECT id FROM webhook_deliveries WHERE status = 'pending'"
                              + " AND next_attempt_at <= ?1 ORDER BY next_attempt_at"
                              + " LIMIT "
                              + BATCH
                              + " FOR UPDATE SKIP LOCKED")
                      .setParameter(1, now)
                      .getResultList();
              if (!ids.isEmpty()) {
                WebhookDeliveryEntity.update("nextAttemptAt = ?1 where id in ?2", lease, ids);
              }
              return ids;
            });
  }

  private void send(String deliveryId) {
    WebhookDeliveryEntity d =
        QuarkusTransaction.requiringNew().call(() -> WebhookDeliveryEntity.findById(deliveryId));
    WebhookEntity w =
        d == null
            ? null
            : QuarkusTransaction.requiringNew().call(() -> WebhookEntity.findById(d.webhookId));
    if (d == null || w == null) {
      return;
    }
    Integer status = null;
    String error = null;
    try {
      URI target = targets.check(w.url);
      long t = clock.instant().getEpochSecond();
      HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(config.webhooks().timeout())
              .header("Content-Type", "application/json")
              .header("User-Agent", "Capstan-Webhooks/1")
              .header(WebhookMessages.EVENT_HEADER, d.eventType)
              .header(WebhookMessages.DELIVERY_HEADER, d.id)
              .header(WebhookMessages.IDEMPOTENCY_HEADER, d.eventKey)
              .header(
                  WebhookMessages.SIGNATURE_HEADER,
                  WebhookSignature.header(secrets.open(w.secretEncrypted), t, d.payload))
              .POST(HttpRequest.BodyPublishers.ofString(d.payload))
              .build();
      status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status < 200 || status >= 300) {
        error = "receiver answered " + status;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    } catch (Exception e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    record(deliveryId, status, error);
  }

  private void record(String deliveryId, Integer status, String error) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              WebhookDeliveryEntity d = WebhookDeliveryEntity.findById(deliveryId);
              if (d == null) {
                return;
              }
              Instant now = now();
              d.attempts++;
              d.lastStatusCode = status;
              d.lastError = error == null ? null : truncate(error);
              if (error == null) {
                d.status = WebhookDeliveryEntity.DELIVERED;
                d.deliveredAt = now;
                return;
              }
              Instant next = now.plus(backoff(d.attempts));
              if (next.isAfter(d.giveUpAt)) {
                d.status = WebhookDeliveryEntity.FAILED;
                Log.warnf("webhook delivery %s gave up after %d attempts", d.id, d.attempts);
              } else {
                d.nextAttemptAt = next;
              }
            });
  }

  /** 1st retry after firstRetryAfter, doubling, capped at an hour, +-20% jitter. */
  Duration backoff(int attempts) {
    Duration first = config.webhooks().firstRetryAfter();
    long millis = first.toMillis() << Math.min(attempts - 1, 20);
    millis = Math.min(millis, MAX_BACKOFF.toMillis());
    double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
    return Duration.ofMillis((long) (millis * jitter));
  }

  private static String truncate(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
