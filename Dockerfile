# The decision service (docs/service.md): `jurisdiction serve` as an unprivileged user.
#   docker build -t jurisdiction .
#   docker run --rm -p 8000:8000 jurisdiction                                   # bundled policy
#   docker run --rm -p 8000:8000 -v "$PWD/my-policy:/policy:ro" jurisdiction /policy
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

COPY pyproject.toml README.md /build/
COPY src /build/src
COPY policies /build/policies
COPY schemas /build/schemas
RUN pip install '/build[serve]' && rm -rf /build \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin jurisdiction

USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# inside the container the service listens on every interface; only the published port is reachable
ENTRYPOINT ["jurisdiction", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD []
