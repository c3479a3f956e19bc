package dev.capstan.worker.job;

import java.time.Instant;

/**
 * This worker's claim on a job row: while it holds, no other worker runs the job. Every write that
 * finishes the job is conditional on {@code owner} still holding it.
 */
public record Lease(String jobId, String videoId, int attempt, String owner, Instant expiresAt) {}
