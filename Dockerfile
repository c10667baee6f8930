# The service image: `docker run -v syncer-data:/app/var IMAGE` runs the daemon on SQLite;
# set SYNCER_DATABASE_URL for PostgreSQL and SYNCER_SECRET_KEY for the credential key.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY syncer ./syncer
COPY adapters ./adapters
RUN pip install --no-cache-dir --prefix=/install -c constraints.txt .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 syncer
WORKDIR /app
COPY --from=build /install /usr/local
COPY config ./config
RUN mkdir -p /app/var && chown syncer:syncer /app/var
USER syncer
VOLUME ["/app/var"]
ENV SYNCER_CONFIG=/app/config/syncer.toml
# The web pages and API listen on all interfaces inside the container (127.0.0.1 outside it).
ENV SYNCER_WEB__HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["syncer"]
CMD ["run"]
