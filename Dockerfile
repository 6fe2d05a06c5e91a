# syntax=docker/dockerfile:1
# A minimal Stanzagate image: the self-contained executable on distroless/cc (glibc and nothing
# else: no shell, no package manager), running as an unprivileged user.
#   docker build -t stanzagate .            (docker buildx build --platform linux/arm64 ... for arm64)
#   docker run -v ./routes.yaml:/etc/stanzagate/routes.yaml:ro -v stanzagate:/var/lib/stanzagate \
#     -e STANZAGATE_SECRET -p 5280:5280 stanzagate
# routes.yaml must listen on all interfaces inside the container: `http: { listen: "0.0.0.0:5280" }`,
# and keep the outbox in the volume: `store: /var/lib/stanzagate/stanzagate.db` (a relative store
# is relative to routes.yaml's directory, /etc/stanzagate, mounted read-only).

# Build: npm installs Bun (the `bun` devDependency) for the build platform from the lockfile.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY plugins ./plugins
RUN node_modules/.bin/bun build src/main.ts --compile --minify --bytecode --outfile /out/stanzagate \
 && /out/stanzagate --version \
 && mkdir -p /out/state

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/stanzagate /usr/local/bin/stanzagate
# The outbox (`store: /var/lib/stanzagate/stanzagate.db`) lives in this volume.
COPY --from=build --chown=65532:65532 /out/state /var/lib/stanzagate
WORKDIR /var/lib/stanzagate
VOLUME /var/lib/stanzagate
USER nonroot
EXPOSE 5280
# SIGTERM (docker stop) drains: requests in flight finish and the outbox is flushed (up to 5 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/stanzagate"]
CMD ["--config", "/etc/stanzagate/routes.yaml"]
