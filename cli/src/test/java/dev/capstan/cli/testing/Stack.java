package dev.capstan.cli.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.capstan.devtools.fixtures.Fixtures;
import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.model.api.AuthMessages.SignupRequest;
import dev.capstan.model.api.AuthMessages.SignupResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The running services, the CLI jar, and plain HTTP to check what the CLI did. */
public final class Stack implements AutoCloseable {
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final TestServices services;
  private final ServiceProcess api;
  private final ServiceProcess worker;
  private final Path cliJar;
  private final Path work;
  private final HttpClient http = HttpClient.newHttpClient();

  Stack(TestServices services, ServiceProcess api, ServiceProcess worker, Path cliJar, Path work) {
    this.services = services;
    this.api = api;
    this.worker = worker;
    this.cliJar = cliJar;
    this.work = work;
  }

  public String apiUrl() {
    return api.baseUrl();
  }

  public String s3Endpoint() {
    return services.s3().endpoint();
  }

  public Path cliJar() {
    return cliJar;
  }

  public ServiceProcess worker() {
    return worker;
  }

  public ServiceProcess api() {
    return api;
  }

  /** A fresh folder for one test. */
  public Path folder(String name) throws IOException {
    return Files.createTempDirectory(work, name + "-");
  }

  /** A new account on the server, with a home folder of its own for the CLI's files. */
  public CliUser newUser(String purpose) throws IOException, InterruptedException {
    String email = purpose + "-" + UUID.randomUUID() + "@example.com";
    String password = "cli test password";
    HttpResponse<String> r =
        send(
            "POST",
            "/api/v1/auth/signup",
            null,
            new SignupRequest(email, password, "CLI " + purpose));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("sign-up failed: " + r.statusCode() + " " + r.body());
    }
    SignupResponse signup = JSON.readValue(r.body(), SignupResponse.class);
    return new CliUser(this, email, password, signup.token(), folder(purpose + "-home"));
  }

  /** A call to the API as {@code token} (null: anonymous). */
  public HttpResponse<String> send(String method, String path, String token, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(apiUrl() + path)).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  public <T> T get(String path, String token, Class<T> type)
      throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", path, token, null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readValue(r.body(), type);
  }

  public <T> T get(String path, String token, JavaType type)
      throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", path, token, null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return JSON.readValue(r.body(), type);
  }

  @Override
  public void close() throws Exception {
    try {
      worker.close();
      api.close();
    } finally {
      services.close();
      Fixtures.deleteTree(work);
    }
  }
}
