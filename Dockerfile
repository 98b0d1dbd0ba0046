# Maildesk image: the server binary, the browser app built into it (build-frontend.sh runs
# before the server's build, whose build.rs embeds frontend/dist).
FROM rust:1.95-bookworm AS build
WORKDIR /src
ENV CARGO_TARGET_DIR=/target
COPY . .
RUN bash scripts/build-frontend.sh \
 && cargo build --release -p maildesk-server --bin maildesk \
 && cp "$CARGO_TARGET_DIR/release/maildesk" /maildesk


FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
# Not root: a hole in the server is then not root in the container. The data folder is made
# here and owned by that user, so a fresh named volume mounted on it starts out writable.
RUN groupadd --system --gid 10001 maildesk \
 && useradd --system --uid 10001 --gid maildesk --home-dir /var/lib/maildesk --shell /usr/sbin/nologin maildesk \
 && mkdir -p /var/lib/maildesk \
 && chown maildesk:maildesk /var/lib/maildesk
COPY --from=build /maildesk /usr/local/bin/maildesk
ENV MAILDESK__HTTP__BIND=0.0.0.0:8080 \
    MAILDESK__DATA_DIR=/var/lib/maildesk
VOLUME /var/lib/maildesk
USER 10001:10001
EXPOSE 8080
HEALTHCHECK CMD curl -fsS http://127.0.0.1:8080/api/v1/health || exit 1
ENTRYPOINT ["maildesk"]
CMD ["serve"]
