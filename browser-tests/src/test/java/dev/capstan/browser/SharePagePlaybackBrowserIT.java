package dev.capstan.browser;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.fixtures.ServiceProcess;
import dev.capstan.devtools.fixtures.TestServices;
import dev.capstan.devtools.media.SampleClips;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The share page as a viewer meets it: the packaged API and worker run as processes, a generated
 * clip is uploaded and shared, and Debian's Chromium (headless, driven by its chromedriver) opens
 * the link and plays the video. Without a working Chromium this test fails; it never skips.
 */
class SharePagePlaybackBrowserIT {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  static Path root;
  static TestServices services;
  static ServiceProcess api;
  static ServiceProcess worker;
  static Path work;
  static String token;
  static WebDriver browser;

  @BeforeAll
  static void startTheStackAndTheBrowser() throws Exception {
    root = Path.of(System.getProperty("capstan.root", "..")).toAbsolutePath().normalize();
    browser = chromium();
    work = Files.createTempDirectory("capstan-browser-");
    services = TestServices.start("browser");
    Map<String, String> env = new HashMap<>(services.environment());
    env.put("CAPSTAN_AUTH_BCRYPT_COST", "4");
    Path logs = root.resolve("browser-tests/target/service-logs");
    api =
        ServiceProcess.start(
            "api", root.resolve("api-service/target/quarkus-app/quarkus-run.jar"), env, logs);
    env.put("CAPSTAN_WORKER_ID", "browser-test-worker");
    worker =
        ServiceProcess.start(
            "worker", root.resolve("media-worker/target/quarkus-app/quarkus-run.jar"), env, logs);
    token =
        given()
            .baseUri(api.baseUrl())
            .contentType(ContentType.JSON)
            .body(
                Map.of(
                    "email", "viewer-" + UUID.randomUUID() + "@example.com",
                    "password", "browser test password",
                    "name", "Ada Lovelace"))
            .post("/api/v1/auth/signup")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
  }

  /** Headless Chromium from Debian's packages; any failure to start it fails the test run. */
  static WebDriver chromium() {
    for (String binary : new String[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(Path.of(binary))) {
        throw new IllegalStateException(
            binary
                + " is missing: install Debian's chromium and chromium-driver"
                + " (./capstan test does, as root)");
      }
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1280,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    return new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (worker != null) {
      worker.close();
    }
    if (api != null) {
      api.close();
    }
    if (services != null) {
      services.close();
    }
  }

  private static RequestSpecification asUser() {
    return given().baseUri(api.baseUrl()).auth().oauth2(token);
  }

  private static String uploadClip(String title, double seconds) throws Exception {
    return uploadClip(title, SampleClips.Spec.standard(seconds));
  }

  private static String uploadClip(String title, SampleClips.Spec spec) throws Exception {
    Path clip = SampleClips.generate(spec, work.resolve(UUID.randomUUID() + ".mp4"));
    return asUser()
        .multiPart("file", clip.toFile(), "video/mp4")
        .multiPart("title", title)
        .post("/api/v1/videos")
        .then()
        .statusCode(202)
        .extract()
        .path("id");
  }

  private static void awaitReady(String id) {
    String status =
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(250))
            .failFast("the worker died:\n" + worker.tail(), () -> !worker.isAlive())
            .until(
                () -> asUser().get("/api/v1/videos/" + id).then().extract().path("status"),
                s -> "ready".equals(s) || "failed".equals(s));
    assertThat(status).as(worker.tail()).isEqualTo("ready");
  }

