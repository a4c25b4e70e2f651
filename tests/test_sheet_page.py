"""The Data page reads a Google Sheet and imports it like an uploaded file.

Google is answered offline by ``responses`` (see tests/test_gsheets.py).
"""

from __future__ import annotations

import responses
from streamlit.testing.v1 import AppTest

from kpi.store import Store
from tests.test_gsheets import (
    METADATA_URL,
    SHEET_ID,
    TOKEN_URL,
    _metadata,
    _values_url,
)
from tests.test_journey import by_label
from tests.test_pages import APP

ROWS = [
    ["Date", "Team", "Leads"],
    ["2026-04-01", "Web", "10"],
    ["2026-04-02", "Web", "1,200"],
    ["2026-04-03", "Partners", "7"],
]


def data_page(secrets: dict | None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    if secrets is not None:
        app.secrets["gcp_service_account"] = secrets
    app.run()
    app.switch_page("pages/data.py")
    app.run()
    return app


def test_without_a_service_account_the_page_says_how_to_set_one_up(app_env):
    app = data_page(None)
    assert not app.exception
    assert any("[gcp_service_account]" in i.value for i in app.info)


def test_a_linked_sheet_imports_through_the_upload_path(app_env, service_account_info):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        google.post(
            TOKEN_URL,
            json={"access_token": "t", "expires_in": 3600, "token_type": "Bearer"},
        )
        google.get(METADATA_URL, json=_metadata("Leads log", [("April", False)]))
        google.get(_values_url("April"), json={"values": ROWS})

        app = data_page(service_account_info)
        link = f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0"
        app.text_input(key="sheet-link").set_value(link).run()
        assert not app.exception, [e.value for e in app.exception]
        assert any("Last read at" in c.value for c in app.caption)
        # 10 + 1,200 + 7 read as numbers by the same code as a CSV.
        assert any("Ready: 3 of 3 rows" in s.value for s in app.success)
        by_label(app.button, "Import").click().run()

    stored = Store(app_env).dataset("Leads log – April")
    assert stored is not None and stored.row_count == 3
    frame = Store(app_env).rows(stored.id, stored.version)
    assert frame["Leads"].sum() == 1217


def test_a_lookalike_link_is_refused_before_any_request(app_env, service_account_info):
    with responses.RequestsMock() as google:  # any request would fail the test
        app = data_page(service_account_info)
        app.text_input(key="sheet-link").set_value(
            f"https://docs.google.com.evil.test/spreadsheets/d/{SHEET_ID}"
        ).run()
        assert len(google.calls) == 0
    assert app.error and "docs.google.com" in app.error[0].value
