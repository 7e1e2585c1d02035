package io.cwm.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cwm.connector.ConnectorConfig;
import io.cwm.testing.Http;
import io.cwm.testing.TestConnectors;
import io.cwm.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (issue 17): Debian's chromium, headless, driven through the
 * system chromedriver. A real receiver runs with a real connector (role both, embedded buffer)
 * that delivers to a local HTTP target. The steps run in order on one page (the token lives in
 * the tab's memory): refused with a wrong token, log in, see a webhook in the live tail within
 * 1 s of its POST, inspect a message stuck at the target, move it to the dead letters, replay it
 * from the dead-letter page and see it delivered, rotate a token, read the masked config. A
 * screenshot of each page goes to {@code target/console-screenshots/} (and to
 * {@code docs/console/} with {@code -Dcwm.console.docs=true}). Any error the page logs fails the
 * test (a CSP violation among them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final String ADMIN = "browser-admin-token-0123456789";
  static final String CHANNEL = "console-browser";
  static final Duration WAIT = Duration.ofSeconds(10);

  Vertx vertx;
  TestServer server;
  HttpServer target;
  final List<JsonObject> delivered = new CopyOnWriteArrayList<>();
  final List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
  volatile boolean holdStuck = true;
  WebDriver driver;
  WebDriverWait wait;
  Path dir;
  String stuckId;

  @BeforeAll
  void start() throws Exception {
    assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
        "Debian's chromium and chromium-driver are needed (.ci/run installs them: apt-get install chromium chromium-driver)");
    vertx = Vertx.vertx();
    target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject json = body.toJsonObject();
      if (json.containsKey("stuck") && holdStuck) {
        held.add(request); // a target that hangs on this message: it stays in flight
        return;
      }
      delivered.add(json);
      request.response().end("ok");
    }));
    target.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    dir = Files.createTempDirectory("cwm-console");
    int port = TestServer.freePort();
    String webhooks = "{\"orders\": {\"hmac\": {\"secret\": \"hmac-secret-never-shown\", \"header\": \"X-Signature\"},"
        + " \"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + CHANNEL + "\", \"channel_token\": \"tok\"}},"
        + "\"plain\": {\"module\": \"webhook_connect\", \"module-config\": {\"channel\": \"" + CHANNEL
        + "\", \"channel_token\": \"tok\"}}}";
    ConnectorConfig connector = TestConnectors.http(port, CHANNEL, "tok", "websocket",
        new io.cwm.connector.Target("http://127.0.0.1:" + target.actualPort() + "/hook", "POST", Map.of(), 120,
            true, 3, 0.2, 2));
    server = TestServer.startIn(dir, port, "both", webhooks, "{}", Map.of("WEBHOOK_CONNECT_ADMIN_TOKEN", ADMIN),
        List.of(connector));

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-quic", "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory("cwm-chromium"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, WAIT);
    driver.get("http://127.0.0.1:" + port + "/console/");
  }

  @AfterAll
  void stop() throws Exception {
    if (driver != null) {
      driver.quit();
    }
    held.stream().filter(request -> !request.response().ended()).forEach(request -> request.response().end("late"));
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void aWrongTokenIsRefused() throws Exception {
    logIn("not-the-token");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "Invalid"));
    assertFalse(driver.findElement(By.id("nav")).isDisplayed(), "nothing but the login form");
    screenshot("login");
    assertEquals(401, Http.get(server.port(), "/console/api/overview").statusCode(), "the API needs the token");
  }

  @Test
  @Order(2)
  void theOverviewListsTheChannelAndItsConnector() throws Exception {
    logIn(ADMIN);
    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#channels-table tr[data-channel='" + CHANNEL + "']")));
    wait.until(driver -> !row.findElements(By.cssSelector("li[data-connector]")).isEmpty());
    assertTrue(row.getText().contains("websocket"), row.getText());
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("buffer-health"), "healthy"));
    screenshot("overview");
  }

  @Test
  @Order(3)
  void aWebhookAppearsInTheLiveTailWithinOneSecond() throws Exception {
    driver.findElement(By.cssSelector("#channels-table tr[data-channel='" + CHANNEL + "'] a")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("tail-table")));
    waitForTailOpen();
    HttpResponse<String> posted = Http.post(server.port(), "/webhook/plain", "{\"order\": 1001, \"items\": [1, 2]}",
        "Content-Type", "application/json");
    long postedAt = System.nanoTime();
    assertEquals(200, posted.statusCode(), posted.body());
    String messageId = posted.headers().firstValue("X-Webhook-Message-Id").orElseThrow();
    By row = By.cssSelector("#tail-table tr[data-message-id='" + messageId + "']");
    new WebDriverWait(driver, Duration.ofSeconds(1), Duration.ofMillis(20))
        .until(ExpectedConditions.presenceOfElementLocated(row));
    long millis = (System.nanoTime() - postedAt) / 1_000_000;
    assertTrue(millis <= 1000, "in the tail " + millis + " ms after the POST");
    wait.until(ExpectedConditions.attributeToBe(row, "data-state", "delivered"));
    screenshot("channel-tail");
  }

  @Test
  @Order(4)
  void aStuckMessageIsInspectedAndMovedToTheDeadLetters() throws Exception {
    HttpResponse<String> posted = Http.post(server.port(), "/webhook/plain", "{\"stuck\": true, \"customer\": "
        + "{\"id\": 7, \"tags\": [\"a\", \"b\"]}}", "Content-Type", "application/json", "X-Api-Key", "key-never-shown");
    assertEquals(200, posted.statusCode());
    stuckId = posted.headers().firstValue("X-Webhook-Message-Id").orElseThrow();
    By row = By.cssSelector("#tail-table tr[data-message-id='" + stuckId + "']");
    wait.until(ExpectedConditions.attributeToBe(row, "data-state", "in_flight"));
    assertTrue(waitFor(() -> held.size() == 1), "the target holds it");
    driver.findElement(row).findElement(By.cssSelector("a.inspect")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("message-inspector")));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-payload"), "customer"));
    String page = driver.findElement(By.id("message-inspector")).getText();
    assertFalse(page.contains("key-never-shown"), "credentials redacted");
    assertTrue(driver.findElement(By.id("message-headers")).getText().toLowerCase().contains("x-api-key"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-attempts"), "pending"));
    screenshot("inspector");

    wait.until(ExpectedConditions.elementToBeClickable(By.id("message-dead-letter"))).click();
    confirm();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-state"), "dead lettered"));
    JsonObject dead = new JsonObject(Http.get(server.port(), "/console/api/channels/" + CHANNEL + "/dead-letters?q="
        + stuckId, "Authorization", "Bearer " + ADMIN).body());
    assertEquals(1, dead.getInteger("total"));
  }

  @Test
  @Order(5)
  void theDeadLetterIsReplayedFromTheConsoleAndDelivered() throws Exception {
    long deliveredBefore = new JsonObject(Http.get(server.port(), "/admin/webhook-connect/channels/" + CHANNEL + "/stats",
        "Authorization", "Bearer " + ADMIN).body()).getLong("messages_delivered");
    holdStuck = false; // the target is fixed
    held.forEach(request -> request.response().setStatusCode(503).end("gave up"));
    driver.findElement(By.cssSelector("a[data-nav='dead-letters']")).click();
    WebElement picker = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("dl-channel")));
    picker.clear();
    picker.sendKeys(CHANNEL + "\n");
    By row = By.cssSelector("#dl-table tr[data-message-id='" + stuckId + "']");
    wait.until(ExpectedConditions.presenceOfElementLocated(row));
    screenshot("dead-letters");
    driver.findElement(row).findElement(By.cssSelector("button.dl-replay")).click();
    confirm();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dl-result"), "1"));
    assertTrue(waitFor(() -> delivered.stream().anyMatch(body -> body.containsKey("stuck"))), "delivered after the replay");
    wait.until(ExpectedConditions.invisibilityOfElementLocated(row));

    driver.findElement(By.cssSelector("a[data-nav='overview']")).click();
    By deliveredCount = By.cssSelector("#channels-table tr[data-channel='" + CHANNEL + "'] td[data-field='delivered']");
    wait.until(ExpectedConditions.textToBe(deliveredCount, String.valueOf(deliveredBefore + 1)));
    screenshot("overview"); // again, now with deliveries in the counts and the sparkline (the README's picture)
  }

  @Test
  @Order(6)
  void aTokenIsRotatedAndShownOnce() throws Exception {
    driver.findElement(By.cssSelector("a[data-nav='tokens']")).click();
    WebElement picker = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token-channel")));
    picker.clear();
    picker.sendKeys(CHANNEL);
    WebElement grace = driver.findElement(By.id("token-grace"));
    grace.clear();
    grace.sendKeys("600");
    driver.findElement(By.id("token-rotate")).click();
    confirm();
    WebElement token = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token-new")));
    String newToken = token.getAttribute("value");
    assertTrue(newToken.startsWith("ch_tok_"), newToken);
    assertTrue(driver.findElement(By.id("token-expires")).getText().length() > 0);
    screenshot("tokens");
    HttpResponse<String> status = Http.get(server.port(), "/connect/status/" + CHANNEL,
        "Authorization", "Bearer " + newToken);
    assertEquals(200, status.statusCode(), "the new token opens the channel: " + status.body());
    assertEquals(200, Http.get(server.port(), "/connect/status/" + CHANNEL, "Authorization", "Bearer tok").statusCode(),
        "the old one too, during its grace");
    driver.findElement(By.cssSelector("a[data-nav='overview']")).click();
    driver.findElement(By.cssSelector("a[data-nav='tokens']")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token-rotate")));
    assertTrue(driver.findElements(By.id("token-new")).isEmpty(), "shown once only");
  }

  @Test
  @Order(7)
  void theConfigIsShownWithSecretsMasked() throws Exception {
    driver.findElement(By.cssSelector("a[data-nav='config']")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("config-webhooks"), "X-Signature"));
    assertFalse(driver.getPageSource().contains("hmac-secret-never-shown"));
    screenshot("config");
  }

  @Test
  @Order(8)
  void thePagesFitAPhoneAndThePageLoggedNoError() throws Exception {
    driver.findElement(By.cssSelector("a[data-nav='overview']")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-channel='" + CHANNEL + "']")));
    driver.manage().window().setSize(new Dimension(390, 844));
    long overflow = (Long) ((JavascriptExecutor) driver).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertTrue(overflow <= 0, "the page scrolls sideways on a phone by " + overflow + " px");
    screenshot("overview-phone");
    driver.manage().window().setSize(new Dimension(1280, 900));
    List<String> errors = new ArrayList<>();
    for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
      if (entry.getLevel().intValue() >= Level.SEVERE.intValue() && !entry.getMessage().contains("401")) {
        errors.add(entry.getMessage());
      }
    }
    assertEquals(List.of(), errors, "errors in the page's console (a CSP violation would be one)");
  }

  @Test
  @Order(9)
  void theKeyboardReachesTheSkipLinkFirstAndItLeadsToTheContent() throws Exception {
    driver.findElement(By.cssSelector("a[data-nav='overview']")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-channel='" + CHANNEL + "']")));
    Object firstStop = ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]"
        + ".filter(e => e.tabIndex >= 0 && !e.disabled && !e.closest('[hidden]'))[0].id;");
    assertEquals("skip-link", firstStop, "the first Tab stop");
    WebElement skip = driver.findElement(By.id("skip-link"));
    ((JavascriptExecutor) driver).executeScript("arguments[0].focus();", skip);
    skip.sendKeys(org.openqa.selenium.Keys.ENTER);
    WebElement focused = driver.switchTo().activeElement();
    assertTrue("main".equals(focused.getAttribute("id")) || focused.getTagName().equals("h1"),
        "focus moved to the content: " + focused.getTagName() + "#" + focused.getAttribute("id"));
  }

  @Test
  @Order(10)
  void loggingOutForgetsTheToken() throws Exception {
    driver.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-token")));
    Object stored = ((JavascriptExecutor) driver).executeScript(
        "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie;");
    assertFalse(String.valueOf(stored).contains(ADMIN), "the token is kept in memory only");
  }

  // ---------------------------------------------------------------- helpers

  private void logIn(String token) {
    WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-token")));
    input.clear();
    input.sendKeys(token);
    driver.findElement(By.id("login-submit")).click();
  }

  private void confirm() {
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-dialog")));
    driver.findElement(By.id("confirm-ok")).click();
  }

  /** The tail shows its live status once its stream is open. */
  private void waitForTailOpen() {
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "live"));
  }

  private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    return io.cwm.testing.TestConnector.await(WAIT.toMillis(), condition);
  }

  /**
   * Every page it is called on: each form control has a label (a {@code <label for>} or an
   * aria-label), each button a name, each image-like SVG a title, and each table a caption or an
   * aria-label.
   */
  private void assertLabelled(String page) {
    Object unlabelled = ((JavascriptExecutor) driver).executeScript(
        "const bad = [];"
        + "document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(e => {"
        + "  if (!(e.labels && e.labels.length) && !e.getAttribute('aria-label')) bad.push(e.outerHTML); });"
        + "document.querySelectorAll('button').forEach(e => {"
        + "  if (!e.textContent.trim() && !e.getAttribute('aria-label')) bad.push(e.outerHTML); });"
        + "document.querySelectorAll('table').forEach(e => {"
        + "  if (!e.querySelector('caption') && !e.getAttribute('aria-label')) bad.push('table#' + e.id); });"
        + "return bad.join('\\n');");
    assertEquals("", unlabelled, page + ": controls without a label");
  }

  private void screenshot(String name) throws Exception {
    assertLabelled(name);
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path out = Path.of("target", "console-screenshots");
    Files.createDirectories(out);
    Files.copy(shot.toPath(), out.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    if (Boolean.getBoolean("cwm.console.docs")) {
      Path docs = Path.of("docs", "console");
      Files.createDirectories(docs);
      Files.copy(shot.toPath(), docs.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
