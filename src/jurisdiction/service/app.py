"""The HTTP face of a :class:`~.service.Service`: a Starlette application (docs/service.md).

``POST /v1/decide/{question}`` (one fact set), ``POST /v1/decide`` (several fact sets or
questions), ``GET /v1/questions``, ``/v1/policy``, ``/v1/places/{code}``, ``/openapi.json``,
``/healthz``, ``/readyz``, ``POST /v1/admin/reload`` and the caseworker page at ``/``. Every
response carries ``X-Policy-Fingerprint``; every refusal is JSON with a stable code (never a
traceback); bodies are bounded in size and in the time they take to arrive.
"""

from __future__ import annotations

import asyncio
import datetime
import hmac
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.errors import ConflictError, FactsError, suggest
from ..engine.decision import _adapter as _decision_adapter
from .contract import openapi
from .problems import ApiError, Problem, problems_of
from .service import Service

if TYPE_CHECKING:
    from .._api import Engine
    from ..engine.decision import Decision

__all__ = ["FINGERPRINT_HEADER", "create_app"]

FINGERPRINT_HEADER = "X-Policy-Fingerprint"
PAGE = Path(__file__).resolve().parent / "page"
_LANGS = ("zh", "en")
_log = logging.getLogger("jurisdiction.service")


def _json(data: Any, status: int, fingerprint: str | None) -> Response:
    headers = {FINGERPRINT_HEADER: fingerprint} if fingerprint else None
    return JSONResponse(data, status_code=status, headers=headers)


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


# -- reading a request ----------------------------------------------------------------------


async def _body(request: Request, service: Service) -> bytes:
    """The body, refused (413) past the size limit and (503) past the time limit."""
    settings = service.settings
    limit = settings.max_body_bytes
    declared = request.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body-too-large", f"the body is larger than {limit} bytes")
    receive = request.receive  # the ASGI messages themselves: no generator per request
    chunks, size = [], 0
    try:
        async with asyncio.timeout(settings.timeout_seconds):
            while True:
                message = await receive()
                if message["type"] != "http.request":  # the client went away
                    raise ApiError(400, "bad-request", "the client closed the connection")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "body-too-large", f"the body is larger than {limit} bytes")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
    except TimeoutError:
        raise ApiError(
            503, "request-timeout", f"the body took over {settings.timeout_seconds}s to arrive"
        ) from None
    return b"".join(chunks)


def _lang(request: Request) -> str | None:
    if not request.scope["query_string"]:  # the usual case: no parameters to parse
        return None
    lang = request.query_params.get("lang")
    if lang is not None and lang not in _LANGS:
        raise ApiError(400, "bad-request", f"`lang` is zh or en, not {lang!r}")
    return lang


def as_of_parameter(request: Request) -> str | None:
    """The ``?as_of=YYYY-MM-DD`` of a decision request (None: as ``decide`` does, from the facts'
    date or today); a value that is no such day is a 400."""
    if not request.scope["query_string"]:
        return None
    as_of = request.query_params.get("as_of")
    if as_of is not None:
        try:
            datetime.date.fromisoformat(as_of)
        except ValueError:
            raise ApiError(
                400, "bad-request", f"`as_of` is a day, YYYY-MM-DD; got {as_of!r}"
            ) from None
    return as_of


def decide_as_of(engine: Engine, facts: BaseModel, question: str, as_of: str | None) -> Decision:
    """``engine.decide`` as of the request's day (or as ``decide`` chooses one, which the decision
    says)."""
    return engine.decide(facts, question, as_of=as_of)


def _unknown_question(engine: Engine, name: str, path: tuple[str | int, ...] = ()) -> ApiError:
    near = suggest(name, set(engine.policy.questions))
    hint = f" (did you mean `{near}`?)" if near else ""
    message = f"unknown question `{name}`{hint}; GET /v1/questions lists them"
    status = 404 if not path else 422
    return ApiError(
        status, "unknown-question", message, (Problem("unknown-question", path, message, near),)
    )


def _refused(exc: ValidationError, model: type[BaseModel], at: tuple[str | int, ...]) -> ApiError:
    errors = exc.errors()
    if any(
        e["type"] in ("json_invalid", "model_type", "dataclass_type") and not e["loc"]
        for e in errors
    ):
        return ApiError(400, "bad-request", "the body must be a JSON object: one fact set")
    problems = problems_of(exc, model, at)
    shown = "; ".join(f"{p.to_dict()['field'] or 'facts'}: {p.message}" for p in problems)
    return ApiError(422, "invalid-facts", f"invalid facts: {shown}", problems)


