# The fieldops binary, built from source; migrations, templates and static files are embedded in it.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /fieldops ./cmd/fieldops

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /fieldops /fieldops
EXPOSE 8080
ENTRYPOINT ["/fieldops"]
CMD ["serve"]
