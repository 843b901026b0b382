# Rehearse: a slim, non-root image. Build: docker build -t rehearse .
# Stage 1 builds wheels for the project and its dependencies; stage 2 installs only those.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY dialogue ./dialogue
COPY server ./server
COPY scenarios ./scenarios
COPY web ./web
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REHEARSE_DB=sqlite:////data/rehearse.sqlite3
RUN useradd --create-home --uid 10001 rehearse \
    && mkdir /data && chown rehearse /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels rehearse && rm -rf /wheels
USER rehearse
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["rehearse", "serve", "--host", "0.0.0.0", "--port", "8000"]
