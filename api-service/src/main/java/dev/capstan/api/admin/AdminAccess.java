package dev.capstan.api.admin;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.NotFound;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Locale;

/**
 * Who may see operator pages: users whose {@code users.role} is {@code admin}, and users whose
 * email is listed in {@code capstan.admin.emails}. Everyone else gets 404, so the pages' existence
 * leaks nothing.
 */
@ApplicationScoped
public class AdminAccess {
  public static final String ADMIN_ROLE = "admin";

  @Inject ApiConfig config;
  @Inject EntityManager em;

  /** Throws {@link NotFound} unless the caller is an admin. */
  public void require(CurrentUser caller, String what) {
    if (!isAdmin(caller.get().userId(), caller.get().email())) {
      throw new NotFound(what);
    }
  }

  public boolean isAdmin(String userId, String email) {
    List<String> listed = config.admin().emails().orElse(List.of());
    if (email != null && listed.stream().anyMatch(e -> e.strip().equalsIgnoreCase(email.strip()))) {
      return true;
    }
    Object role =
        QuarkusTransaction.joiningExisting()
            .call(
                () ->
                    em.createNativeQuery("select role from users where id = ?1")
                        .setParameter(1, userId)
                        .getResultStream()
                        .findFirst()
                        .orElse(null));
    return role != null && ADMIN_ROLE.equals(role.toString().toLowerCase(Locale.ROOT));
  }
}
