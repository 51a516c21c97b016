# livespec: a static binary on distroless, running as a non-root user.
#   docker build -t livespec .
#   docker run --rm livespec --help

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so code changes do not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/livespec ./cmd/livespec \
 && mkdir -p /out/data

# distroless/static: CA certificates (git over HTTPS) and tzdata, no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/livespec /usr/local/bin/livespec
# /data holds clones and caches. It belongs to the nonroot user (65532), and
# a named volume mounted there starts with that ownership.
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV HOME=/data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/livespec"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
