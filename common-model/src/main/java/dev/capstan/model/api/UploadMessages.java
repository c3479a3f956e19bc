package dev.capstan.model.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Bodies of {@code /api/v1/videos/{id}/uploads}: direct-to-S3 multipart uploads. */
public final class UploadMessages {
  private UploadMessages() {}

  public record StartUploadRequest(
      @NotNull @Positive Long sizeBytes, @Size(max = 200) String contentType) {}

  /** Where to PUT one part; the response's {@code ETag} header is that part's etag. */
  public record PartUrl(int partNumber, URI url) {}

  /**
   * An upload in progress. All parts but the last are exactly {@code partSize} bytes (as R2
   * requires); {@code parts} are the URLs still to send, {@code received} the parts the store has.
   */
  public record UploadView(
      String uploadId,
      long sizeBytes,
      long partSize,
      int partCount,
      List<PartUrl> parts,
      List<ReceivedPart> received,
      Instant urlsExpireAt) {}

  public record ReceivedPart(int partNumber, String etag, long sizeBytes) {}

  public record CompletedPart(@Positive int partNumber, @NotNull @Size(max = 200) String etag) {}

  public record CompleteUploadRequest(
      @NotEmpty @Size(max = 10000) List<@Valid CompletedPart> parts) {}
}
