package dev.capstan.api.auth.service;

/** Who is calling, as established from the bearer token. */
public record AuthenticatedUser(String userId, String email, String name, String sessionId) {}
