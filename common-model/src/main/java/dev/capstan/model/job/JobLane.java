package dev.capstan.model.job;

import java.util.Arrays;

/**
 * Priority lanes of the transcode queue, each its own stream. The API picks the lane when it
 * enqueues, from the source size (known before any probing); workers read {@link #SHORT} first but
 * take from {@link #LONG} at least every few jobs, so neither lane starves.
 */
public enum JobLane {
  SHORT("short"),
  LONG("long");

  private final String wireName;

  JobLane(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static JobLane fromWire(String value) {
    return Arrays.stream(values())
        .filter(l -> l.wireName.equals(value))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown lane: " + value));
  }

  /** The lane of a source of {@code sizeBytes}: long from {@code longFromBytes} on. */
  public static JobLane forSourceSize(Long sizeBytes, long longFromBytes) {
    return sizeBytes != null && sizeBytes >= longFromBytes ? LONG : SHORT;
  }
}
