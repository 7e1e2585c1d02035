package io.cwm.validate;

import static io.cwm.validate.Requests.assertPasses;
import static io.cwm.validate.Requests.assertUnauthorized;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The {@code provider} presets: each one with signatures computed here from the provider's
 * published algorithm, and with the providers' own example vectors where they publish one.
 */
class ProviderPresetsTest {
  private static final String SECRET = "s3cr3t-provider-key";
  private static final String OTHER = "another-provider-key";
  private static final String BODY = "{\"id\":\"evt_1\",\"event_id\":\"evt_1\",\"type\":\"x\"}";

  static byte[] mac(String algorithm, String secret, String data) throws Exception {
    Mac mac = Mac.getInstance(algorithm);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  static String hex(String secret, String data) throws Exception {
    return HexFormat.of().formatHex(mac("HmacSHA256", secret, data));
  }

  private static Validator preset(String block, Clock clock) {
    return Requests.build("provider", "{\"provider\":" + block + "}", Requests.context(clock));
  }

  private static Validator preset(String block) {
    return preset(block, Requests.FIXED);
  }

  private static Validator preset(String name, String secret) {
    return preset("{\"name\":\"" + name + "\",\"secret\":\"" + secret + "\"}");
  }

  private static Validator rotating(String name) {
    return preset("{\"name\":\"" + name + "\",\"secrets\":[\"" + OTHER + "\",\"" + SECRET + "\"]}");
  }

  private static long now() {
    return Requests.FIXED.instant().getEpochSecond();
  }

  /** Head and body checks, in the receiver's order. */
  private static Future<Void> run(Validator validator, Requests request) {
    return validator.validateHead(request.build()).compose(ok -> validator.validate(request.build()));
  }

  // ---- github

  @Test
  void githubPublishedExample() {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
    Validator github = preset("github", "It's a Secret to Everybody");
    assertPasses(run(github, Requests.post().body("Hello, World!").header("X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")));
  }

  private static Requests github(String secret, String body) throws Exception {
    return Requests.post().body(BODY).header("X-Hub-Signature-256", "sha256=" + hex(secret, body));
  }

  @Test
  void github() throws Exception {
    Validator github = preset("github", SECRET);
    assertEquals("provider", github.key());
    assertPasses(run(github, github(SECRET, BODY)));
    assertUnauthorized("Invalid HMAC signature", run(github, github(OTHER, BODY)));
    assertUnauthorized("Invalid HMAC signature", run(github, github(SECRET, BODY + " ")));
    assertUnauthorized("Missing X-Hub-Signature-256 header", github.validateHead(Requests.post().build()));
    assertPasses(run(rotating("github"), github(SECRET, BODY)));
    assertPasses(run(rotating("github"), github(OTHER, BODY)));
  }

  // ---- stripe

  private static Requests stripe(String secret, long t, String body) throws Exception {
    return Requests.post().body(BODY).header("Stripe-Signature", "t=" + t + ",v1=" + hex(secret, t + "." + body));
  }

  @Test
  void stripe() throws Exception {
    Validator stripe = preset("stripe", SECRET);
    assertPasses(run(stripe, stripe(SECRET, now(), BODY)));
    assertUnauthorized("Invalid HMAC signature", run(stripe, stripe(OTHER, now(), BODY)));
    assertUnauthorized("Invalid HMAC signature", run(stripe, stripe(SECRET, now(), BODY + " ")));
    assertUnauthorized("Missing Stripe-Signature header", stripe.validateHead(Requests.post().build()));
    assertUnauthorized("HMAC signature timestamp outside the tolerance window",
        stripe.validateHead(stripe(SECRET, now() - 301, BODY).build()));
    assertUnauthorized("HMAC signature timestamp outside the tolerance window",
        stripe.validateHead(stripe(SECRET, now() + 301, BODY).build()));
    assertPasses(run(preset("{\"name\":\"stripe\",\"secret\":\"" + SECRET + "\",\"tolerance_seconds\":600}"),
        stripe(SECRET, now() - 500, BODY)));
    // Stripe signs with both secrets while an endpoint secret is rolled: one v1 per secret
    String t = Long.toString(now());
    Requests both = Requests.post().body(BODY).header("Stripe-Signature",
        "t=" + t + ",v1=" + hex(OTHER, t + "." + BODY) + ",v1=" + hex("third", t + "." + BODY));
    assertPasses(run(rotating("stripe"), both));
    assertPasses(run(preset("stripe", OTHER), both));
  }

  // ---- shopify

  private static Requests shopify(String secret, String body) throws Exception {
    return Requests.post().body(BODY).header("X-Shopify-Hmac-SHA256",
        Base64.getEncoder().encodeToString(mac("HmacSHA256", secret, body)));
  }

  @Test
  void shopify() throws Exception {
    Validator shopify = preset("shopify", SECRET);
    assertPasses(run(shopify, shopify(SECRET, BODY)));
    assertUnauthorized("Invalid HMAC signature", run(shopify, shopify(OTHER, BODY)));
    assertUnauthorized("Invalid HMAC signature", run(shopify, shopify(SECRET, BODY + " ")));
    assertUnauthorized("Missing X-Shopify-Hmac-SHA256 header", shopify.validateHead(Requests.post().build()));
    assertPasses(run(rotating("shopify"), shopify(OTHER, BODY)));
  }

  // ---- slack

  @Test
  void slackPublishedExample() {
    // https://api.slack.com/authentication/verifying-requests-from-slack (docs.slack.dev)
    String body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        + "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    Clock then = Clock.fixed(Instant.ofEpochSecond(1531420618 + 30), ZoneOffset.UTC);
    Validator slack = preset("{\"name\":\"slack\",\"secret\":\"8f742231b10e8888abcd99yyyzzz85a5\"}", then);
    Requests request = Requests.post().body(body).header("X-Slack-Request-Timestamp", "1531420618")
        .header("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    assertPasses(run(slack, request));
  }

  private static Requests slack(String secret, long t, String body) throws Exception {
    return Requests.post().body(BODY).header("X-Slack-Request-Timestamp", Long.toString(t))
        .header("X-Slack-Signature", "v0=" + hex(secret, "v0:" + t + ":" + body));
  }

  @Test
  void slack() throws Exception {
    Validator slack = preset("slack", SECRET);
    assertPasses(run(slack, slack(SECRET, now(), BODY)));
    assertUnauthorized("Invalid webhook signature", run(slack, slack(OTHER, now(), BODY)));
    assertUnauthorized("Invalid webhook signature", run(slack, slack(SECRET, now(), BODY + " ")));
    assertUnauthorized("Missing X-Slack-Signature header", slack.validateHead(Requests.post().build()));
    assertUnauthorized("Missing X-Slack-Request-Timestamp header", slack.validateHead(Requests.post()
        .header("X-Slack-Signature", "v0=00").build()));
    assertUnauthorized("Invalid X-Slack-Signature header (expected v0=<hex>)", slack.validateHead(Requests.post()
        .header("X-Slack-Signature", "v1=00").header("X-Slack-Request-Timestamp", Long.toString(now())).build()));
    assertUnauthorized("Webhook timestamp outside the tolerance window (300 s)",
        slack.validateHead(slack(SECRET, now() - 301, BODY).build()));
    assertUnauthorized("Webhook timestamp outside the tolerance window (300 s)",
        slack.validateHead(slack(SECRET, now() + 301, BODY).build()));
    // the timestamp is signed: moving it invalidates the signature
    Requests moved = slack(SECRET, now(), BODY).header("X-Slack-Request-Timestamp", Long.toString(now() - 1));
    assertUnauthorized("Invalid webhook signature", run(slack, moved));
    assertPasses(run(rotating("slack"), slack(OTHER, now(), BODY)));
  }

  // ---- standard_webhooks

  @Test
  void standardWebhooksPreset() throws Exception {
    String secret = "whsec_" + Base64.getEncoder().encodeToString("twenty-four byte secret!".getBytes(StandardCharsets.UTF_8));
    Validator preset = preset("standard_webhooks", secret);
    assertEquals("provider", preset.key());
    Requests request = Requests.post().body(BODY).header("webhook-id", "msg_1")
        .header("webhook-timestamp", Long.toString(now()))
        .header("webhook-signature", StandardWebhooksValidatorTest.sign(secret, "msg_1", now(), BODY));
    assertPasses(run(preset, request));
    assertUnauthorized("Invalid webhook signature", run(preset, request.body(BODY + " ")));
    assertEquals("provider.secret: is not a Standard Webhooks secret: expected \"whsec_\" followed by base64 (the "
        + "text after whsec_ is not valid base64)",
        Requests.configProblem("{\"provider\":{\"name\":\"standard_webhooks\",\"secret\":\"whsec_!!\"}}"));
  }

  // ---- gitlab

  @Test
  void gitlab() {
    Validator gitlab = preset("gitlab", SECRET);
    assertFalse(gitlab.needsBody(Requests.post().build()), "the token is in the head");
    assertPasses(gitlab.validate(Requests.post().header("X-Gitlab-Token", SECRET).build()));
    assertUnauthorized("Invalid X-Gitlab-Token header",
        gitlab.validate(Requests.post().header("X-Gitlab-Token", OTHER).build()));
    assertUnauthorized("Invalid X-Gitlab-Token header",
        gitlab.validate(Requests.post().header("X-Gitlab-Token", SECRET.toUpperCase()).build()));
    assertUnauthorized("Missing X-Gitlab-Token header", gitlab.validate(Requests.post().build()));
    assertPasses(rotating("gitlab").validate(Requests.post().header("X-Gitlab-Token", OTHER).build()));
  }

  // ---- paddle

  private static Requests paddle(String secret, long ts, String body) throws Exception {
    return Requests.post().body(BODY).header("Paddle-Signature", "ts=" + ts + ";h1=" + hex(secret, ts + ":" + body));
  }

  @Test
  void paddle() throws Exception {
    Validator paddle = preset("paddle", SECRET);
    assertPasses(run(paddle, paddle(SECRET, now(), BODY)));
    assertUnauthorized("Invalid webhook signature", run(paddle, paddle(OTHER, now(), BODY)));
    assertUnauthorized("Invalid webhook signature", run(paddle, paddle(SECRET, now(), BODY + " ")));
    assertUnauthorized("Missing Paddle-Signature header", paddle.validateHead(Requests.post().build()));
    assertUnauthorized("Invalid Paddle-Signature header (expected ts=<timestamp>;h1=<signature>)",
        paddle.validateHead(Requests.post().header("Paddle-Signature", "ts=1").build()));
    // Paddle's documented window is 5 s (https://developer.paddle.com/webhooks/signature-verification)
    assertUnauthorized("Webhook timestamp outside the tolerance window (5 s)",
        paddle.validateHead(paddle(SECRET, now() - 6, BODY).build()));
    assertUnauthorized("Webhook timestamp outside the tolerance window (5 s)",
        paddle.validateHead(paddle(SECRET, now() + 6, BODY).build()));
    assertPasses(run(preset("{\"name\":\"paddle\",\"secret\":\"" + SECRET + "\",\"tolerance_seconds\":60}"),
        paddle(SECRET, now() - 30, BODY)));
    // during a secret rotation Paddle sends one h1 per secret
    long ts = now();
    Requests both = Requests.post().body(BODY).header("Paddle-Signature",
        "ts=" + ts + ";h1=" + hex("old", ts + ":" + BODY) + ";h1=" + hex(SECRET, ts + ":" + BODY));
    assertPasses(run(paddle, both));
    assertPasses(run(rotating("paddle"), paddle(OTHER, now(), BODY)));
  }

  // ---- linear

  private static String linearBody(long millis) {
    return new JsonObject().put("action", "create").put("type", "Issue").put("webhookTimestamp", millis).encode();
  }

  private static Requests linear(String secret, String body) throws Exception {
    return Requests.post().body(body).header("Content-Type", "application/json")
        .header("Linear-Signature", hex(secret, body));
  }

  @Test
  void linear() throws Exception {
    Validator linear = preset("linear", SECRET);
    String body = linearBody(now() * 1000 - 2_000);
    assertPasses(run(linear, linear(SECRET, body)));
    assertUnauthorized("Invalid webhook signature", run(linear, linear(OTHER, body)));
    assertUnauthorized("Invalid webhook signature", run(linear, linear(SECRET, body).body(body + " ")));
    assertUnauthorized("Missing Linear-Signature header", linear.validateHead(Requests.post().build()));
    assertUnauthorized("Webhook timestamp outside the tolerance window (60 s)",
        run(linear, linear(SECRET, linearBody(now() * 1000 - 61_000))));
    assertUnauthorized("Webhook timestamp outside the tolerance window (60 s)",
        run(linear, linear(SECRET, linearBody(now() * 1000 + 61_000))));
    String noTimestamp = "{\"action\":\"create\"}";
    assertUnauthorized("Linear webhook body has no webhookTimestamp", run(linear, linear(SECRET, noTimestamp)));
    assertPasses(run(rotating("linear"), linear(OTHER, body)));
  }

  // ---- twilio

  private static final String TWILIO_FORM = "To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234"
      + "&From=%2B12349013030&Caller=%2B12349013030";

  private static Requests twilioVector() {
    return Requests.post().path("/myapp.php").header("Host", "mycompany.com")
        .header("Content-Type", "application/x-www-form-urlencoded").body(TWILIO_FORM)
        .header("X-Twilio-Signature", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
  }

  /** The request with these query parameters in this order (as the receiver keeps them). */
  private static WebhookRequest withQuery(Requests requests, String... pairs) {
    WebhookRequest built = requests.build();
    java.util.Map<String, java.util.List<String>> query = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      query.computeIfAbsent(pairs[i], name -> new java.util.ArrayList<>()).add(pairs[i + 1]);
    }
    return new WebhookRequest(built.method(), built.path(), built.webhookId(), built.headers(), query, built.body(),
        built.peerIp());
  }

  private static Future<Void> run(Validator validator, WebhookRequest request) {
    return validator.validateHead(request).compose(ok -> validator.validate(request));
  }

  private static WebhookRequest vector(Requests requests) {
    return withQuery(requests, "foo", "1", "bar", "2");
  }

  @Test
  void twilioPublishedExample() {
    // https://www.twilio.com/docs/usage/security#validating-requests: auth token 12345, a POST to
    // https://mycompany.com/myapp.php?foo=1&bar=2 with CallSid, Caller, Digits, From, To
    Validator configured = preset("{\"name\":\"twilio\",\"secret\":\"12345\",\"url\":\"https://mycompany.com/myapp.php\"}");
    assertPasses(run(configured, vector(twilioVector())));
    Validator configuredWithQuery = preset("{\"name\":\"twilio\",\"secret\":\"12345\","
        + "\"url\":\"https://mycompany.com/myapp.php?foo=1&bar=2\"}");
    assertPasses(run(configuredWithQuery, vector(twilioVector())));
    Validator rebuilt = preset("twilio", "12345");
    // rebuilt from Host, path and query; then with the default port in Host (tried without it)
    assertPasses(run(rebuilt, vector(twilioVector())));
    assertPasses(run(rebuilt, vector(twilioVector().header("Host", "mycompany.com:443"))));
    assertUnauthorized("Invalid X-Twilio-Signature", run(rebuilt, vector(twilioVector().body(TWILIO_FORM.replace("1234", "9999")))));
    assertUnauthorized("Invalid X-Twilio-Signature", run(preset("twilio", "54321"), vector(twilioVector())));
    assertUnauthorized("Invalid X-Twilio-Signature", run(rebuilt, vector(twilioVector().path("/other.php"))));
    assertUnauthorized("Missing X-Twilio-Signature header", rebuilt.validateHead(Requests.post().build()));
  }

  @Test
  void twilioJsonBodySignsTheUrlWithBodySha256() throws Exception {
    String body = "{\"event\":\"com.twilio.messaging.inbound-message.received\"}";
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(body.getBytes(StandardCharsets.UTF_8)));
    String url = "https://hooks.example.com/webhook/sms?bodySHA256=" + hash;
    String signature = Base64.getEncoder().encodeToString(mac("HmacSHA1", SECRET, url));
    Validator twilio = preset("{\"name\":\"twilio\",\"secret\":\"" + SECRET
        + "\",\"url\":\"https://hooks.example.com/webhook/sms\"}");
    Requests request = Requests.post().path("/webhook/sms").query("bodySHA256", hash)
        .header("Content-Type", "application/json").body(body).header("X-Twilio-Signature", signature);
    assertPasses(run(twilio, request));
    assertUnauthorized("Invalid X-Twilio-Signature (bodySHA256 does not match the body)",
        run(twilio, request.body(body + " ")));
    String portSigned = Base64.getEncoder().encodeToString(mac("HmacSHA1", SECRET,
        "https://hooks.example.com:443/webhook/sms?bodySHA256=" + hash));
    assertPasses(run(twilio, Requests.post().path("/webhook/sms").query("bodySHA256", hash).body(body)
        .header("X-Twilio-Signature", portSigned)));
    // a configured URL with its own query: Twilio appends bodySHA256 to it
    String withQuery = "https://hooks.example.com/webhook/sms?tenant=a&bodySHA256=" + hash;
    assertPasses(run(preset("{\"name\":\"twilio\",\"secret\":\"" + SECRET
        + "\",\"url\":\"https://hooks.example.com/webhook/sms?tenant=a\"}"), withQuery(Requests.post()
        .path("/webhook/sms").body(body)
        .header("X-Twilio-Signature", Base64.getEncoder().encodeToString(mac("HmacSHA1", SECRET, withQuery))),
        "tenant", "a", "bodySHA256", hash)));
    assertPasses(run(preset("{\"name\":\"twilio\",\"secrets\":[\"old\",\"" + SECRET
        + "\"],\"url\":\"https://hooks.example.com/webhook/sms\"}"), request.body(body)));
  }

  // ---- config

  @Test
  void configRefusals() {
    assertEquals("provider.name: unknown provider 'strpe' (did you mean 'stripe'?); known: github, stripe, shopify, "
        + "slack, standard_webhooks, gitlab, twilio, paddle, linear",
        Requests.configProblem("{\"provider\":{\"name\":\"strpe\",\"secret\":\"x\"}}"));
    assertTrue(Requests.configProblem("{\"provider\":{\"name\":\"bitbucket\",\"secret\":\"x\"}}")
        .startsWith("provider.name: unknown provider 'bitbucket'; known: github,"));
    assertEquals("provider: the short form \"provider\": \"github\" has no place for the secret: write {\"name\": "
        + "\"github\", \"secret\": \"{$YOUR_SECRET_VARIABLE}\"}", Requests.configProblem("{\"provider\":\"github\"}"));
    assertEquals("provider.secret: secret not configured (\"secret\": \"...\", or \"secrets\": [...] during a "
        + "rotation)", Requests.configProblem("{\"provider\":{\"name\":\"github\"}}"));
    assertEquals("provider.name: is required: one of github, stripe, shopify, slack, standard_webhooks, gitlab, "
        + "twilio, paddle, linear", Requests.configProblem("{\"provider\":{}}"));
    assertEquals("provider: the entry also has a \"hmac\" block: provider github already checks the signature; keep "
        + "one of the two", Requests.configProblem(
            "{\"provider\":{\"name\":\"github\",\"secret\":\"x\"},\"hmac\":{\"secret\":\"y\"}}"));
    assertEquals("provider.tolerance_seconds: github signs no timestamp: there is no window to set (replay "
        + "protection is the dedup window)", Requests.configProblem(
            "{\"provider\":{\"name\":\"github\",\"secret\":\"x\",\"tolerance_seconds\":5}}"));
    assertEquals("provider.url: only the twilio preset reads \"url\"", Requests.configProblem(
        "{\"provider\":{\"name\":\"slack\",\"secret\":\"x\",\"url\":\"https://a.example/\"}}"));
    assertEquals("provider.sekret: unknown key (known: dedup, name, secret, secrets, tolerance_seconds, url)",
        Requests.configProblem("{\"provider\":{\"name\":\"slack\",\"sekret\":\"x\"}}"));
    assertEquals("provider.secrets[1]: must be a non-blank string", Requests.configProblem(
        "{\"provider\":{\"name\":\"slack\",\"secrets\":[\"a\",\"\"]}}"));
  }

  @Test
  void refusalsNeverContainTheSecret() throws Exception {
    for (String name : ProviderPresets.SPECS.keySet()) {
      String secret = name.equals("standard_webhooks")
          ? "whsec_" + Base64.getEncoder().encodeToString("secret-bytes-for-the-test".getBytes(StandardCharsets.UTF_8))
          : SECRET;
      Validator validator = preset(name, secret);
      Requests request = Requests.post().body(BODY).header("Host", "h.example")
          .header("X-Hub-Signature-256", "sha256=00").header("Stripe-Signature", "t=" + now() + ",v1=00")
          .header("X-Shopify-Hmac-SHA256", "AAAA").header("X-Slack-Signature", "v0=00")
          .header("X-Slack-Request-Timestamp", Long.toString(now())).header("webhook-id", "m")
          .header("webhook-timestamp", Long.toString(now())).header("webhook-signature", "v1,AAAA")
          .header("X-Gitlab-Token", "wrong").header("X-Twilio-Signature", "AAAA")
          .header("Paddle-Signature", "ts=" + now() + ";h1=00").header("Linear-Signature", "00");
      Throwable failure = Requests.failure(run(validator, request));
      assertFalse(failure.getMessage().contains(secret), name);
    }
  }
}
