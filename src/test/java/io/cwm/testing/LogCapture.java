package io.cwm.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger (and its children) logs while open: {@code try (LogCapture log = ...)}. */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level levelBefore;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String name, Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    levelBefore = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    appender.start();
    logger.addAppender(appender);
  }

  private LogCapture(String name) {
    this(name, null);
  }

  /** Captures {@code name} from {@code level} up (the logger's level is restored on close). */
  public static LogCapture of(String name, Level level) {
    return new LogCapture(name, level);
  }

  /** Captures {@code name} and the loggers below it. */
  public static LogCapture of(String name) {
    return new LogCapture(name);
  }

  public static LogCapture of(Class<?> type) {
    return new LogCapture(type.getName());
  }

  /** The formatted messages logged at {@code level} so far. */
  public List<String> messages(Level level) {
    return events().stream().filter(event -> event.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** Every formatted message logged so far, at any level. */
  public List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private List<ILoggingEvent> events() {
    synchronized (appender) { // AppenderBase appends under the appender's lock
      return new ArrayList<>(appender.list);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(levelBefore);
  }
}