  private static String share(String id, Map<String, Object> body) {
    return asUser()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/videos/" + id + "/shares")
        .then()
        .statusCode(201)
        .extract()
        .path("code");
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private static double currentTime() {
    return ((Number) js("return document.getElementById('video').currentTime")).doubleValue();
  }

  /** Starts the player the page set up, and waits until it has played past {@code seconds}. */
  private static double playsPast(double seconds) {
    return playsPast(seconds, 320, 180);
  }

  private static double playsPast(double seconds, int width, int height) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> "true".equals(js("return document.getElementById('player').dataset.attached")));
    js("var v = document.getElementById('video'); v.muted = true; v.play();");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .failFast(
            "the media element reported an error",
            () -> js("var e = document.getElementById('video').error; return e && e.code") != null)
        .until(() -> currentTime() > seconds);
    double t = currentTime();
    assertThat(js("return document.getElementById('video').error")).isNull();
    assertThat(((Number) js("return document.getElementById('video').videoWidth")).intValue())
        .isEqualTo(width);
    assertThat(((Number) js("return document.getElementById('video').videoHeight")).intValue())
        .isEqualTo(height);
    return t;
  }

  @Test
  void a_480p_video_offers_its_rungs_and_storyboard_previews_on_hover() throws Exception {
    String id = uploadClip("Two rungs", SampleClips.Spec.standard(4.0).withSize(854, 480));
    awaitReady(id);
    String code = share(id, Map.of());

    browser.get(api.baseUrl() + "/s/" + code);
    double t = playsPast(1.0, 854, 480);
    assertThat(t).isGreaterThan(1.0);

    String master = given().get(api.baseUrl() + "/s/" + code + "/hls/master.m3u8").asString();
    assertThat(js("return document.getElementById('player').dataset.engine"))
        .as(master)
        .isEqualTo("hls.js");
    assertThat(js("return document.getElementById('player').dataset.levels"))
        .as(master)
        .isEqualTo("2");
    // hls.js found both rungs in the master playlist: the switcher shows them.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> browser.findElement(By.id("quality")).isDisplayed());
    List<String> options =
        browser.findElements(By.cssSelector("#quality-select option")).stream()
            .map(WebElement::getText)
            .toList();
    assertThat(options).containsExactlyInAnyOrder("Auto", "480p", "360p");

    // Storyboard: hovering three quarters along the strip shows that moment's tile.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "ready".equals(js("return document.getElementById('player').dataset.storyboard")));
    WebElement strip = browser.findElement(By.id("scrub"));
    int width = strip.getSize().getWidth();
    new Actions(browser).moveToElement(strip, width / 4, 0).perform();
    WebElement thumb = browser.findElement(By.id("scrub-thumb"));
    await().atMost(Duration.ofSeconds(5)).until(thumb::isDisplayed);
    double cueStart = Double.parseDouble(thumb.getDomAttribute("data-cue-start"));
    assertThat(cueStart).isGreaterThanOrEqualTo(2.0).isLessThan(4.0);
    String background =
        (String) js("return document.getElementById('scrub-thumb').style.backgroundImage");
    assertThat(background).contains("storyboard").contains("X-Amz-Signature");
    String sheet = background.substring(background.indexOf('"') + 1, background.lastIndexOf('"'));
    Object loaded =
        ((JavascriptExecutor) browser)
            .executeAsyncScript(
                "var done = arguments[arguments.length - 1]; var i = new Image();"
                    + " i.onload = function () { done(i.naturalWidth); };"
                    + " i.onerror = function () { done(-1); }; i.src = arguments[0];",
                sheet);
    assertThat(((Number) loaded).intValue()).as("sprite sheet width").isPositive();
  }

  @Test
  void a_shared_clip_plays_in_chromium() throws Exception {
    String id = uploadClip("Quarterly demo <b>draft</b>", 4.0);
    awaitReady(id);
    String code = share(id, Map.of());

    browser.get(api.baseUrl() + "/s/" + code);
    assertThat(browser.getTitle()).startsWith("Quarterly demo <b>draft</b>");
    assertThat(browser.findElement(By.id("title")).getText())
        .isEqualTo("Quarterly demo <b>draft</b>");
    assertThat(browser.findElement(By.id("owner")).getText()).isEqualTo("Ada Lovelace");
    assertThat(browser.findElement(By.id("duration")).getText()).isEqualTo("0:04");
    assertThat(browser.findElement(By.id("quality")).isDisplayed())
        .as("a 180p source has one rung: no quality switcher")
        .isFalse();

    double t = playsPast(2.0);
    assertThat(js("return document.getElementById('player').dataset.engine"))
        .as("played through hls.js, not the MP4 fallback")
        .isEqualTo("hls.js");
    System.out.printf("share page played to currentTime=%.3f s%n", t);
    assertThat(t).isGreaterThan(2.0);

    js("document.getElementById('video').pause()");
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(root.resolve("docs"));
    Files.copy(shot, root.resolve("docs/share-page.png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void a_protected_link_plays_only_after_the_right_password() throws Exception {
    String id = uploadClip("Board meeting", 4.0);
    awaitReady(id);
    String code = share(id, Map.of("password", "open sesame"));

    browser.get(api.baseUrl() + "/s/" + code);
    assertThat(browser.findElements(By.id("video"))).isEmpty();
    browser.findElement(By.id("share-password")).sendKeys("wrong guess");
    browser.findElement(By.id("unlock")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("password-error")).isEmpty());
    assertThat(browser.findElement(By.id("password-error")).getText())
        .isEqualTo("That password is not right.");
    assertThat(browser.findElements(By.id("video"))).isEmpty();

    browser.findElement(By.id("share-password")).sendKeys("open sesame");
    browser.findElement(By.id("unlock")).click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !browser.findElements(By.id("video")).isEmpty());
    assertThat(browser.findElement(By.id("title")).getText()).isEqualTo("Board meeting");
    assertThat(playsPast(2.0)).isGreaterThan(2.0);
  }

  @Test
  void a_page_opened_while_processing_starts_playing_once_ready_without_a_reload() {
    String id =
        asUser()
            .contentType(ContentType.JSON)
            .body(Map.of("title", "Still cooking"))
            .post("/api/v1/videos")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    String code = share(id, Map.of());

    browser.get(api.baseUrl() + "/s/" + code);
    assertThat(browser.findElement(By.id("processing")).isDisplayed()).isTrue();
    js("window.capstanSamePage = 'yes'");

    Path clip;
    try {
      clip = SampleClips.generate(SampleClips.Spec.standard(4.0), work.resolve("cooking.mp4"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    asUser()
        .contentType("video/mp4")
        .body(clip.toFile())
        .put("/api/v1/videos/" + id + "/source")
        .then()
        .statusCode(202);

    await()
        .atMost(Duration.ofSeconds(120))
        .failFast("the worker died:\n" + worker.tail(), () -> !worker.isAlive())
        .until(() -> !browser.findElement(By.id("processing")).isDisplayed());
    assertThat(playsPast(2.0)).isGreaterThan(2.0);
    assertThat(js("return window.capstanSamePage"))
        .as("the page was not reloaded")
        .isEqualTo("yes");
  }
}
