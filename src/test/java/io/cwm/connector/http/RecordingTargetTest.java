package io.cwm.connector.http;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A recording HTTP target per test, and the deliverer under test closed after it. */
@ExtendWith(VertxExtension.class)
abstract class RecordingTargetTest {
  protected RecordingTarget server;
  protected HttpDeliverer deliverer;

  @BeforeEach
  void startTarget(Vertx vertx) throws Exception {
    server = RecordingTarget.start(vertx);
  }

  @AfterEach
  void closeDeliverer() throws Exception {
    if (deliverer != null) {
      deliverer.close().await();
    }
  }
}
