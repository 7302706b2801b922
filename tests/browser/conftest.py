"""Real-browser tests: Debian's chromium driven by Playwright against a real server.

Everything under tests/browser/ carries the `browser` marker: run only these with
`pytest -m browser`, skip them with `pytest -m "not browser"`. Without chromium (or without
npm to install axe-core) they are skipped with the reason in the summary, except when
PETITION_REQUIRE_BROWSER=1 (CI), where that is an error. Playwright never downloads a browser:
set CHROMIUM_PATH to use another chromium than the one on PATH.

Fixtures
--------
`live_server`        a LiveServer (`.url`, `.app`, `.absolute(path)`): the app on a real
                     loopback port, on the test database (schema created, tables emptied
                     after the test), BASE_URL = its own address, MIN_FILL_SECONDS=0, and mail
                     really sent (MAIL_SUPPRESS_SEND=False) to `smtp_server`.
`make_live_server`   factory `make_live_server(**settings)` for a server with other settings.
`smtp_server`        a Mailbox: a real SMTP server (aiosmtpd) on loopback, emptied for each
                     test; `.messages`, `.deliveries`, `.wait_for(count, to=)`, `.latest(to=)`.
`demo_platform`      the slug of the demo platform, loaded into `live_server`'s database.
`shared_live_server` like `live_server`, but one per test module (module scope), for sweeps
                     that set up data once and only read pages. Its tables are emptied when
                     the module ends, so it must not share a module with `live_server`, whose
                     tables are emptied after every test.
`browser`            the Playwright Browser (one per run, fresh temporary profile).
`page`               a Page in a fresh browser context whose base URL is `live_server`, so
                     `page.goto("/en/")` works.
`new_page`           factory `new_page(server=None, name=None, context=None, **options)` for
                     another context: a phone (`viewport=`, `is_mobile=True`,
                     `has_touch=True`), a browser language (`locale="fr-CA"` sets
                     Accept-Language), another server; `name` ("visitor", "admin") names its
                     artifacts; `context` opens the page in an existing context instead.
`artifact_page`      `artifact_page(page, name)`: a page the test did not open through
                     `new_page` (one kept for a whole module) gets artifacts too; returns it.
`key_page`           `key_page(page, step)`: remember how the page looks now (a viewport
                     screenshot, kept in memory) as a journey's key step, e.g. "confirm".

When a test fails, test-artifacts/<test>/ receives a full-page screenshot and the HTML of every
page it left open, and the screenshots of the key steps it had reached, numbered in order and
named by page and step ("03-visitor-check-your-inbox.jpg").

Helpers (import them from their modules)
----------------------------------------
tests.browser.axe        `axe(page, include=None, exclude=None)` asserts no WCAG 2.1 A/AA
                         violation (message lists rule, impact, selectors);
                         `axe_violations(page)` returns them instead.
tests.browser.actions    `fill_by_label(page, label, value)`, `check_by_label(page, label)`,
                         `tab_until(page, selector)` (returns the number of Tab presses),
                         `tab_through(page)`, `focused(page)`, `focus_is_visible(element)`.
tests.browser.mailbox    `mail_link(smtp_server, lang=None, to=None)`: the first http link in
                         the newest text email (in that language), waiting for it to arrive;
                         `text_body(message)`.

Journeys that need a signer's email run the app's outbox relay against `smtp_server`
(MAIL_SERVER/MAIL_PORT already point at it) and then follow `mail_link(...)`.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.axe import AxeUnavailable, axe_source, axe_version
from tests.browser.chromium import LAUNCH_ARGS, browser_required, find_chromium
from tests.browser.live_server import LiveServer
from tests.browser.mailbox import start_mailbox
from tests.conftest import _empty_tables

HERE = Path(__file__).resolve().parent
PAGES = pytest.StashKey[list]()
STEPS = pytest.StashKey[list]()
# Why the browser tests were skipped, for the last lines of the run's summary.
_skipped_because: set[str] = set()
# Failures should be quick and clear, not a 30-second wait on a missing element.
DEFAULT_TIMEOUT_MS = 10_000


def _unavailable(reason: str):
    if browser_required():
        pytest.fail(
            f"browser tests cannot run: {reason} (PETITION_REQUIRE_BROWSER=1 requires them)",
            pytrace=False,
        )
    message = f"browser tests skipped: {reason}"
    _skipped_because.add(message)
    pytest.skip(message)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Before `-m` selects: every test in this folder is a browser test, marked or not.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    for message in sorted(_skipped_because):
        terminalreporter.write_line(message, yellow=True, bold=True)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path, reason = find_chromium()
    if path is None:
        _unavailable(reason)
    return path


@pytest.fixture(scope="session")
def _axe_installed() -> str:
    try:
        axe_source()
    except AxeUnavailable as exc:
        _unavailable(str(exc))
    return axe_version()


@pytest.fixture(scope="session")
def browser(chromium_executable, _axe_installed):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user-data dir) and deletes it.
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _mailbox():
    mailbox, controller = start_mailbox()
    yield mailbox
    controller.stop()


@pytest.fixture
def smtp_server(_mailbox):
    _mailbox.clear()
    yield _mailbox
    _mailbox.clear()


def _live_settings(mailbox) -> dict:
    return {
        "MIN_FILL_SECONDS": 0,
        "MAIL_SERVER": mailbox.host,
        "MAIL_PORT": mailbox.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        # Flask-Mail swallows mail when TESTING is on; here it must really reach SMTP.
        "MAIL_SUPPRESS_SEND": False,
    }


@pytest.fixture
def make_live_server(make_app, smtp_server):
    servers: list[LiveServer] = []

    def factory(**settings) -> LiveServer:
        defaults = _live_settings(smtp_server)
        server = LiveServer(lambda url: make_app(**{**defaults, "BASE_URL": url, **settings}))
        servers.append(server)
        return server

    yield factory
    # Stopped before make_app's teardown empties the tables under them.
    for server in servers:
        server.stop()


@pytest.fixture
def live_server(make_live_server) -> LiveServer:
    return make_live_server()


@pytest.fixture(scope="module")
def shared_live_server(database_url, _schema, _mailbox):
    from petition import create_app
    from petition.config import settings_for_tests

    settings = _live_settings(_mailbox)
    server = LiveServer(
        lambda url: create_app(settings_for_tests(database_url, **settings, BASE_URL=url))
    )
    yield server
    server.stop()
    _empty_tables(server.app)


@pytest.fixture
def demo_platform(live_server) -> str:
    from petition.extensions import db
    from petition.platforms.demo import load_demo_platform

    with live_server.app.app_context():
        platform, _created = load_demo_platform()
        db.session.commit()
        return platform.slug


@dataclass
class _Opened:
    """A page a test opened, under the name its artifacts get."""

    page: object
    name: str


@dataclass
class _Step:
    page_name: str
    step: str
    screenshot: bytes = field(repr=False)


@pytest.fixture
def new_page(request, browser):
    contexts, pages = [], []
    opened = request.node.stash.setdefault(PAGES, [])
    _forget_artifacts(request.node)

    def factory(server: LiveServer | None = None, name: str | None = None, context=None, **options):
        if context is None:
            server = server or request.getfixturevalue("live_server")
            context = browser.new_context(base_url=server.url, **options)
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            contexts.append(context)
        page = context.new_page()
        pages.append(page)
        opened.append(_Opened(page, name or f"page{len(opened) + 1}"))
        return page

    yield factory
    for context in contexts:
        context.close()
    for page in pages:
        if not page.is_closed():
            page.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def artifact_page(request):
    opened = request.node.stash.setdefault(PAGES, [])
    _forget_artifacts(request.node)

    def track(page, name: str):
        opened.append(_Opened(page, name))
        return page

    return track


@pytest.fixture
def key_page(request):
    steps = request.node.stash.setdefault(STEPS, [])

    def record(page, step: str) -> None:
        names = {id(o.page): o.name for o in request.node.stash.get(PAGES, [])}
        # A viewport JPEG takes some 40 ms: cheap enough to keep for every key step.
        screenshot = page.screenshot(type="jpeg", quality=60)
        steps.append(_Step(names.get(id(page), "page"), step, screenshot))

    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when == "call":
        saved = _save_artifacts(item)
        if saved:
            report.sections.append(("browser artifacts", "\n".join(saved)))
    return report


def _artifact_folder(item) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid).strip("_")
    return Path(item.config.rootpath) / "test-artifacts" / stem


def _forget_artifacts(item) -> None:
    """Delete what an earlier failure of this test saved, so the folder shows this run only."""
    folder = _artifact_folder(item)
    if folder.is_dir():
        shutil.rmtree(folder)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "page"


def _save_artifacts(item) -> list[str]:
    """Save the key steps' screenshots, then a screenshot and the HTML of every open page."""
    folder = _artifact_folder(item)
    saved = []
    for number, step in enumerate(item.stash.get(STEPS, []), start=1):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{number:02d}-{_slug(step.page_name)}-{_slug(step.step)}.jpg"
        path.write_bytes(step.screenshot)
        saved.append(str(path))
    for opened in item.stash.get(PAGES, []):
        page = opened.page
        if page.is_closed():
            continue
        name = f"last-{_slug(opened.name)}"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            (folder / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # A broken page must not hide the real failure.
            saved.append(f"could not save {name}: {exc}")
            continue
        saved.append(f"{folder / name}.png ({page.url})")
    return saved
