package dev.capstan.api.share.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.share.persistence.ShareLinkEntity;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.api.RBatch;
import org.redisson.api.RLock;
import org.redisson.api.RMapAsync;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Anonymous view counts of share links. An open adds one to a counter in this instance's memory;
 * every 200 ms (and at shutdown) the counters are added to the Redis hash {@code {ns}:share-views}
 * with one {@code HINCRBY} per link, so a hot link costs Redis one command per interval instead of
 * one per view. Every {@code capstan.share.view-flush-every} one instance (the holder of {@code
 * {ns}:locks:share-views}) moves the hash aside atomically, adds the counts to {@code
 * share_links.view_count} in one transaction and deletes what it moved. Owners' lists add the this
 * instance's unsent counts and those waiting in Redis, so they lag by at most the other instances'
 * push interval.
 *
 * <p>What can go wrong: an API restart loses nothing (counters are pushed at shutdown; the hash
 * lives in Redis). An API instance that crashes loses the views of its last push interval. If the
 * flushing instance dies between the database commit and the delete, the next flush adds that batch
 * again (counted twice). If Redis loses its data, the views not yet flushed are lost.
 */
@ApplicationScoped
public class ShareViews {

  /** Moves the live hash aside unless a batch is still waiting there, and returns the batch. */
  private static final String TAKE =
      """
      if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1 then
        redis.call('RENAME', KEYS[1], KEYS[2])
      end
      return redis.call('HGETALL', KEYS[2])""";

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  private final Map<String, Long> unpushed = new ConcurrentHashMap<>();

  /** Held while counts move from memory to Redis, so {@link #pending} sees them in one place. */
  private final Object moving = new Object();

  /** Counts one view of the link; never blocks, never fails the request. */
  public void count(String linkId) {
    unpushed.merge(linkId, 1L, Long::sum);
  }

  @Scheduled(every = "PT0.2S", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void push() {
    synchronized (moving) {
      pushNow();
    }
  }

  private void pushNow() {
    if (unpushed.isEmpty()) {
      return;
    }
    RBatch batch = redisson.createBatch();
    RMapAsync<String, String> live = batch.getMap(live(), StringCodec.INSTANCE);
    Map<String, Long> taken = new HashMap<>();
    for (String id : List.copyOf(unpushed.keySet())) {
      // Atomic per key: a view counted meanwhile starts a new entry, none is lost.
      Long n = unpushed.remove(id);
      if (n != null && n > 0) {
        taken.put(id, n);
        live.addAndGetAsync(id, n);
      }
    }
    if (taken.isEmpty()) {
      return;
    }
    try {
      batch.execute();
    } catch (RuntimeException e) {
      // Kept for the next push: Redis may be back by then.
      taken.forEach((id, n) -> unpushed.merge(id, n, Long::sum));
      Log.debugf("share views not pushed to Redis yet: %s", e.getMessage());
    }
  }

  void pushOnShutdown(@Observes ShutdownEvent ignored) {
    push();
  }

  /**
   * Views of these links not in the database yet: this instance's unsent ones and those waiting in
   * Redis (those of other instances' last 200 ms are not seen; Redis unreachable: only ours).
   */
  public Map<String, Long> pending(Collection<String> linkIds) {
    Map<String, Long> counts = new HashMap<>();
    if (linkIds.isEmpty()) {
      return counts;
    }
    Set<String> ids = Set.copyOf(linkIds);
    synchronized (moving) {
      return pendingNow(ids, counts);
    }
  }

  private Map<String, Long> pendingNow(Set<String> ids, Map<String, Long> counts) {
    for (String id : ids) {
      Long here = unpushed.get(id);
      if (here != null) {
        counts.merge(id, here, Long::sum);
      }
    }
    try {
      for (String key : List.of(live(), flushing())) {
        redisson
            .<String, String>getMap(key, StringCodec.INSTANCE)
            .getAll(ids)
            .forEach((id, n) -> counts.merge(id, Long.parseLong(n), Long::sum));
      }
    } catch (RuntimeException e) {
      Log.debugf("pending share views unavailable: %s", e.getMessage());
    }
    return counts;
  }

  @Scheduled(
      every = "${capstan.share.view-flush-every}",
      delayed = "1s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduledFlush() {
    flush();
  }

  /** One flush, if no other instance is flushing; the number of links whose count moved. */
  public int flush() {
    RLock lock = redisson.getLock(config.redis().namespace() + ":locks:share-views");
    try {
      if (!lock.tryLock()) {
        return 0;
      }
    } catch (RuntimeException e) {
      Log.debugf("share views not flushed (Redis unavailable): %s", e.getMessage());
      return 0;
    }
    try {
      List<Object> flat =
          script()
              .eval(
                  RScript.Mode.READ_WRITE,
                  TAKE,
                  RScript.ReturnType.LIST,
                  List.<Object>of(live(), flushing()));
      Map<String, Long> batch = new LinkedHashMap<>();
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        batch.put(String.valueOf(flat.get(i)), Long.parseLong(String.valueOf(flat.get(i + 1))));
      }
      if (batch.isEmpty()) {
        return 0;
      }
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  batch.forEach(
                      (id, n) ->
                          ShareLinkEntity.update(
                              "viewCount = viewCount + ?1 where id = ?2", n, id)));
      redisson.getKeys().delete(flushing());
      return batch.size();
    } catch (RuntimeException e) {
      Log.warnf("share views not flushed (the next flush retries): %s", e.getMessage());
      return 0;
    } finally {
      try {
        lock.unlock();
      } catch (RuntimeException e) {
        Log.debugf("share views lock not released (it expires): %s", e.getMessage());
      }
    }
  }

  private RScript script() {
    return redisson.getScript(StringCodec.INSTANCE);
  }

  private String live() {
    return config.redis().namespace() + ":share-views";
  }

  private String flushing() {
    return config.redis().namespace() + ":share-views:flushing";
  }
}
