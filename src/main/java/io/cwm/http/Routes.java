package io.cwm.http;

import io.vertx.ext.web.Router;

/**
 * The routes one area adds to a listener's router (the webhooks, the streaming API, the admin
 * API, the service endpoints). Built once per process from the area's own dependencies; mounted
 * once per listener instance, whose {@link Edge} holds what is per instance.
 */
@FunctionalInterface
public interface Routes {
  void mount(Router router, Edge edge);
}
