package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One page of a keyset-paginated list. {@code nextCursor} is opaque; pass it back as {@code
 * ?cursor=} for the next page; it is absent on the last page.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Page<T>(List<T> items, String nextCursor) {}
