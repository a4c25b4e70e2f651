"""The main journey in a real browser: Playwright driving Debian's Chromium.

Starts the app with `streamlit run` on a free port, on a fresh SQLite file,
and walks it as a new user would: the sample dashboard, a team, a KPI, an
upload. A screenshot of each step goes to pytest's temporary folder.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import APP_TODAY

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message + "; .ci/run installs it, so CI must have it")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer at {url} within {seconds} s")


@contextmanager
def running_app(folder: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port and a fresh SQLite file; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "GOALPOST_DATABASE_URL": f"sqlite:///{folder / 'browser.db'}",
        "GOALPOST_TODAY": APP_TODAY,
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with (folder / "server.log").open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server, seconds=60)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    _require_chromium()
    with running_app(tmp_path_factory.mktemp("browser")) as url:
        yield url


@pytest.fixture
def page(app_url):
    from playwright.sync_api import expect, sync_playwright

    # The first page of a fresh workspace generates and imports the sample.
    expect.set_options(timeout=30_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def test_new_user_sees_the_sample_and_drills_into_a_team(app_url, page, tmp_path):
    from playwright.sync_api import expect

    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Off track").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

    page.get_by_role("link", name="Support").click()
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
    expect(page.get_by_text("Resolution time down to 3 hours")).to_be_visible()
    assert "team=Support" in page.url
    page.screenshot(path=str(tmp_path / "team.png"), full_page=True)

    page.get_by_role("link", name="Details").first.click()
    expect(page.get_by_role("heading", name="KPI detail")).to_be_visible()
    expect(page.get_by_text("The table behind it")).to_be_visible()
    assert "kpi=" in page.url


def test_a_link_opens_the_team_it_names(app_url, page):
    from playwright.sync_api import expect

    page.goto(app_url + "/team?team=Marketing")
    expect(page.get_by_text("Two blog posts every week of Q1")).to_be_visible()


def test_upload_a_csv_and_import_it(app_url, page, tmp_path):
    from playwright.sync_api import expect

    csv = tmp_path / "weekly leads.csv"
    csv.write_text(
        "Week,Team,Leads,Spend\n"
        "2026-03-02,North,30,1200\n"
        "2026-03-09,North,45,900\n"
        "2026-03-02,South,20,800\n"
    )
    page.goto(app_url + "/data")
    expect(page.get_by_role("heading", name="Upload a spreadsheet")).to_be_visible()
    page.locator("input[type=file]").first.set_input_files(str(csv))
    expect(page.get_by_text("Ready: 3 of 3 rows will be stored")).to_be_visible()
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text('Imported 3 rows into "weekly leads"')).to_be_visible()
    page.screenshot(path=str(tmp_path / "data.png"), full_page=True)


def test_the_first_visitor_of_a_new_server_can_open_a_kpi_link(tmp_path, page):
    from playwright.sync_api import expect

    # A server nobody has visited yet: Streamlit still routes pages/ by file name.
    with running_app(tmp_path) as url:
        page.goto(url + "/kpi_detail?kpi=resolution_time")
        expect(page.get_by_role("heading", name="KPI detail")).to_be_visible()
        heading = "Mean resolution time (hours) by week"
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)


def test_visitors_arriving_together_at_a_new_server_all_get_pages(tmp_path, app_url):
    from playwright.sync_api import expect, sync_playwright

    with running_app(tmp_path) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS
        )
        addresses = ["/", "/team?team=Support", "/kpi_detail?kpi=win_rate", "/data"]
        tabs = [browser.new_page() for _ in addresses]
        for tab, address in zip(tabs, addresses, strict=True):
            tab.goto(url + address, wait_until="commit")
        for tab in tabs:
            expect(tab.locator("h1").first).to_be_visible(timeout=60_000)
            expect(tab.get_by_text("Traceback")).to_have_count(0)
            expect(tab.get_by_text("ImportError")).to_have_count(0)
        browser.close()
