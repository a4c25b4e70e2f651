"""Every page through AppTest on the sample workspace: no exception, real content."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/team.py",
    "pages/kpi_detail.py",
    "pages/data.py",
    "pages/definitions.py",
    "pages/plan.py",
    "pages/settings.py",
]


def open_app(page: str | None = None, **query: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(page)
        app.run()
    return app


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_exception(app_env, page):
    app = open_app(page)

    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert app.title[0].value


def test_first_start_loads_the_sample_goal_tree(app_env):
    app = open_app()

    frames = [d.value for d in app.dataframe]
    names = " ".join(frames[0]["name"].tolist())
    assert "Grow revenue 20%" in names
    # Every KPI row links to its detail page; goal rows link nowhere.
    kpi_rows = frames[0][frames[0]["link"] != ""]
    assert sum(int(m.value) for m in app.metric) == len(kpi_rows)
    assert len(kpi_rows) == 17  # the KPIs in data/sample/goalpost.yaml


def test_an_unreachable_database_gets_a_message_not_a_traceback(monkeypatch):
    # Port 9 (discard) on loopback: nothing listens there.
    monkeypatch.setenv(
        "GOALPOST_DATABASE_URL", "postgresql://goalpost:secret@127.0.0.1:9/test"
    )

    app = open_app()

    assert not app.exception
    message = " ".join(e.value for e in app.error)
    assert "cannot reach its database" in message
    assert "127.0.0.1:9" in message and "secret" not in message
