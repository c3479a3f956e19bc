package dev.capstan.api.common;

import dev.capstan.model.api.Page;
import java.util.List;
import java.util.function.Function;

/**
 * Keyset pagination on {@code (createdAt, id)}: the query of one page (served by the composite
 * indexes that end in those two columns) and the cutting of its rows into a {@link Page}.
 */
public final class Keyset {
  /** Which end of the list comes first. */
  public enum Order {
    NEWEST_FIRST,
    OLDEST_FIRST
  }

  /** An HQL query and its positional parameters. */
  public record Query(String hql, Object... params) {}

  private Keyset() {}

  /**
   * The rows after {@code after} (or from the start) that match {@code filter}, whose one parameter
   * is {@code ?1}.
   */
  public static Query query(String filter, Object filterParam, Cursor after, Order order) {
    String dir = order == Order.NEWEST_FIRST ? " desc" : "";
    String orderBy = " order by createdAt" + dir + ", id" + dir;
    if (after == null) {
      return new Query(filter + orderBy, filterParam);
    }
    String cmp = order == Order.NEWEST_FIRST ? "<" : ">";
    return new Query(
        filter
            + " and (createdAt "
            + cmp
            + " ?2 or (createdAt = ?2 and id "
            + cmp
            + " ?3))"
            + orderBy,
        filterParam,
        after.createdAt(),
        after.id());
  }

  /**
   * Cuts rows fetched with {@code size + 1} into a page of {@code size} and the cursor of the next
   * one (absent on the last page); {@code map} turns the page's rows into items in one go, so
   * related rows can be loaded for the whole page at once.
   */
  public static <E, T> Page<T> page(
      List<E> rows, int size, Function<E, Cursor> cursorOf, Function<List<E>, List<T>> map) {
    List<E> page = rows.subList(0, Math.min(size, rows.size()));
    String next = rows.size() > size ? cursorOf.apply(page.get(size - 1)).encode() : null;
    return new Page<>(map.apply(page), next);
  }
}
