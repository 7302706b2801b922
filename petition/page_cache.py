"""Answer repeat visits to public pages from memory for a few seconds, in each app process.

A refresh storm on the endorser list or a platform page would otherwise cost a database query
and a template rendering per visit. This cache sits in front of the app as a WSGI middleware,
like a small CDN inside each process: a GET whose response the app marked publicly cacheable
(`http_cache.public_cache`: status 200, `Cache-Control: public`), which sets no cookie, varies
on nothing and has a body of known, modest size (streamed downloads are never kept), is kept
for PUBLIC_PAGE_CACHE_SECONDS (default 2; 0 turns the cache off) under its path and query
string. A repeat within that time is answered without running the app, with an `Age` header;
after it, one request renders the page again while the others still get the old copy (for at
most STALE_SECONDS more), so a refresh storm costs one rendering per page and process.

Only what the app already serves to anyone is kept, so nothing private can leak through it.
Freshness: a commit in this process that changes what the public may see (an endorsement that
is or was approved, a platform, its texts or resources, or a bulk statement on such a table:
each model declares whether its rows can appear on a public page) empties this process's cache
at once. With REDIS_URL set, the same commit also bumps a generation counter in Redis, which
every process reads (at most every SYNC_SECONDS) before it answers from memory: a process that
sees a newer generation empties its cache first, so a withdrawal or a moderation decision is
gone from every process's pages within SYNC_SECONDS (0.1 s). Without Redis, or while Redis
cannot be reached, other processes notice within PUBLIC_PAGE_CACHE_SECONDS + STALE_SECONDS
(3 seconds by default), when their copies expire.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session
from werkzeug.wsgi import host_is_trusted

from . import metrics
from .extensions import db
from .i18n import LANGUAGES

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 2
# While one request renders a fresh copy of a page, others get the expired one for at most
# this long, or wait at most WAIT_SECONDS for the fresh one when there is none.
STALE_SECONDS = 1
WAIT_SECONDS = 2
# A page larger than this is served as it comes (the endorser list is ~20-40 KB).
MAX_ENTRY_BYTES = 512 * 1024
# Bounds the memory of a process's cache: the oldest pages go first.
MAX_TOTAL_BYTES = 8 * 1024 * 1024
# What empties the cache is declared by the models themselves, so this module knows no
# feature: a model whose rows never appear on a public page says so with a class attribute
# `never_on_public_pages = True` (a sign-on's token and email, the relay's bookkeeping, an
# admin's login leave cached pages as they are), and a model with a finer rule gives a method
# `may_change_public_pages()` (an endorsement matters only if it is or was approved).
# Alembic's own table is not a model.
NOT_MODELS = frozenset({"alembic_version"})
_CHANGED = "page_cache.public_data_changed"
# How often a process asks Redis for the generation (so at most this much lag between
# processes), how long it waits for the answer, and how long it leaves Redis alone after a
# failure (its pages then expire on their own, as without Redis).
SYNC_SECONDS = 0.1
REDIS_TIMEOUT_SECONDS = 0.25
REDIS_RETRY_SECONDS = 5
_NOT_SEEN, _FAILED = object(), object()
_LANGUAGE_PREFIXES = tuple(f"/{lang}/" for lang in LANGUAGES)


@dataclass(frozen=True)
class _Entry:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    stored: float
    expires: float


class PageCache:
    """The WSGI middleware: serve kept responses, keep new ones that may be kept.

    One request at a time renders a given page; while it does, the others get the copy that
    just expired (for at most STALE_SECONDS more) or, if there is none, wait for it briefly.
    A refresh storm thus costs one rendering per page per process every few seconds.
    """

    def __init__(self, wsgi_app: Callable, app: Flask):
        self.wsgi_app = wsgi_app
        self.config = app.config
        self._entries: dict[tuple, _Entry] = {}
        self._rendering: dict[tuple, threading.Event] = {}
        self._size = 0
        # Bumped by clear(): a page rendered from data older than the last change is not kept.
        self._generation = 0
        self._lock = threading.Lock()
        self.shared = SharedGeneration(app) if app.config.get("REDIS_URL") else None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seconds = self.config.get("PUBLIC_PAGE_CACHE_SECONDS", DEFAULT_SECONDS)
        if self.shared is not None and self.shared.changed_elsewhere():
            self.clear()
        if seconds <= 0 or environ.get("REQUEST_METHOD") != "GET":
            return self.wsgi_app(environ, start_response)
        if not host_is_trusted(environ.get("HTTP_HOST"), self.config.get("TRUSTED_HOSTS")):
            # Flask's own check (TRUSTED_HOSTS): a Host that is not ours gets its 400 from
            # the app, never a page kept for other visitors.
            return self.wsgi_app(environ, start_response)
        key = _key(environ)
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            return self._serve(entry, now, start_response)
        with self._lock:
            done = self._rendering.get(key)
            leader = done is None
            if leader:
                done = self._rendering[key] = threading.Event()
            generation = self._generation
        if not leader:
            if entry is not None and now < entry.expires + STALE_SECONDS:
                return self._serve(entry, now, start_response)
            if done.wait(WAIT_SECONDS):
                now = time.monotonic()
                entry = self._entries.get(key)
                if entry is not None and entry.expires > now:
                    return self._serve(entry, now, start_response)
            return self.wsgi_app(environ, start_response)
        try:
            return self._render(key, environ, start_response, seconds, generation)
        finally:
            with self._lock:
                self._rendering.pop(key, None)
            done.set()

    def _serve(self, entry: _Entry, now: float, start_response: Callable) -> list[bytes]:
        metrics.PAGE_CACHE_HITS.inc()
        start_response(entry.status, [*entry.headers, ("Age", str(int(now - entry.stored)))])
        return [entry.body]

    def _render(
        self, key: tuple, environ: dict, start_response: Callable, seconds: float, generation: int
    ) -> Iterable[bytes]:
        answer: dict = {}

        def remember(status, headers, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        started = time.monotonic()
        result = self.wsgi_app(environ, remember)
        if not _may_keep(answer.get("status", ""), answer.get("headers", [])):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        # A request's own id is not part of the page: later answers from memory carry none.
        headers = [(k, v) for k, v in answer["headers"] if k.lower() != "x-request-id"]
        entry = _Entry(answer["status"], headers, body, started, started + seconds)
        with self._lock:
            if generation == self._generation:
                old = self._entries.pop(key, None)
                self._size += len(body) - (len(old.body) if old else 0)
                self._entries[key] = entry
                while self._size > MAX_TOTAL_BYTES:
                    oldest = next(iter(self._entries))
                    self._size -= len(self._entries.pop(oldest).body)
        return [body]

    def clear(self) -> None:
        """Forget every kept response (and any being rendered now)."""
        with self._lock:
            self._entries = {}
            self._size = 0
            self._generation += 1


class SharedGeneration:
    """A counter in Redis that every process serving the site bumps when public data changes.

    Each process remembers the last value it saw; reading a different one means another
    process changed something, so this process's kept pages (and counts) are out of date.
    Redis being down never fails a request: the process logs one warning, leaves Redis alone
    for REDIS_RETRY_SECONDS, and its pages meanwhile expire on their own.
    """

    def __init__(self, app: Flask):
        import redis

        self.config = app.config
        self.client = redis.Redis.from_url(
            app.config["REDIS_URL"],
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._seen: object = _NOT_SEEN
        self._next_sync = 0.0
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        # The rate limiter's prefix (set from BASE_URL at start-up): one site, one counter,
        # even when several sites share a Redis.
        return f"{self.config['RATELIMIT_KEY_PREFIX']}:public-pages-generation"

    def changed_elsewhere(self) -> bool:
        """Say whether another process changed public data since this one last looked."""
        now = time.monotonic()
        if now < self._next_sync or now < self._down_until:
            return False
        with self._lock:
            if now < self._next_sync:
                return False
            self._next_sync = now + SYNC_SECONDS
            value = self._call(self.client.get, self.key)
            if value is _FAILED:
                return False
            changed = self._seen is not _NOT_SEEN and value != self._seen
            self._seen = value
            return changed

    def probe(self) -> bool:
        """Say whether Redis answers now (for /readyz)."""
        return self._call(self.client.ping) is not _FAILED

    def bump(self) -> None:
        """Tell every process that public data changed."""
        if time.monotonic() >= self._down_until:
            self._call(self.client.incr, self.key)

    def _call(self, method, *args):
        import redis

        try:
            return method(*args)
        except redis.RedisError as error:
            if time.monotonic() >= self._down_until:
                log.warning(
                    "page cache: Redis unreachable (%s); other processes' pages may lag by "
                    "up to their cache time until it is back",
                    type(error).__name__,
                )
            self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
            return _FAILED


def shared_generation(app: Flask) -> SharedGeneration | None:
    """The Redis counter this process follows, if REDIS_URL is set."""
    cache = app.extensions.get("page_cache")
    return cache.shared if cache is not None else None


def _key(environ: dict) -> tuple:
    path = environ.get("PATH_INFO", "")
    return (
        path,
        environ.get("QUERY_STRING", ""),
        environ.get("SCRIPT_NAME", ""),
        # HTTPS (directly or through a trusted proxy) adds a header to the response.
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_X_FORWARDED_PROTO", ""),
        # A page without a language prefix may take its language from the browser's.
        "" if path.startswith(_LANGUAGE_PREFIXES) else environ.get("HTTP_ACCEPT_LANGUAGE", ""),
    )


def _may_keep(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("200 "):
        return False
    found = {name.lower(): value for name, value in headers}
    directives = found.get("cache-control", "").split(",")
    cache_control = {directive.strip().split("=")[0] for directive in directives}
    return (
        "public" in cache_control
        and not cache_control & {"private", "no-store", "no-cache"}
        and "set-cookie" not in found
        and "vary" not in found
        and found.get("content-length", "").isdigit()
        and int(found["content-length"]) <= MAX_ENTRY_BYTES
    )


def _touches_public(instance) -> bool:
    """Say whether flushing this changed ORM object may change a public page."""
    if getattr(type(instance), "never_on_public_pages", False):
        return False
    decide = getattr(instance, "may_change_public_pages", None)
    return decide() if decide is not None else True


def _private_table(name: str | None) -> bool:
    """Say whether a table's rows never appear on a public page (for bulk statements)."""
    if name in NOT_MODELS:
        return True
    return any(
        mapper.local_table.name == name and getattr(mapper.class_, "never_on_public_pages", False)
        for mapper in db.Model.registry.mappers
    )


@event.listens_for(Session, "before_flush")
def _note_changed_objects(session: Session, _context, _instances) -> None:
    if session.info.get(_CHANGED):
        return
    if any(_touches_public(i) for i in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_changing_statements(state: ORMExecuteState) -> None:
    if state.is_select or state.session.info.get(_CHANGED):
        return
    table = getattr(state.statement, "table", None)
    if not _private_table(getattr(table, "name", None)):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_changed_pages(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        public_data_changed(current_app)


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def public_data_changed(app: Flask) -> None:
    """Forget kept pages, here and (through Redis) in every process: public data changed."""
    cache = app.extensions.get("page_cache")
    if cache is not None:
        cache.clear()
        if cache.shared is not None:
            cache.shared.bump()


def init_app(app: Flask) -> None:
    """Put the page cache in front of the app."""
    cache = PageCache(app.wsgi_app, app)
    app.extensions["page_cache"] = cache
    app.wsgi_app = cache  # type: ignore[method-assign]
