"""Running the service under uvicorn: loopback unless told otherwise, SIGHUP reloads the policy,
the decision log flushed when the server stops (SIGINT or SIGTERM)."""

from __future__ import annotations

from .app import create_app
from .service import Service

__all__ = ["run"]


def run(service: Service, host: str, port: int, *, access_log: bool = False) -> None:
    """Serve until stopped. The server's own limits: an idle keep-alive connection is closed
    after 5 s, at most 1000 connections are open at once (the rest get 503)."""
    import logging

    import uvicorn

    said = logging.getLogger("jurisdiction.service")  # reloads and failures, beside uvicorn's
    if not said.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        said.addHandler(handler)
        said.setLevel(logging.INFO)
        said.propagate = False
    app = create_app(service, sighup=True)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=access_log,
        log_level="info",
        limit_concurrency=1000,
        timeout_keep_alive=5,
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
