package dev.capstan.api.event;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEvents;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Video events of the whole installation, from Redis pub/sub: this instance subscribes once and
 * hands each event to its local listeners of that video (SSE clients). Whichever instance or worker
 * published an event, every instance's clients see it.
 */
@ApplicationScoped
public class VideoEventHub {
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  private final Map<String, Set<Consumer<VideoEvent>>> listeners = new ConcurrentHashMap<>();
  private final Set<Consumer<VideoEvent>> everything = ConcurrentHashMap.newKeySet();
  private volatile int subscription = -1;

  void subscribe(@Observes StartupEvent ignored) {
    try {
      subscription = topic().addListener(String.class, (channel, json) -> dispatch(json));
    } catch (RuntimeException e) {
      // Redisson re-subscribes on reconnect; without Redis at start, events wait for it.
      Log.warnf("not subscribed to video events yet: %s", e.getMessage());
    }
  }

  void unsubscribe(@Observes ShutdownEvent ignored) {
    if (subscription >= 0) {
      topic().removeListener(subscription);
    }
  }

  /** Publishes to every instance's listeners (including this one's). Best effort. */
  public void publish(VideoEvent event) {
    try {
      topic().publish(VideoEvents.encode(event));
    } catch (RuntimeException e) {
      Log.warnf("video event %s of %s not published: %s", event.type(), event.videoId(), e);
    }
  }

  /** Registers a listener of one video's events; returns what unregisters it. */
  public Runnable listen(String videoId, Consumer<VideoEvent> listener) {
    listeners.computeIfAbsent(videoId, id -> ConcurrentHashMap.newKeySet()).add(listener);
    return () ->
        listeners.computeIfPresent(
            videoId,
            (id, set) -> {
              set.remove(listener);
              return set.isEmpty() ? null : set;
            });
  }

  /** Registers a listener of every video's events (webhooks); returns what unregisters it. */
  public Runnable listenToAll(Consumer<VideoEvent> listener) {
    everything.add(listener);
    return () -> everything.remove(listener);
  }

  /** Number of live listeners, for metrics and tests. */
  public int listenerCount() {
    return listeners.values().stream().mapToInt(Set::size).sum();
  }

  private void dispatch(String json) {
    VideoEvent event;
    try {
      event = VideoEvents.decode(json);
    } catch (IllegalArgumentException e) {
      Log.debugf("ignored a message that is not a video event: %s", e.getMessage());
      return;
    }
    for (Consumer<VideoEvent> l : everything) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        Log.warnf(e, "listener failed on %s of %s", event.type(), event.videoId());
      }
    }
    Set<Consumer<VideoEvent>> set = listeners.get(event.videoId());
    if (set != null) {
      set.forEach(l -> l.accept(event));
    }
  }

  private RTopic topic() {
    return redisson.getTopic(VideoEvents.channel(config.redis().namespace()), StringCodec.INSTANCE);
  }
}
