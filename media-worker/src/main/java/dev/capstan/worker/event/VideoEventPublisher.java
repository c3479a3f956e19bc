package dev.capstan.worker.event;

import dev.capstan.model.event.VideoEvent;

/**
 * Port: tells whoever listens (the API's SSE and webhooks) what happened to a video. Best effort:
 * the database row stays the truth, so a lost event costs a client one refresh, never a job.
 */
public interface VideoEventPublisher {
  void publish(VideoEvent event);
}
