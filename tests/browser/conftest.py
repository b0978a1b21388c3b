"""Real-browser fixtures: the app on a live localhost port, headless Chromium, axe-core.

The browser is Debian's /usr/bin/chromium driven by Playwright (never a
downloaded browser). Without it these tests skip, unless
HEARD_REQUIRE_BROWSER=1 (as in CI), which makes them fail. axe-core comes
from the npm registry into .cache/axe (git-ignored) the first time.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HEARD_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("HEARD_REQUIRE_BROWSER") == "1"
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / ".cache" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"HEARD_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


# --- The app on a live port ----------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Any  # Flask

    @property
    def rt(self) -> Any:
        return self.app.extensions["heard_runtime"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole app, threaded, on a free localhost port, against a migrated SQLite file."""
    from werkzeug.serving import make_server

    from app import create_app
    from app.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'heard.db'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-tests",
            "HEARD_DATA_KEY": Fernet.generate_key().decode(),
            "PUBLIC_BASE_URL": "http://127.0.0.1",
        }
    )
    if 404 not in app.error_handler_spec.get(None, {}):
        # Until the lead wires it into create_app, test the 404 page as it will be.
        from app.web import errors

        errors.register(app)
    server = make_server("127.0.0.1", _free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="heard-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["heard_runtime"].db.dispose()


@dataclass
class ChatParticipant:
    id: int
    review_id: int
    audit_record_id: int
    token: str
    url: str


@pytest.fixture
def make_participant(live_server: LiveServer) -> Callable[..., ChatParticipant]:
    """A new review with one web-chat participant; returns their chat link."""
    from app.services.participants import NewParticipant, add_participant, create_review

    counter = iter(range(1, 10_000))

    def make(variant: str = "easy_read", language: str = "en", first_name: str = "Sam") -> ChatParticipant:
        rt = live_server.rt
        with rt.db.writing() as session:
            review = create_review(session, "Testshire County Council", "Strengths-based practice")
            participant = add_participant(
                session,
                rt.crypto,
                NewParticipant(
                    review_id=review.id,
                    audit_ref=f"A{next(counter)}",
                    first_name=first_name,
                    variant=variant,
                    language=language,
                    channel="web",
                ),
            )
            made = ChatParticipant(
                id=participant.id,
                review_id=review.id,
                audit_record_id=participant.audit_record_id,
                token=participant.chat_token,
                url=f"{live_server.url}/c/{participant.chat_token}",
            )
        return made

    return make


# --- Chromium ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as error:  # the browser is there but will not start
            _unavailable(f"Chromium at {CHROMIUM} would not start: {error}")
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh contexts (own cookies); everything is closed afterwards.

    Every page fails the test on a JavaScript error or a Content-Security-Policy report.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(**context_options: Any) -> Any:
        context_options.setdefault("viewport", {"width": 412, "height": 915})
        context_options.setdefault("locale", "en-GB")
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        not_found_pages: set[str] = set()  # a 404 page asked for on purpose logs its status

        def on_response(response: Any) -> None:
            if response.status == 404 and response.request.is_navigation_request():
                not_found_pages.add(response.url)

        def on_console(msg: Any) -> None:
            # Tests block requests on purpose with route.abort("blockedbyclient").
            deliberate = msg.location.get("url") in not_found_pages or "ERR_BLOCKED_BY_CLIENT" in msg.text
            if msg.type == "error" and not deliberate:
                errors.append(f"console {msg.type}: {msg.text} at {msg.location.get('url')}")

        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        page.on("response", on_response)
        page.on("console", on_console)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture(scope="session")
def axe_path() -> Path:
    """axe-core's axe.min.js, installed from the npm registry on first use."""
    installed = AXE_DIR / "node_modules" / "axe-core" / "package.json"
    if AXE_JS.exists() and json.loads(installed.read_text()).get("version") == AXE_VERSION:
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed, so axe-core cannot be fetched")
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), f"axe-core@{AXE_VERSION}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0 or not AXE_JS.exists():
        _unavailable(f"could not install axe-core: {done.stderr.strip()[-500:]}")
    return AXE_JS


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:200]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n       ")
                lines.append(f"       {summary}")
    return "\n".join(lines)


@pytest.fixture
def check_axe(axe_path: Path) -> Callable[[Any, str], list[dict[str, Any]]]:
    """Run axe-core on a page; fail on any serious or critical violation."""

    def check(page: Any, where: str) -> list[dict[str, Any]]:
        # Let any entrance animation finish: axe judges what is on screen now.
        page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Through DevTools, not a <script> tag: the page's CSP rightly refuses inline scripts.
            page.evaluate(axe_path.read_text(encoding="utf-8") + "\n;undefined")
        results = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        violations = results["violations"]
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"axe found serious problems on {where}:\n{format_violations(bad)}"
        if violations:
            print(f"\naxe on {where}: minor/moderate only:\n{format_violations(violations)}")
        return violations

    return check


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
