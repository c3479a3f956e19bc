package dev.capstan.system;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OpenTelemetry collector for tests: accepts OTLP/HTTP protobuf trace exports on loopback
 * and keeps every span it was sent, flattened with its service name.
 */
final class OtlpReceiver implements AutoCloseable {

  /** One received span, ids in lower-case hex as W3C trace context writes them. */
  record ReceivedSpan(
      String service,
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      int kind,
      java.util.Map<String, String> attributes) {}

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private final List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            InputStream body = exchange.getRequestBody();
            if ("gzip"
                .equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
              body = new GZIPInputStream(body);
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
            record(request);
            byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
            if (ok.length > 0) {
              exchange.getResponseBody().write(ok);
            }
          } catch (IOException | RuntimeException | LinkageError e) {
            errors.add(e.toString());
            exchange.sendResponseHeaders(400, -1);
          }
        });
    server.start();
  }

  /** The endpoint to give an exporter ({@code ..._OTLP_TRACES_ENDPOINT}). */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private synchronized void record(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = attribute(rs.getResource(), "service.name");
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
          java.util.Map<String, String> attributes = new java.util.LinkedHashMap<>();
          for (KeyValue kv : s.getAttributesList()) {
            attributes.put(kv.getKey(), text(kv.getValue()));
          }
          spans.add(
              new ReceivedSpan(
                  service,
                  hex.formatHex(s.getTraceId().toByteArray()),
                  hex.formatHex(s.getSpanId().toByteArray()),
                  hex.formatHex(s.getParentSpanId().toByteArray()),
                  s.getName(),
                  s.getKindValue(),
                  attributes));
        }
      }
    }
  }

  /** Exports it could not read (shown when a test fails). */
  List<String> errors() {
    return List.copyOf(errors);
  }

  synchronized List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  private static String attribute(Resource resource, String key) {
    return resource.getAttributesList().stream()
        .filter(kv -> kv.getKey().equals(key))
        .map(kv -> text(kv.getValue()))
        .findFirst()
        .orElse("");
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      default -> v.toString();
    };
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
