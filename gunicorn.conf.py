"""gunicorn settings for the sign-on platform: `gunicorn -c gunicorn.conf.py wsgi:app`.

Options given on the command line (or in GUNICORN_CMD_ARGS) override the values here.

Forwarded headers: the app alone decides whom to believe, by counting hops as TRUSTED_PROXIES
says (werkzeug's ProxyFix, `petition/security.py`). gunicorn would otherwise add a trust of
its own: by default it takes `X-Forwarded-Proto: https` (and `X-Forwarded-Ssl`,
`X-Forwarded-Protocol`) from any client on 127.0.0.1 or ::1, and from every client of a UNIX
socket, as proof the request came over https (HSTS, the CSRF referrer check, secure
redirects), even with TRUSTED_PROXIES=0. So gunicorn trusts no peer and no such header here,
whatever TRUSTED_PROXIES is: with 0 nobody is believed, with 1 or more the app believes that
many proxies, once.
"""

import os
import tempfile

from gunicorn.glogging import Logger

# Where to listen: a loopback port, behind the TLS-terminating reverse proxy.
bind = "127.0.0.1:8000"
workers = 4

# No peer's forwarding headers change the request's scheme or environment in gunicorn.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""

# Metrics (METRICS_TOKEN set): every worker writes its counters to files in one folder, so a
# scrape of any worker reports the whole server. The folder is PROMETHEUS_MULTIPROC_DIR if
# set (emptied at each start), else a new temporary one.
if os.environ.get("METRICS_TOKEN"):
    _metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="petition-metrics-"
    )
    os.makedirs(_metrics_dir, exist_ok=True)
    for _name in os.listdir(_metrics_dir):
        if _name.endswith(".db"):
            os.remove(os.path.join(_metrics_dir, _name))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def child_exit(server, worker):
    """A worker is gone: its live gauges no longer count (its counters still do)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class QuietProbes(Logger):
    """gunicorn's access log (when `accesslog` is set) without health probes and scrapes."""

    PROBES = frozenset({"/healthz", "/readyz", "/metrics"})

    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO") not in self.PROBES:
            super().access(resp, req, environ, request_time)


logger_class = QuietProbes
