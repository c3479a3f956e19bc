package dev.capstan.model.job;

/**
 * Names a kind of job and the record that carries its payload, so producer and consumer cannot
 * disagree on either.
 */
public record JobDescriptor<T>(String kind, Class<T> payloadType) {}
