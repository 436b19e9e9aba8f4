# syntax=docker/dockerfile:1
# Build stage: the same steps as the README (scripts/setup.sh, then trunk build).
FROM rust:1.95.0-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev ca-certificates nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/setup.sh && trunk build --release

# Serve stage: a static web server for dist/.
FROM nginx:1.27.3-alpine
COPY docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY docker/headers.conf /etc/nginx/headers.conf
COPY --from=build /src/dist /usr/share/nginx/html
EXPOSE 8080
