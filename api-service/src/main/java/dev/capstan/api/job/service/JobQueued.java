package dev.capstan.api.job.service;

/** Fired inside the transaction that wrote a job row; observed after it commits. */
public record JobQueued(String jobId) {}
