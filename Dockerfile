# cwm image: the fat jar on a JRE, run as an unprivileged user.
#
#   docker build -t ghcr.io/cwm/cwm:0.1.0 .
#   docker run --rm -p 8000:8000 --env-file secrets.env -v "$PWD/conf:/etc/cwm:ro" ghcr.io/cwm/cwm:0.1.0
#       (secrets.env: the real values of the files' {$VAR}s; placeholders and the example config's
#       demo secrets are refused on a container's public interface)
#   docker run --rm --no-healthcheck -v "$PWD/connector.json:/etc/cwm/connector.json:ro" \
#       ghcr.io/cwm/cwm:0.1.0 connector --config /etc/cwm/connector.json
#
# The arguments after the image name replace CMD (the role and its files); ENTRYPOINT stays.
# src/test/java/io/cwm/deploy/DeploymentManifestsTest checks this file against k8s/ and the jar.

# ---- build: the same command as a local build, dependencies cached in their own layer
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
# pom.xml alone first: this layer (every dependency and plugin) is rebuilt only when the pom changes
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY verticles.json ./
COPY src/main ./src/main
# -Dmdep.skip: the pom's dependency:copy fetches the S3 mock server jar for the tests only
RUN mvn -B -q package -DskipTests -Dmdep.skip=true

# ---- runtime
FROM eclipse-temurin:17-jre
# curl for HEALTHCHECK: installed explicitly rather than relying on what the base image happens to
# ship (the JRE has no javac, so a java-source health check cannot run either)
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 cwm \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/cwm --no-create-home \
      --shell /usr/sbin/nologin cwm \
 && mkdir -p /app /etc/cwm /var/lib/cwm/data \
 && chown -R 10001:10001 /var/lib/cwm
COPY --from=build /build/target/cwm.jar /app/cwm.jar

# the working directory is the writable one: save_to_disk's relative paths land under it, and a
# ./verticles.json there would replace the copy inside the jar
WORKDIR /var/lib/cwm
# -XX:MaxRAMPercentage: the heap follows the container's memory limit;
# ExitOnOutOfMemoryError: an OOM ends the process (and the orchestrator restarts it) instead of
# leaving a half-working JVM
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    WEBHOOK_CONNECT_DATA_DIR=/var/lib/cwm/data
# numeric, so that Kubernetes' runAsNonRoot can verify it
USER 10001:10001
# 8000: public port (PORT); 5701: Hazelcast member port of a clustered receiver (CWM_CLUSTER_PORT)
EXPOSE 8000 5701
# /health is the receiver's liveness answer; the connector role serves no HTTP: run it with
# --no-healthcheck (Kubernetes ignores HEALTHCHECK and uses the probes of k8s/)
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT:-8000}/health" || exit 1
ENTRYPOINT ["java", "-jar", "/app/cwm.jar"]
CMD ["receiver", "--webhooks", "/etc/cwm/webhooks.json", "--connections", "/etc/cwm/connections.json"]
