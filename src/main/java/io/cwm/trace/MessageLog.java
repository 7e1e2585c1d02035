package io.cwm.trace;

import org.slf4j.MDC;

/**
 * The message a log line is about, in the logging MDC ({@code message_id}, {@code webhook_id}) for
 * the lines written inside the scope, so one grep (or a JSON log search) finds the whole story of
 * a webhook across the receiver and the connector; the console pattern prints them
 * ({@code logback.xml}). Used around the log calls about one message, on whatever thread writes
 * them: work on an event loop interleaves many messages, so nothing is left in the MDC after the
 * scope closes (it restores what was there).
 *
 * <pre>{@code try (MessageLog scope = MessageLog.of(messageId, webhookId)) { LOG.warn(...); }}</pre>
 */
public final class MessageLog implements AutoCloseable {
  public static final String MESSAGE_ID = "message_id";
  public static final String WEBHOOK_ID = "webhook_id";

  private final String previousMessage;
  private final String previousWebhook;

  private MessageLog(String messageId, String webhookId) {
    previousMessage = MDC.get(MESSAGE_ID);
    previousWebhook = MDC.get(WEBHOOK_ID);
    put(MESSAGE_ID, messageId);
    put(WEBHOOK_ID, webhookId);
  }

  /** Puts the message's ids in the MDC until {@link #close}; a null id leaves its key unset. */
  public static MessageLog of(String messageId, String webhookId) {
    return new MessageLog(messageId, webhookId);
  }

  @Override
  public void close() {
    put(MESSAGE_ID, previousMessage);
    put(WEBHOOK_ID, previousWebhook);
  }

  private static void put(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
