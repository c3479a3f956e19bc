package dev.capstan.worker.tracing;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.TranscodeJob;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.MDC;

/**
 * One span per job run, a child of the trace the job's payload carries (the upload request's), and
 * the job's ids in the logging context so every log line of the run names its video, job and trace.
 * With tracing off the span is a no-op and only the ids are logged.
 */
@ApplicationScoped
public class JobTracing {
  /** MDC keys, shared with the API's request lines. */
  public static final String VIDEO_ID = "videoId";

  public static final String JOB_ID = "jobId";
  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";

  private static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };

  private final OpenTelemetry otel;
  private final Tracer tracer;

  public JobTracing(OpenTelemetry otel) {
    this.otel = otel;
    this.tracer = otel.getTracer("dev.capstan.worker");
  }

  /** Work done inside a job's span. */
  @FunctionalInterface
  public interface Work<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code work} as the span {@code transcode} of the job's trace; {@code outcome} names how
   * it ended (recorded on the span).
   */
  public <T> T run(TranscodeJob job, JobLane lane, Function<T, String> outcome, Work<T> work)
      throws Exception {
    Context parent = Context.root();
    if (job.traceparent() != null) {
      parent =
          otel.getPropagators()
              .getTextMapPropagator()
              .extract(Context.root(), Map.of("traceparent", job.traceparent()), MAP_GETTER);
    }
    Span span =
        tracer
            .spanBuilder("transcode")
            .setParent(parent)
            .setSpanKind(SpanKind.CONSUMER)
            .setAttribute("capstan.video.id", job.videoId())
            .setAttribute("capstan.job.id", job.jobId())
            .setAttribute("capstan.job.attempt", job.attempt())
            .setAttribute("capstan.job.lane", lane.wireName())
            .startSpan();
    MDC.put(VIDEO_ID, job.videoId());
    MDC.put(JOB_ID, job.jobId());
    SpanContext ids = span.getSpanContext();
    if (ids.isValid()) {
      MDC.put(TRACE_ID, ids.getTraceId());
      MDC.put(SPAN_ID, ids.getSpanId());
    }
    try (Scope ignored = span.makeCurrent()) {
      T result = work.run();
      span.setAttribute("capstan.job.outcome", outcome.apply(result));
      return result;
    } catch (Exception | Error e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
      MDC.remove(VIDEO_ID);
      MDC.remove(JOB_ID);
      MDC.remove(TRACE_ID);
      MDC.remove(SPAN_ID);
    }
  }
}
