# livespec: a static binary on distroless, running as a non-root user.
#   docker build -t livespec .
#   docker run --rm livespec --help

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so code changes do not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/livespec ./cmd/livespec

# distroless/static: CA certificates (git over HTTPS) and tzdata, no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/livespec /usr/local/bin/livespec
# uid/gid 65532; HOME and /data hold the clones and caches.
USER nonroot:nonroot
WORKDIR /data
ENV HOME=/data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/livespec"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
