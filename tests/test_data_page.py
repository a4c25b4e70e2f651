"""The Data page on bad input: a clear message, nothing stored, the app still works."""

from __future__ import annotations

import pytest

from kpi.store import Store
from tests.test_journey import by_label
from tests.test_pages import open_app

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
NO_DATE = b"Team,Leads,Spend\nNorth,30,1200\nSouth,20,800\n"
TEXT_IN_NUMBERS = (
    b"Week,Team,Leads,Spend\n"
    b"2026-03-02,North,30,1200\n"
    b"2026-03-09,North,n/a,900\n"
    b"2026-03-09,South,20,800\n"
)


def stored_datasets(url: str) -> list[tuple[str, int]]:
    return [(d.name, d.version) for d in Store(url).datasets()]


def upload(app, name: str, content: bytes):
    app.file_uploader[0].set_value((name, content, "text/csv")).run()
    return app


@pytest.mark.parametrize(
    ("file_name", "content", "words"),
    [
        ("report.csv", PNG, ["report.csv", "not a text table", "export the table"]),
        ("empty.csv", b"", ["empty.csv", "empty"]),
        ("no dates.csv", NO_DATE, ["no dates.csv", "date column"]),
    ],
)
def test_bad_file_gets_a_message_and_stores_nothing(app_env, file_name, content, words):
    app = open_app("pages/data.py")
    before = stored_datasets(app_env)

    upload(app, file_name, content)

    assert not app.exception
    message = " ".join(e.value for e in app.error)
    for word in words:
        assert word.lower() in message.lower(), message
    assert not [b for b in app.button if b.label == "Import"]
    assert stored_datasets(app_env) == before


def test_text_mapped_as_number_is_set_aside_with_row_and_column(app_env):
    app = open_app("pages/data.py")
    before = stored_datasets(app_env)

    upload(app, "leads.csv", TEXT_IN_NUMBERS)
    # Leads holds "n/a" in its third data row, so the guess keeps it out of
    # the numbers; the user maps it as a number anyway.
    numbers = by_label(app.multiselect, "Number columns")
    numbers.set_value(["Leads", "Spend"]).run()

    warnings = " ".join(w.value for w in app.warning)
    assert '"Leads"' in warnings and "row 3" in warnings, warnings
    set_aside = next(
        d.value for d in app.dataframe if list(d.value.columns)[:2] == ["row", "column"]
    )
    cells = set_aside[["row", "column", "value"]].values.tolist()
    assert cells == [[3, "Leads", "n/a"]]
    report = {m.label: m.value for m in app.metric}
    assert (report["Rows read"], report["Rows kept"]) == ("3", "2")
    assert stored_datasets(app_env) == before, "nothing is stored before Import"

    by_label(app.button, "Import").click().run()
    # Rows 2 and 4 of the file stay: the count stored is the count previewed.
    stored = Store(app_env).dataset("leads")
    assert stored is not None and stored.row_count == 2

    app.switch_page("pages/overview.py").run()
    assert not app.exception
    assert app.dataframe, "the Overview still draws the goal tree"


def test_the_same_file_twice_is_stored_once(app_env):
    csv = b"Week,Team,Leads\n2026-03-02,North,30\n2026-03-09,North,45\n"
    app = open_app("pages/data.py")
    upload(app, "north.csv", csv)
    by_label(app.button, "Import").click().run()
    app.run()

    assert any("already hold this file's rows" in i.value for i in app.info)
    assert by_label(app.button, "Import").disabled
    assert ("north", 1) in stored_datasets(app_env)
