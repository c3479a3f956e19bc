package dev.capstan.bench.report;

import java.time.Instant;

/**
 * When, at which commit and in which mode a suite run measured.
 *
 * @param mode {@code quick} or {@code full}
 * @param note free text printed under the machine table (e.g. "the machine was shared"); may be
 *     null
 */
public record RunInfo(Instant at, String commit, String mode, String note) {}
