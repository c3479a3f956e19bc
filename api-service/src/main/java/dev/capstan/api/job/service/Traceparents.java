package dev.capstan.api.job.service;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.HashMap;
import java.util.Map;

/** The W3C {@code traceparent} of the current span, to be carried inside a job's payload. */
final class Traceparents {
  private Traceparents() {}

  /** The current trace context, or null when there is none (tracing off, or no request). */
  static String current() {
    Map<String, String> carrier = new HashMap<>(2);
    W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
    return carrier.get("traceparent");
  }
}
