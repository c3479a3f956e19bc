package dev.capstan.api.job.service;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.TranscodeJob;

/**
 * Fired inside the transaction that wrote a job row; observed after it commits. Carries what the
 * publication needs (the row as written), so publishing right after commit reads nothing back.
 */
public record JobQueued(TranscodeJob payload, JobLane lane) {}
