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

# Where to listen: a loopback port, behind the TLS-terminating reverse proxy.
bind = "127.0.0.1:8000"
workers = 4

# No peer's forwarding headers change the request's scheme or environment in gunicorn.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