def _conflict(exc: ConflictError) -> ApiError:
    problems = tuple(
        Problem("rule-conflict", (), f"rule `{rid}` citing {cite}" + (f" at {loc}" if loc else ""))
        for rid, cite, loc in exc.rules
    )
    return ApiError(409, "rule-conflict", str(exc), problems)


def _fact_set(engine: Engine, value: Any, at: tuple[str | int, ...]) -> BaseModel:
    """One fact set of a request of several: its ``kind`` names its subject."""
    if not isinstance(value, dict):
        raise ApiError(
            422,
            "invalid-facts",
            "a fact set is a JSON object with a `kind`",
            (Problem("invalid-value", at, "a fact set is a JSON object with a `kind`"),),
        )
    subjects = engine.policy.subjects
    kind = value.get("kind")
    if not isinstance(kind, str) or kind not in subjects:
        near = suggest(kind, set(subjects)) if isinstance(kind, str) else None
        message = f"`kind` must be one of {', '.join(sorted(subjects))}, got {kind!r}"
        raise ApiError(
            422, "invalid-facts", message, (Problem("unknown-kind", (*at, "kind"), message, near),)
        )
    model = subjects[kind].model
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise _refused(exc, model, at) from None


# -- responses --------------------------------------------------------------------------------


def _decision_bytes(decision: Decision, decision_id: str, lang: str | None) -> bytes:
    """The decision's JSON with its id (and text) first: spliced, not parsed and dumped again."""
    raw = _decision_adapter().dump_json(decision)
    head = b'{"decision_id":"' + decision_id.encode() + b'",'
    if lang is not None:
        text = decision.render(lang)  # type: ignore[arg-type]
        head += b'"text":' + json.dumps(text, ensure_ascii=False).encode() + b","
    return head + raw[1:]


def _record(
    service: Service, decision: Decision, facts: BaseModel, started: float, as_of: str | None
) -> str:
    decision_id = uuid.uuid4().hex
    log = service.decision_log
    if log is not None:
        log.add(
            decision, facts, decision_id, time.time(), time.perf_counter() - started, decision.as_of
        )
    return decision_id


async def decide_one(request: Request) -> Response:
    service = _service(request)
    engine = service.engine  # read once: this engine decides the whole request
    name = request.path_params["question"]
    question = engine.policy.questions.get(name)
    if question is None:
        raise _unknown_question(engine, name)
    lang = _lang(request)
    as_of = as_of_parameter(request)
    body = await _body(request, service)
    started = time.perf_counter()
    model = engine.policy.subjects[question.subject].model
    try:
        facts = model.model_validate_json(body)
    except ValidationError as exc:
        raise _refused(exc, model, ()) from None
    try:
        decision = decide_as_of(engine, facts, name, as_of)
    except ConflictError as exc:
        raise _conflict(exc) from None
    except FactsError as exc:
        raise ApiError(
            422, "invalid-facts", str(exc), (Problem("invalid-value", (), str(exc)),)
        ) from None
    decision_id = _record(service, decision, facts, started, as_of)
    return Response(
        _decision_bytes(decision, decision_id, lang),
        media_type="application/json",
        headers={FINGERPRINT_HEADER: decision.policy_fingerprint},
    )


def _batch_shape(engine: Engine, data: Any) -> tuple[list[Any], bool, list[str] | None]:
    """The fact sets, whether they came as a list, and the questions of a request of several."""
    if not isinstance(data, dict) or "facts" not in data:
        raise ApiError(
            400, "bad-request", 'the body is a JSON object {"facts": ..., "questions": [...]}'
        )
    extra = sorted(set(data) - {"facts", "questions"})
    if extra:
        message = f"unknown key `{extra[0]}`; the keys are `facts` and `questions`"
        near = suggest(extra[0], ["facts", "questions"])
        raise ApiError(
            422, "invalid-facts", message, (Problem("unknown-field", (extra[0],), message, near),)
        )
    raw_sets = data["facts"]
    listed = isinstance(raw_sets, list)
    sets = raw_sets if listed else [raw_sets]
    if not sets:
        raise ApiError(
            422,
            "invalid-facts",
            "`facts` holds no fact set",
            (Problem("invalid-value", ("facts",), "no fact set"),),
        )
    asked = data.get("questions")
    if asked is not None and (
        not isinstance(asked, list) or not all(isinstance(q, str) for q in asked)
    ):
        raise ApiError(
            422,
            "invalid-facts",
            "`questions` is a list of question names",
            (Problem("invalid-value", ("questions",), "a list of question names"),),
        )
    for j, name in enumerate(asked or ()):
        if name not in engine.policy.questions:
            raise _unknown_question(engine, name, ("questions", j))
    return sets, listed, asked


