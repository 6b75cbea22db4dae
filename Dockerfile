# qbridge container: Maven build stage, then a Java 17 JRE runtime running as a non-root user.
#   docker build -t qbridge .
#   docker run -p 8000:8000 -v qbridge-data:/data --env-file .env qbridge

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first: this layer is reused while only the sources change
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY templates templates
COPY webroot webroot
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# curl is only for the HEALTHCHECK below
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin qbridge \
 && mkdir -p /data /app/conf \
 && chown qbridge /data
WORKDIR /app
COPY --from=build /src/target/qbridge.jar /app/qbridge.jar
COPY templates /app/templates
COPY conf/config.yaml.example /app/conf/config.yaml.example

# The account database lives on the volume; mount conf/config.yaml or pass env vars to configure.
# JVM flags: docs/benchmarks.md "Recommended JVM settings" (small serial-GC heap: RSS follows allocation).
ENV DATABASE_URL=jdbc:sqlite:/data/data.sqlite3 \
    PORT=8000 \
    HOST=0.0.0.0 \
    JAVA_OPTS="-Xms64m -Xmx384m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=96m -XX:+ExitOnOutOfMemoryError"
VOLUME /data
EXPOSE 8000
USER qbridge
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# exec: java is PID 1 and gets SIGTERM, so the graceful shutdown (SHUTDOWN_GRACE_SECONDS) runs
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/qbridge.jar"]
