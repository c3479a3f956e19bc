package dev.capstan.cli.upload;

import dev.capstan.model.api.UploadMessages.PartUrl;
import dev.capstan.model.api.UploadMessages.UploadView;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The presigned URLs of the parts still to send. When the store refuses one (it expired: URLs live
 * for hours, a slow upload can outlive them) a fresh set is fetched from the API, once for all
 * parts in flight.
 */
final class PartUrls {
  private final Map<Integer, URI> urls = new HashMap<>();
  private final Supplier<Optional<UploadView>> fetch;
  private int generation;

  PartUrls(List<PartUrl> initial, Supplier<Optional<UploadView>> fetch) {
    initial.forEach(p -> urls.put(p.partNumber(), p.url()));
    this.fetch = fetch;
  }

  synchronized URI get(int partNumber) {
    return urls.get(partNumber);
  }

  synchronized int generation() {
    return generation;
  }

  /**
   * Fresh URLs, unless another part already refreshed them since {@code seenGeneration}.
   *
   * @return whether {@code partNumber} has a URL afterwards
   */
  synchronized boolean refresh(int partNumber, int seenGeneration) {
    if (generation == seenGeneration) {
      fetch.get().ifPresent(v -> v.parts().forEach(p -> urls.put(p.partNumber(), p.url())));
      generation++;
    }
    return urls.containsKey(partNumber);
  }
}
