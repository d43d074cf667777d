# syntax=docker/dockerfile:1
# de.NBI Service Registry: static binary on a distroless base, running as non-root.

FROM golang:1.26-bookworm AS build
# PocketBase v0.40 needs Go 1.27; the go command downloads it.
ENV GOTOOLCHAIN=go1.27.3 CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.0.0-dev
RUN go build -trimpath -ldflags "-s -w -X github.com/denbi/service-registry/internal/buildinfo.Version=${VERSION}" -o /out/registry . \
 && mkdir -p /out/pb_data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/registry /registry
COPY --from=build --chown=nonroot:nonroot /out/pb_data /pb_data
USER nonroot:nonroot
VOLUME /pb_data
EXPOSE 8090
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/registry", "healthcheck"]
ENTRYPOINT ["/registry"]
CMD ["serve", "--http=0.0.0.0:8090", "--dir=/pb_data"]
