package dev.capstan.bench.result;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark's outcome in the format every benchmark of the suite writes with {@code --json
 * FILE}: alternating subject/anchor pairs measured in the same run, and the target.
 *
 * @param benchmark stable id ({@code transcode-split}, {@code api-throughput}...)
 * @param unit unit of both numbers of a pair ({@code CPU s}, {@code req/s}, {@code MB})
 * @param higherIsBetter whether a larger subject is better (throughput) or worse (time, memory)
 * @param subject what Capstan runs
 * @param anchor the reference it is compared with
 * @param pairs at least three, in the order measured
 * @param extra free-form numbers (and arrays of numbers) a benchmark wants to keep
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchmarkResult(
    String benchmark,
    String title,
    String unit,
    boolean higherIsBetter,
    String subject,
    String anchor,
    List<Pair> pairs,
    Target target,
    Map<String, Object> extra) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public BenchmarkResult {
    pairs = pairs == null ? List.of() : List.copyOf(pairs);
    extra = extra == null ? Map.of() : new LinkedHashMap<>(extra);
  }

  /** One A/B measurement. */
  public record Pair(double subject, double anchor) {
    /** subject / anchor; NaN when the anchor is 0. */
    public double ratio() {
      return anchor == 0 ? Double.NaN : subject / anchor;
    }
  }

  /**
   * What counts as good enough: a ratio bound on the median ratio and/or an absolute bound on the
   * median subject, both in the direction {@code higherIsBetter} says; null where not set.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Target(String description, Double ratio, Double absolute) {}

  @JsonIgnore
  public Stats subjectStats() {
    return Stats.of(pairs.stream().mapToDouble(Pair::subject).toArray());
  }

  @JsonIgnore
  public Stats anchorStats() {
    return Stats.of(pairs.stream().mapToDouble(Pair::anchor).toArray());
  }

  @JsonIgnore
  public Stats ratioStats() {
    return Stats.of(pairs.stream().mapToDouble(Pair::ratio).toArray());
  }

  /** Whether the target is met, judged on medians; {@link Verdict#NO_TARGET} without one. */
  public Verdict verdict() {
    if (target == null || (target.ratio() == null && target.absolute() == null)) {
      return Verdict.NO_TARGET;
    }
    if (pairs.isEmpty()) {
      return Verdict.NOT_MET;
    }
    boolean met = true;
    if (target.ratio() != null) {
      met &= within(ratioStats().median(), target.ratio());
    }
    if (target.absolute() != null) {
      met &= within(subjectStats().median(), target.absolute());
    }
    return met ? Verdict.MET : Verdict.NOT_MET;
  }

  private boolean within(double value, double bound) {
    return higherIsBetter ? value >= bound : value <= bound;
  }

  /** Met, not met, or nothing to meet. */
  public enum Verdict {
    MET,
    NOT_MET,
    NO_TARGET
  }

  public static BenchmarkResult read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), BenchmarkResult.class);
  }

  public void write(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), this);
  }
}
