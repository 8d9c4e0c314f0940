# Orderflow's image: one image, any set of roles (ORDERFLOW_ROLES). nats-server is not in it: point the service at
# a NATS server or cluster with ORDERFLOW_NATS_URL.
#
#   docker build -t orderflow .
#   docker run -e ORDERFLOW_NATS_URL=nats://nats:4222 -p 8080:8080 orderflow
#
# The base images are build arguments, so that a machine without access to a public registry can build from images
# of its own (bin/container-smoke does).
ARG BUILD_IMAGE=maven:3.9.11-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17.0.16_8-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY conf conf
COPY src src
# -Dmaven.test.skip: tests run in the project's own build, not in the image's; -Dexec.skip: the build's nats-server
# download (bin/ensure-nats-server) is for tests, and the image has no nats-server.
RUN mvn -B -ntp -q -Dmaven.test.skip=true -Dexec.skip=true package

FROM ${RUNTIME_IMAGE}
# A user of its own, without a login shell or a writable home besides the data folder.
RUN groupadd --system --gid 10001 orderflow \
 && useradd --system --uid 10001 --gid orderflow --home-dir /app --shell /usr/sbin/nologin orderflow \
 && mkdir -p /app/data \
 && chown orderflow:orderflow /app/data
WORKDIR /app
COPY --from=build /src/target/orderflow.jar /app/orderflow.jar
COPY deploy/container/healthcheck /usr/local/bin/orderflow-healthcheck

# Every setting is an environment variable (docs/operations.md, "Configuration"); these are the container's
# defaults. The parallel collector: on two cores it gave more orders per second than G1, at lower latency; the pauses
# it adds stay short because little outlives a request. epoll for the event loops: container runtimes' default
# seccomp profiles (podman's, Docker's) refuse io_uring, and the service would warn of it at every start; set
# ORDERFLOW_TRANSPORT=io_uring where the runtime's profile allows it (docs/adr/0007-io-uring-by-default.md). The heap
# takes 60 % of the container's memory: the rest holds the JVM's own (metaspace, code, threads, Netty's buffers) and,
# for the orders role, the order list's RocksDB, about 150 MiB (docs/adr/0008-order-index-store.md).
ENV ORDERFLOW_HTTP_PORT=8080 \
    ORDERFLOW_TRANSPORT=epoll \
    ORDERFLOW_GATEWAY_PORT=8090 \
    ORDERFLOW_DATA_DIR=/app/data \
    ORDERFLOW_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
EXPOSE 8080 8090
# Ready, not only live: Docker and compose then hold dependants back until NATS and the topology are in place.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["orderflow-healthcheck"]
# java is PID 1, so SIGTERM reaches the service's graceful shutdown directly (about 15 s at most).
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/orderflow.jar"]