def _batch_work(engine: Engine, data: Any, limit: int) -> list[tuple[BaseModel, str]]:
    """Each (fact set, question) a request of several asks, validated, in order."""
    sets, listed, asked = _batch_shape(engine, data)
    if len(sets) > limit:
        raise ApiError(
            413, "body-too-large", f"{len(sets)} fact sets; at most {limit} in one request"
        )
    facts = [
        _fact_set(engine, v, ("facts", i) if listed else ("facts",)) for i, v in enumerate(sets)
    ]
    work: list[tuple[BaseModel, str]] = []
    for i, model in enumerate(facts):
        subject = engine.subject_of(model)
        for name in asked if asked else engine.questions(subject):
            q = engine.policy.questions[name]
            if q.subject != subject:
                message = (
                    f"question `{name}` is about a {q.subject}, fact set {i} describes a {subject}"
                )
                raise ApiError(
                    422,
                    "wrong-subject",
                    message,
                    (Problem("wrong-subject", ("facts", i) if listed else ("facts",), message),),
                )
            work.append((model, name))
    if len(work) > limit:
        raise ApiError(
            413, "body-too-large", f"{len(work)} decisions asked; at most {limit} in one request"
        )
    return work


async def decide_many(request: Request) -> Response:
    service = _service(request)
    engine = service.engine
    lang = _lang(request)
    as_of = as_of_parameter(request)
    body = await _body(request, service)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise ApiError(400, "bad-request", "the body is not JSON") from None
    work = _batch_work(engine, data, service.settings.max_decisions)

    def run() -> list[bytes]:
        out = []
        for model, name in work:
            started = time.perf_counter()
            decision = decide_as_of(engine, model, name, as_of)
            out.append(
                _decision_bytes(decision, _record(service, decision, model, started, as_of), lang)
            )
        return out

    try:
        async with asyncio.timeout(service.settings.timeout_seconds):
            parts = await run_in_threadpool(run)
    except TimeoutError:
        raise ApiError(
            503, "request-timeout", f"deciding took over {service.settings.timeout_seconds}s"
        ) from None
    except ConflictError as exc:
        raise _conflict(exc) from None
    except FactsError as exc:  # facts the models took that an answer cannot use (a place unset)
        raise ApiError(
            422, "invalid-facts", str(exc), (Problem("invalid-value", ("facts",), str(exc)),)
        ) from None
    fingerprint = engine.policy.fingerprint
    content = (
        b'{"decisions":['
        + b",".join(parts)
        + b'],"policy_fingerprint":"'
        + fingerprint.encode()
        + b'"}'
    )
    return Response(
        content, media_type="application/json", headers={FINGERPRINT_HEADER: fingerprint}
    )


# -- reading the policy ---------------------------------------------------------------------


async def questions(request: Request) -> Response:
    engine = _service(request).engine
    policy = engine.policy
    data = [
        {
            "name": name,
            "subject": q.subject,
            "title": {"zh": q.title.zh, "en": q.title.en},
            "cites": [str(c) for c in q.cites],
        }
        for name, q in policy.questions.items()
    ]
    return _json(
        {"questions": data, "policy_fingerprint": policy.fingerprint}, 200, policy.fingerprint
    )


@lru_cache(maxsize=4)  # by engine: the one in use, and a few a reload replaced
def _policy_view(engine: Engine) -> dict[str, Any]:
    from .views import policy_view

    return policy_view(engine.policy)


async def policy(request: Request) -> Response:
    engine = _service(request).engine
    return _json(_policy_view(engine), 200, engine.policy.fingerprint)


async def place(request: Request) -> Response:
    from .views import place_view

    engine = _service(request).engine
    return _json(
        place_view(engine.policy, request.path_params["code"]), 200, engine.policy.fingerprint
    )


@lru_cache(maxsize=8)
def _openapi(engine: Engine, token: bool) -> bytes:
    return json.dumps(openapi(engine.policy, token=token), ensure_ascii=False).encode()


async def openapi_json(request: Request) -> Response:
    service = _service(request)
    engine = service.engine
    fingerprint = engine.policy.fingerprint
    content = _openapi(engine, service.settings.token is not None)
    return Response(
        content, media_type="application/json", headers={FINGERPRINT_HEADER: fingerprint}
    )


async def healthz(request: Request) -> Response:
    return _json({"status": "ok"}, 200, _service(request).engine.policy.fingerprint)


async def readyz(request: Request) -> Response:
    engine = _service(request).engine
    fingerprint = engine.policy.fingerprint
    return _json(
        {"status": "ready", "policy": engine.policy.name, "policy_fingerprint": fingerprint},
        200,
        fingerprint,
    )


