package dev.capstan.api.db;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a read that may be served by the read replica: listings, share pages, public metadata,
 * comment lists, admin views. The method must only read (it may be retried on the primary when the
 * replica fails under it). Whether the replica is actually used is decided per call by {@link
 * ReadRouting}: never when none is configured, when it is down or lagging past the bound, or when
 * the caller wrote recently (read-your-writes).
 */
@InterceptorBinding
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface ToleratesLag {}
