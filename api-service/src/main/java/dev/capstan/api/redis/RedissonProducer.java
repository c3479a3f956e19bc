package dev.capstan.api.redis;

import dev.capstan.api.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/**
 * The Redisson client. Its codec is {@link StringCodec}: the worker reads the same keys with
 * Lettuce, and Redisson's default Kryo codec would look like garbage there.
 */
@ApplicationScoped
public class RedissonProducer {

  @Produces
  @ApplicationScoped
  RedissonClient redisson(ApiConfig config) {
    URI uri = URI.create(config.redis().url());
    Config c = new Config();
    c.setCodec(StringCodec.INSTANCE);
    var server =
        c.useSingleServer()
            .setAddress(uri.getScheme() + "://" + uri.getHost() + ":" + port(uri))
            .setConnectionMinimumIdleSize(2)
            .setConnectionPoolSize(16)
            .setConnectTimeout(2000)
            .setTimeout(3000)
            .setRetryAttempts(1);
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      server.setDatabase(Integer.parseInt(path.substring(1)));
    }
    String userInfo = uri.getUserInfo();
    if (userInfo != null) {
      server.setPassword(userInfo.substring(userInfo.indexOf(':') + 1));
    }
    c.setLazyInitialization(true);
    return Redisson.create(c);
  }

  void close(@Disposes RedissonClient client) {
    client.shutdown();
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : 6379;
  }
}
