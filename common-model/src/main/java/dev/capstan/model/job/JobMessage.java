package dev.capstan.model.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a job travels as the fields of one Redis stream entry: {@code kind}, {@code jobId} and the
 * JSON {@code payload}. Both services go through this class, whatever Redis client they use.
 */
public final class JobMessage {
  public static final String FIELD_KIND = "kind";
  public static final String FIELD_JOB_ID = "jobId";
  public static final String FIELD_PAYLOAD = "payload";

  private static final ObjectMapper JSON = new ObjectMapper();

  private JobMessage() {}

  public static <T> Map<String, String> encode(
      JobDescriptor<T> descriptor, String jobId, T payload) {
    try {
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put(FIELD_KIND, descriptor.kind());
      fields.put(FIELD_JOB_ID, jobId);
      fields.put(FIELD_PAYLOAD, JSON.writeValueAsString(payload));
      return fields;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + descriptor.kind() + " payload", e);
    }
  }

  /**
   * Decodes the payload of an entry of the given kind.
   *
   * @throws MalformedJobMessage when the entry is of another kind or its payload does not parse
   */
  public static <T> T decode(JobDescriptor<T> descriptor, Map<String, String> fields) {
    String kind = fields.get(FIELD_KIND);
    if (!descriptor.kind().equals(kind)) {
      throw new MalformedJobMessage("expected kind " + descriptor.kind() + " but got " + kind);
    }
    String payload = fields.get(FIELD_PAYLOAD);
    if (payload == null) {
      throw new MalformedJobMessage("entry has no payload");
    }
    try {
      return JSON.readValue(payload, descriptor.payloadType());
    } catch (JsonProcessingException e) {
      throw new MalformedJobMessage("payload does not parse: " + e.getOriginalMessage());
    }
  }

  /** A stream entry that no worker can act on; it goes to the dead-letter stream. */
  public static final class MalformedJobMessage extends RuntimeException {
    public MalformedJobMessage(String message) {
      super(message);
    }
  }
}
