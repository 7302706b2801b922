"""`/healthz` (the process answers) and `/readyz` (it can serve: database, schema, stores).

Both answer JSON, are never cached by anyone, never come from the page cache, are not rate
limited, and take no session. A load balancer sends traffic to an instance while `/readyz`
answers 200. Only what would make every request fail is a 503: the database unreachable or
its schema not at the code's migration head. A rate-limit store that is down (the app then
counts per process), a page-cache Redis that is down (other processes' pages then lag by their
cache time) or an outbox that is not being emptied are reported as "degraded" with a 200,
since the site still takes sign-ons and nothing is lost.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from .. import page_cache, ratelimit
from ..db_types import utcnow
from ..extensions import db, limiter
from ..outbox.models import OutboxMessage, OutboxStatus
from ..ratelimit.storage import describe

bp = Blueprint("operations", __name__)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@cache
def migration_heads() -> frozenset[str]:
    """Return the head revisions of the migrations shipped with this code (read once)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Say the process is alive: no database, no other service."""
    return _answer({"status": "ok"}, 200)


def _check_database() -> dict:
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # whatever the failure, the answer is "not ready"
        db.session.rollback()
        current_app.logger.warning("readyz: database check failed: %s", exc.__class__.__name__)
        return {"ok": False, "error": exc.__class__.__name__}
    try:
        versions = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:
        # Reachable, but never migrated.
        db.session.rollback()
        versions = set()
    heads = migration_heads()
    return {
        "ok": True,
        "milliseconds": round((time.perf_counter() - started) * 1000, 1),
        "schema_at_head": versions == set(heads),
        "schema": sorted(versions),
        "code": sorted(heads),
    }


def _check_rate_limit_store() -> dict:
    since = ratelimit.store_outage()
    if since is None:
        return {"ok": True, "store": ratelimit.store_description()}
    # Counting in this process's memory meanwhile: sign-ons still work, limits are per process.
    return {
        "ok": False,
        "store": ratelimit.store_description(),
        "unreachable_since": since.isoformat(),
    }


def _check_page_cache_sync() -> dict | None:
    shared = page_cache.shared_generation(current_app)
    if shared is None:
        return None
    return {"ok": shared.probe(), "store": describe(current_app.config["REDIS_URL"])}


def _check_outbox() -> dict:
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING))
        )
    )
    age = 0.0 if oldest is None else max((utcnow() - oldest).total_seconds(), 0.0)
    limit = timedelta(seconds=current_app.config["READY_OUTBOX_MAX_AGE_SECONDS"])
    return {"ok": age <= limit.total_seconds(), "oldest_queued_seconds": round(age, 1)}


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Say whether this instance can serve: 200 (ready or degraded) or 503 (not ready)."""
    checks = {"database": _check_database()}
    if checks["database"]["ok"]:
        checks["outbox"] = _check_outbox()
    checks["rate_limit_store"] = _check_rate_limit_store()
    if (sync := _check_page_cache_sync()) is not None:
        checks["page_cache_sync"] = sync
    db.session.rollback()
    database = checks["database"]
    if not database["ok"] or not database["schema_at_head"]:
        status = "unavailable"
    elif all(check["ok"] for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return _answer({"status": status, "checks": checks}, 503 if status == "unavailable" else 200)
