package dev.capstan.api.webhook.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.BadRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Which URLs a webhook may call. By default not loopback, private, link-local or wildcard
 * addresses: a user's webhook must not become a way into the operator's internal network. Checked
 * when the webhook is created and again before every delivery (DNS may change).
 */
@ApplicationScoped
public class WebhookTargets {
  @Inject ApiConfig config;

  public URI check(String url) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw invalid("not a URL");
    }
    if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw invalid("only http and https URLs");
    }
    if (uri.getHost() == null || uri.getUserInfo() != null) {
      throw invalid("the URL needs a host and no credentials");
    }
    if (!config.webhooks().allowPrivateTargets()) {
      try {
        for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
          if (a.isLoopbackAddress()
              || a.isSiteLocalAddress()
              || a.isLinkLocalAddress()
              || a.isAnyLocalAddress()
              || a.isMulticastAddress()) {
            throw new BadRequest(
                "webhook_target_forbidden", "webhooks may not call private or local addresses");
          }
        }
      } catch (UnknownHostException e) {
        throw invalid("the host does not resolve");
      }
    }
    return uri;
  }

  private static BadRequest invalid(String why) {
    return new BadRequest("invalid_webhook_url", why);
  }
}
