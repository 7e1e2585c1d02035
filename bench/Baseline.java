// Minimal Vert.x 5 HTTP server for the cwm ingest benchmark: reads the request body, answers
// 200 {"message":"200 OK"} and does nothing else.
//   java -cp target/cwm.jar bench/Baseline.java PORT [INSTANCES]
// INSTANCES defaults to Vert.x's default event-loop pool size (2 x cores), which is how many
// ingest instances the receiver deploys ("instances": "event-loops" in verticles.json).
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

public class Baseline {
  static final Buffer OK = Buffer.buffer("{\"message\":\"200 OK\"}");

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: Baseline PORT [INSTANCES]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    VertxOptions options = new VertxOptions();
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : options.getEventLoopPoolSize();
    Vertx vertx = Vertx.vertx(options);
    vertx.deployVerticle(() -> new Server(port), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening on http://127.0.0.1:" + port
            + " (instances=" + instances + ", event loops=" + options.getEventLoopPoolSize()
            + ", cores=" + Runtime.getRuntime().availableProcessors() + ")"))
        .onFailure(failure -> {
          System.err.println("baseline did not start: " + failure);
          System.exit(1);
        });
  }

  static final class Server extends VerticleBase {
    private final int port;

    Server(int port) {
      this.port = port;
    }

    @Override
    public Future<?> start() {
      HttpServer server = vertx.createHttpServer();
      server.requestHandler(req -> req.body()
          .onSuccess(body -> req.response().putHeader("Content-Type", "application/json").end(OK))
          .onFailure(failure -> req.response().setStatusCode(400).end()));
      return server.listen(port, "127.0.0.1");
    }
  }
}
