"""The files in deploy/ work as the README says: systemd units verify, nginx serves the site.

The systemd units are checked with `systemd-analyze verify` (their paths pointed at this
checkout), and each command they run exists. The nginx site is run for real in front of
gunicorn: TLS, forwarded headers the app trusts (and a client cannot forge), static files
served by nginx, public pages microcached, and never a page of a visitor with a session or
of the admin area. Each test is skipped where the tool is missing; CI installs both.
"""

from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from petition import create_app
from petition.config import settings_for_tests
from petition.endorsements.models import Endorsement
from petition.extensions import db
from petition.security import ip_hash
from tests.factories import make_platform
from tests.faults.live import Process, free_port, hidden_value
from tests.signon import ORGANIZATION

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
VENV_BIN = Path(sys.executable).parent


def _units_here(tmp_path: Path) -> Path:
    """Copy the units with /srv/petition pointed at this checkout (and its virtualenv)."""
    folder = tmp_path / "units"
    folder.mkdir()
    for unit in UNITS:
        text = unit.read_text().replace("/srv/petition/.venv/bin", str(VENV_BIN))
        (folder / unit.name).write_text(text.replace("/srv/petition", str(ROOT)))
    return folder


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_units_verify(tmp_path):
    folder = _units_here(tmp_path)
    names = [unit.name for unit in UNITS]
    result = subprocess.run(
        ["systemd-analyze", "verify", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    # Every timer starts a service that exists.
    for timer in folder.glob("*.timer"):
        assert (folder / timer.name.replace(".timer", ".service")).exists()


def _exec_lines(unit: Path) -> list[list[str]]:
    return [
        shlex.split(line.split("=", 1)[1])
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_each_unit_runs_a_command_that_exists(unit, tmp_path):
    [command] = _exec_lines(unit)
    program = Path(command[0].replace("/srv/petition/.venv/bin", str(VENV_BIN)))
    assert program.exists(), program
    env = {
        **os.environ,
        "PETITION_ENV": "development",
        "SECRET_KEY": "units-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'units.sqlite3'}",
    }
    if program.name == "gunicorn":
        args = [a.replace("/srv/petition", str(ROOT)) for a in command[1:]]
        checked = [str(program), "--check-config", *args]
    else:
        checked = [str(program), *command[1:], "--help"]
    result = subprocess.run(checked, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# --- nginx in front of gunicorn -----------------------------------------------------------------


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_config(folder: Path, app_port: int, http_port: int, https_port: int) -> Path:
    """The shipped site, pointed at this test's ports, certificate, cache and checkout."""
    cert, key = _certificate(folder)
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
        (folder / name).mkdir()
    proxy = folder / "petition_proxy.conf"
    # The test's nginx listens on a port other than 443: pass the port on in Host, or the
    # app's same-origin check would see "localhost" beside a Referer of "localhost:PORT".
    proxy_settings = (DEPLOY / "nginx" / "petition_proxy.conf").read_text()
    assert "proxy_set_header Host $host;" in proxy_settings
    proxy.write_text(proxy_settings.replace("Host $host;", "Host $http_host;"))
    site = (DEPLOY / "nginx" / "petition.conf").read_text()
    for old, new in {
        "server 127.0.0.1:8000": f"server 127.0.0.1:{app_port}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "sign.example.org;": "localhost;",
        "/etc/letsencrypt/live/sign.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/sign.example.org/privkey.pem": str(key),
        "/var/cache/nginx/petition": str(folder / "cache"),
        "/etc/nginx/petition_proxy.conf": str(proxy),
        "/srv/petition": str(ROOT),
    }.items():
        assert old in site, f"deploy/nginx/petition.conf no longer has {old!r}"
        site = site.replace(old, new)
    # Only IPv4 loopback here.
    site = re.sub(r"\n\s*listen \[::\]:\S+( ssl http2)?;", "", site)
    (folder / "petition.conf").write_text(site)
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log warn;\nevents {{ worker_connections 256; }}\n"
        "http {\n  include /etc/nginx/mime.types;\n"
        f"  access_log {folder}/access.log;\n"
        + "".join(f"  {n}_temp_path {folder / n.split('_')[0]};\n" for n in (
            "client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {folder}/petition.conf;\n}}\n"
    )  # fmt: skip
    (folder / "client").mkdir()
    return main


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.skipif(NGINX is None, reason="nginx missing")
def test_nginx_config_is_valid(tmp_path):
    config = _nginx_config(tmp_path, free_port(), free_port(), free_port())
    result = subprocess.run(
        [NGINX, "-t", "-c", str(config)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


class _Site:
    def __init__(self, port: int) -> None:
        self.port = port
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, headers: dict | None = None, body=None):
        connection = http.client.HTTPSConnection(
            "localhost", self.port, context=self.context, timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            content = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = raw.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response, content
        finally:
            connection.close()

    def get(self, path: str, headers: dict | None = None):
        return self.request("GET", path, headers)

    def sign_on(self, slug: str, fields: dict, forged: str):
        """Fill in the organization form as a browser would, with a forged X-Forwarded-For."""
        path = f"/en/p/{slug}/sign/organization"
        _form, page = self.get(path)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = {
            **fields,
            "csrf_token": hidden_value(page, "csrf_token"),
            "started": hidden_value(page, "started"),
        }
        headers = {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://localhost:{self.port}{path}",
            "X-Forwarded-For": forged,
        }
        response, _ = self.request("POST", path, headers, urlencode(data))
        return response


@pytest.mark.slow
@pytest.mark.skipif(NGINX is None, reason="nginx missing")
def test_nginx_in_front_of_gunicorn(make_app, serve, tmp_path, database_url):
    app = make_app()
    with app.app_context():
        slug = make_platform("behind-nginx").slug
        db.session.commit()
    https_port, http_port = free_port(), free_port()
    base_url = f"https://localhost:{https_port}"
    server = serve(
        workers=2,
        threads=2,
        TRUSTED_PROXIES="1",
        BASE_URL=base_url,
        ALLOWED_HOSTS="localhost,127.0.0.1",
    )
    folder = tmp_path / "nginx"
    folder.mkdir()
    config = _nginx_config(folder, server.port, http_port, https_port)
    nginx = Process([NGINX, "-c", str(config)], dict(os.environ), folder, "nginx.log")
    nginx.start()
    try:
        site = _Site(https_port)
        deadline = time.monotonic() + 15
        while True:
            try:
                site.get("/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, nginx.output()
                time.sleep(0.1)

        # Plain http is sent to https.
        plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        plain.request("GET", "/en/", headers={"Host": "localhost"})
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.getheader("Location") == "https://localhost/en/"
        plain.close()

        # Static files come from nginx itself (the app would add its CSP header).
        css, _body = site.get("/static/css/site.css")
        assert css.status == 200 and css.getheader("Content-Security-Policy") is None
        assert "max-age=604800" in css.getheader("Cache-Control")

        # A public page: the app sees https (HSTS) and the second visit is nginx's copy.
        page = f"/en/p/{slug}/"
        first, _ = site.get(page)
        assert first.status == 200, server.output()[-2000:]
        assert first.getheader("Strict-Transport-Security")
        second, _ = site.get(page)
        assert second.getheader("X-Cache-Status") == "HIT"

        # A visitor with a session never gets the shared copy; the admin area is never cached.
        with_session, _ = site.get(page, headers={"Cookie": "petition_session=abc"})
        assert with_session.getheader("X-Cache-Status") == "BYPASS"
        admin, _ = site.get("/admin/login")
        assert admin.status == 200 and admin.getheader("X-Cache-Status") is None

        # A forged X-Forwarded-For is replaced by nginx: the app hashes the real address.
        address = "behind-nginx@members.example"
        reply = site.sign_on(slug, {**ORGANIZATION, "email": address}, forged="203.0.113.9")
        assert reply.status == 303, reply.status
        with app.app_context():
            stored = db.session.scalar(
                select(Endorsement.ip_hash).where(Endorsement.email_canonical == address)
            )
            db.session.remove()
        server_app = create_app(
            settings_for_tests(database_url, SECRET_KEY=server.env["SECRET_KEY"])
        )
        with server_app.app_context():
            assert stored == ip_hash("127.0.0.1") != ip_hash("203.0.113.9")
        # Health probes stay out of nginx's access log; static files never reach the app.
        log = (folder / "access.log").read_text()
        assert "GET /healthz" not in log and f"GET {page}" in log
    finally:
        nginx.stop()
