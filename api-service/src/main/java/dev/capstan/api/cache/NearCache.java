package dev.capstan.api.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * An in-process cache in front of a slower tier (Redis, then the database), bounded in size and
 * age. Concurrent misses of one key share a single load (single flight): the first caller runs the
 * loader on its own thread, the others wait for its result. A load that finds nothing is not
 * cached, and an invalidation that arrives while a load runs drops that load's result, so it is
 * never served to later callers.
 *
 * @param <V> what is cached
 */
public final class NearCache<V> {
  private final String name;
  private final AsyncCache<String, V> cache;
  private final LongAdder loads = new LongAdder();
  private final LongAdder hits = new LongAdder();

  public NearCache(String name, Duration ttl, long maxEntries) {
    this.name = name;
    this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).buildAsync();
  }

  public String name() {
    return name;
  }

  /**
   * The value of {@code key}: from this instance's memory, else from {@code loader} (empty: not
   * found, not cached). Exceptions of the loader reach every caller that waited for it.
   */
  public Optional<V> get(String key, Supplier<Optional<V>> loader) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> existing = cache.asMap().putIfAbsent(key, mine);
    if (existing != null) {
      hits.increment();
      return Optional.ofNullable(join(existing));
    }
    loads.increment();
    try {
      V value = loader.get().orElse(null);
      // Completing with null makes the cache drop the entry.
      mine.complete(value);
      return Optional.ofNullable(value);
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      cache.asMap().remove(key, mine);
      throw e;
    }
  }

  /** The value if this instance holds it now; never loads. */
  public Optional<V> peek(String key) {
    CompletableFuture<V> f = cache.getIfPresent(key);
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return Optional.empty();
    }
    V value = f.getNow(null);
    if (value != null) {
      hits.increment();
    }
    return Optional.ofNullable(value);
  }

  /** Forgets {@code key} here (a load in flight for it will not be cached). */
  public void invalidate(String key) {
    cache.asMap().remove(key);
  }

  /** Forgets everything here. */
  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  /** Loads run so far (misses that reached the loader), for metrics and tests. */
  public long loads() {
    return loads.sum();
  }

  /**
   * Lookups answered from this instance's memory so far (by {@link #peek} or {@link #get}, which
   * counts joining a load in flight too), for metrics and tests. A request may look a key up more
   * than once: these count lookups, not requests.
   */
  public long hits() {
    return hits.sum();
  }

  private static <V> V join(CompletableFuture<V> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
