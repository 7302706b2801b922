"""`/metrics`: Prometheus metrics, for whoever holds METRICS_TOKEN (off without it).

Requests are counted by endpoint (the route's name, never its path: no token or slug reaches
a label), method and status, with a latency histogram; sign-on outcomes and the relay's
deliveries are counted where they happen (`petition/metrics.py`). Outbox depth by status and
the age of the oldest email waiting are read from the database at each scrape, so every
process reports the same truth.
"""

from __future__ import annotations

import hmac
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from .. import metrics
from ..db_types import utcnow
from ..extensions import db, limiter
from ..outbox.models import OutboxMessage, OutboxStatus

bp = Blueprint("metrics", __name__)


class OutboxCollector:
    """Outbox depth and oldest waiting email, read when Prometheus scrapes."""

    def collect(self):
        depth = GaugeMetricFamily(
            "petition_outbox_messages", "Emails in the outbox, by status.", labels=["status"]
        )
        counts = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        for status in OutboxStatus:
            depth.add_metric([status.value], counts.get(status, 0))
        yield depth
        oldest = db.session.scalar(
            select(func.min(OutboxMessage.created_at)).where(
                OutboxMessage.status.in_((OutboxStatus.QUEUED, OutboxStatus.SENDING))
            )
        )
        age = 0.0 if oldest is None else max((utcnow() - oldest).total_seconds(), 0.0)
        yield GaugeMetricFamily(
            "petition_outbox_oldest_queued_seconds",
            "Age of the oldest email waiting to be sent (0 when none waits).",
            value=age,
        )


def _process_registry() -> CollectorRegistry:
    """The counters of every worker (multiprocess mode), or of this process alone."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


_database_registry = CollectorRegistry()
_database_registry.register(OutboxCollector())


@bp.get("/metrics")
@limiter.exempt
def scrape():
    token = current_app.config.get("METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        # Without the setting the page does not exist; with it, only the token opens it.
        abort(404)
    body = generate_latest(_process_registry()) + generate_latest(_database_registry)
    db.session.rollback()
    response = Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Time and count every request (cheap: two dictionary updates per request)."""

    @app.before_request
    def _start_timer():
        g._metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("_metrics_started", None)
        endpoint = request.endpoint or "none"
        if endpoint != "metrics.scrape":
            metrics.REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
            if started is not None:
                metrics.LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response
