package dev.capstan.api.webhook.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.event.VideoEventHub;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.webhook.persistence.WebhookDeliveryEntity;
import dev.capstan.api.webhook.persistence.WebhookEntity;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.WebhookMessages.CreateWebhookRequest;
import dev.capstan.model.api.WebhookMessages.DeliveryView;
import dev.capstan.model.api.WebhookMessages.WebhookEvent;
import dev.capstan.model.api.WebhookMessages.WebhookView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Webhook endpoints of a user, and the capture of video events into deliveries. Every API instance
 * sees every event (Redis pub/sub); the unique (webhook, event key) index makes exactly one
 * delivery of it, whichever instance inserts first.
 */
@ApplicationScoped
public class WebhookService {
  /** Events a webhook may subscribe to. */
  public static final Set<String> EVENTS =
      Set.of(
          VideoEventType.READY.wireName(),
          VideoEventType.FAILED.wireName(),
          VideoEventType.RENDITION_READY.wireName(),
          VideoEventType.DELETED.wireName());

  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject SecretBox secrets;
  @Inject WebhookTargets targets;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject VideoEventHub hub;
  @Inject ObjectMapper json;

  void captureEvents(@Observes StartupEvent ignored) {
    hub.listenToAll(this::captureFromBus);
  }

  public WebhookView create(String userId, CreateWebhookRequest request) {
    for (String e : request.events()) {
      if (!EVENTS.contains(e)) {
        throw new BadRequest("unknown_event", e + " is not one of " + EVENTS);
      }
    }
    String url = targets.check(request.url()).toString();
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    String sealed = secrets.seal(secret);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              WebhookEntity w = new WebhookEntity();
              w.userId = userId;
              w.url = url;
              w.events = String.join(",", request.events().stream().distinct().toList());
              w.secretEncrypted = sealed;
              w.createdAt = now();
              w.persist();
              return new WebhookView(w.id, w.url, w.eventList(), secret, w.createdAt);
            });
  }

  @ToleratesLag
  public List<WebhookView> list(String userId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                WebhookEntity.ofUser(userId).stream()
                    .map(w -> new WebhookView(w.id, w.url, w.eventList(), null, w.createdAt))
                    .toList());
  }

  public void delete(String userId, String webhookId) {
    QuarkusTransaction.requiringNew().run(() -> owned(userId, webhookId).delete());
  }

  @ToleratesLag
  public Page<DeliveryView> deliveries(
      String userId, String webhookId, Integer limit, String cursor) {
    int size = Cursor.limit(limit);
    Cursor after = Cursor.parse(cursor);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              owned(userId, webhookId);
              return Keyset.page(
                  WebhookDeliveryEntity.logPage(webhookId, after, size + 1),
                  size,
                  d -> new Cursor(d.createdAt, d.id),
                  page -> page.stream().map(WebhookService::view).toList());
            });
  }

  /** Sends a delivery again now, whatever became of it (the receiver lost it, or it gave up). */
  public DeliveryView redeliver(String userId, String webhookId, String deliveryId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              owned(userId, webhookId);
              WebhookDeliveryEntity d = WebhookDeliveryEntity.findById(deliveryId);
              if (d == null || !d.webhookId.equals(webhookId)) {
                throw new NotFound("delivery");
              }
              d.status = WebhookDeliveryEntity.PENDING;
              d.nextAttemptAt = now();
              d.giveUpAt = now().plus(config.webhooks().giveUpAfter());
              return view(d);
            });
  }

  /**
   * Records deliveries of {@code event} for every webhook of {@code ownerId} that wants it. Runs
   * inside the caller's transaction when there is one (a deletion captures before the row goes).
   */
  public void capture(VideoEvent event, String ownerId, Map<String, Object> video) {
    if (!EVENTS.contains(event.type())) {
      return;
    }
    String key = event.type() + ":" + event.videoId() + ":" + event.at().toEpochMilli();
    Instant now = now();
    String payload;
    try {
      payload =
          json.writeValueAsString(
              new WebhookEvent(key, event.type(), event.at(), Map.of("video", video)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    for (WebhookEntity w : WebhookEntity.ofUser(ownerId)) {
      if (!w.eventList().contains(event.type())) {
        continue;
      }
      WebhookEntity.getEntityManager()
          .createNativeQuery(
              "INSERT IGNORE INTO webhook_deliveries (id, webhook_id, event_key, event_type,"
                  + " payload, status, attempts, next_attempt_at, give_up_at, created_at)"
                  + " VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?6)")
          .setParameter(1, UUID.randomUUID().toString())
          .setParameter(2, w.id)
          .setParameter(3, key)
          .setParameter(4, event.type())
          .setParameter(5, payload)
          .setParameter(6, now)
          .setParameter(7, now.plus(config.webhooks().giveUpAfter()))
          .executeUpdate();
    }
  }

  /** The facts of a video a webhook carries (no presigned URLs: they would expire in retries). */
  public static Map<String, Object> videoFacts(VideoEntity v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id);
    m.put("title", v.title);
    m.put("status", v.status);
    m.put("durationSeconds", v.durationSeconds);
    m.put("width", v.width);
    m.put("height", v.height);
    if (v.errorCode != null) {
      m.put("error", Map.of("code", v.errorCode, "message", String.valueOf(v.errorMessage)));
    }
    return m;
  }

  private void captureFromBus(VideoEvent event) {
    if (!EVENTS.contains(event.type()) || VideoEventType.DELETED.wireName().equals(event.type())) {
      return; // deletions are captured in the deleting transaction, while the row exists
    }
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                VideoEntity v = VideoEntity.findById(event.videoId());
                if (v != null) {
                  capture(event, v.userId, videoFacts(v));
                }
              });
    } catch (RuntimeException e) {
      Log.warnf("webhook capture of %s for %s failed: %s", event.type(), event.videoId(), e);
    }
  }

  private WebhookEntity owned(String userId, String webhookId) {
    WebhookEntity w = WebhookEntity.findById(webhookId);
    if (w == null || !w.userId.equals(userId)) {
      throw new NotFound("webhook");
    }
    return w;
  }

  private static DeliveryView view(WebhookDeliveryEntity d) {
    return new DeliveryView(
        d.id,
        d.eventKey,
        d.eventType,
        d.status,
        d.attempts,
        d.lastStatusCode,
        d.lastError,
        WebhookDeliveryEntity.PENDING.equals(d.status) ? d.nextAttemptAt : null,
        d.createdAt,
        d.deliveredAt);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
