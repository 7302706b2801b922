"""The site's Prometheus metrics, defined once; features count, `/metrics` reports.

Counters and histograms live in each process. Under gunicorn with several workers, set
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py does, when METRICS_TOKEN is set) so every worker
writes its values to files there and a scrape of any worker reports the sum of all of them.
Values that the database holds (outbox depth and age) are read at scrape time instead.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "petition_http_requests_total",
    "HTTP requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "petition_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE_HITS = Counter(
    "petition_page_cache_hits_total",
    "Public pages answered from the in-process page cache (not counted in http_requests).",
)
SIGNONS = Counter(
    "petition_signons_total",
    "Sign-on submissions accepted by the form, by outcome (created, repeat, flagged...).",
    ["kind", "outcome"],
)
EMAILS_SENT = Counter(
    "petition_relay_emails_sent_total", "Emails the relay handed to the SMTP server."
)
EMAIL_FAILURES = Counter(
    "petition_relay_delivery_failures_total",
    "Delivery attempts that failed, by whether the email will be tried again.",
    ["permanent"],
)