async def reload(request: Request) -> Response:
    service = _service(request)
    if service.settings.token is None:
        raise ApiError(
            403,
            "reload-disabled",
            "reloading over HTTP needs the service started with --token-file",
        )
    done = await run_in_threadpool(service.reload)
    if not done.ok:
        problems = tuple(Problem("reload-failed", (), p) for p in done.problems)
        raise ApiError(
            409, "reload-failed", f"{done.message}; still serving {done.previous}", problems
        )
    return _json(done.to_dict(), 200, done.fingerprint)


# -- the page -------------------------------------------------------------------------------

_PAGE_FILES = {"page.js": "text/javascript", "page.css": "text/css"}
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'",
    "X-Content-Type-Options": "nosniff",
}


async def page(request: Request) -> Response:
    return FileResponse(PAGE / "index.html", media_type="text/html", headers=_PAGE_HEADERS)


async def page_file(request: Request) -> Response:
    name = request.path_params["name"]
    media = _PAGE_FILES.get(name)
    if media is None:
        raise ApiError(404, "not-found", f"no such file of the page: {name}")
    return FileResponse(PAGE / name, media_type=media, headers=_PAGE_HEADERS)


# -- guards and errors ----------------------------------------------------------------------

_OPEN = ("/healthz", "/readyz")


def _authorised(request: Request, token: str) -> None:
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if not given:
        raise ApiError(401, "missing-token", "this service needs `Authorization: Bearer <token>`")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        value.strip().encode(), token.encode()
    ):
        raise ApiError(401, "bad-token", "the bearer token is not this service's")


class _TokenGuard:
    """The bearer token, required of every request under ``/v1/`` and of ``/openapi.json``."""

    def __init__(
        self,
        app: ASGIApp,
        token: str,
        refuse: Callable[[Request, Exception], Awaitable[Response]],
    ) -> None:
        self.app, self.token, self.refuse = app, token, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if path.startswith("/v1/") or path == "/openapi.json":
                request = Request(scope, receive)
                try:
                    _authorised(request, self.token)
                except ApiError as exc:
                    response = await self.refuse(request, exc)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def create_app(service: Service, *, sighup: bool = False) -> Starlette:
    """The application serving ``service``. With ``sighup``, the signal SIGHUP reloads the
    policy (a server's main thread only: ``jurisdiction serve`` asks for it)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if sighup:
            _on_sighup(service)
        try:
            yield
        finally:
            service.close()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        fingerprint = service.engine.policy.fingerprint
        response = _json(exc.body(fingerprint), exc.status, fingerprint)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "bad-request")
        error = ApiError(exc.status_code, code, str(exc.detail))
        response = await api_error(request, error)
        for name, value in (exc.headers or {}).items():  # a 405's Allow, say
            response.headers[name] = value
        return response

    async def internal_error(request: Request, exc: Exception) -> Response:
        _log.exception("internal error on %s %s", request.method, request.url.path)
        error = ApiError(500, "internal-error", "the service failed; its log says why")
        return await api_error(request, error)

    routes = [
        Route("/v1/decide/{question}", decide_one, methods=["POST"]),
        Route("/v1/decide", decide_many, methods=["POST"]),
        Route("/v1/questions", questions, methods=["GET"]),
        Route("/v1/policy", policy, methods=["GET"]),
        Route("/v1/places/{code}", place, methods=["GET"]),
        Route("/v1/admin/reload", reload, methods=["POST"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/", page, methods=["GET"]),
        Route("/page/{name}", page_file, methods=["GET"]),
    ]
    token = service.settings.token
    guard = [Middleware(_TokenGuard, token=token, refuse=api_error)] if token is not None else []
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=guard,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            Exception: internal_error,
        },
    )
    app.state.service = service
    return app


_RELOADS: set[asyncio.Task[None]] = set()
"""Reloads under way (the loop keeps only weak references to its tasks)."""


def _on_sighup(service: Service) -> None:
    import signal

    loop = asyncio.get_running_loop()

    def reload() -> None:
        async def run() -> None:
            done = await run_in_threadpool(service.reload)
            level = logging.INFO if done.ok else logging.ERROR
            _log.log(
                level, "SIGHUP: %s: %s %s", done.message, done.fingerprint, "; ".join(done.problems)
            )

        task = loop.create_task(run())
        _RELOADS.add(task)
        task.add_done_callback(_RELOADS.discard)

    try:
        loop.add_signal_handler(signal.SIGHUP, reload)
    except (NotImplementedError, RuntimeError, ValueError):  # no signals here (not the main thread)
        _log.warning("SIGHUP cannot reload here; POST /v1/admin/reload can")
