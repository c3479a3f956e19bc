package dev.capstan.api.db;

/** Which server a transaction's connection comes from. */
public enum Route {
  PRIMARY,
  REPLICA;

  private static final ThreadLocal<Route> CURRENT = new ThreadLocal<>();

  /** The route of the code running on this thread; the primary unless a read chose the replica. */
  public static Route current() {
    Route r = CURRENT.get();
    return r == null ? PRIMARY : r;
  }

  static boolean chosen() {
    return CURRENT.get() != null;
  }

  static void set(Route route) {
    if (route == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(route);
    }
  }
}
