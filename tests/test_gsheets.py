"""Reading Google Sheets through a service account (kpi.gsheets), offline.

Google is answered by ``responses``: the OAuth token endpoint and the two
Sheets API calls. The service account key is generated fresh for the run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import responses

from kpi.errors import GoalpostError
from kpi.gsheets import (
    RETRY_DELAYS,
    SheetRead,
    open_client,
    read_sheet,
    sheet_id_from,
    values_to_table,
)
from tests.conftest import SERVICE_ACCOUNT_EMAIL

SHEET_ID = "1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-ab"
CLIENT_EMAIL = SERVICE_ACCOUNT_EMAIL
TOKEN_URL = "https://oauth2.googleapis.com/token"
API = "https://sheets.googleapis.com/v4/spreadsheets"
METADATA_URL = f"{API}/{SHEET_ID}"
NOON = datetime(2024, 3, 1, 12, tzinfo=UTC)


def _values_url(worksheet: str) -> str:
    # the whole worksheet is the A1 range 'Name', a quote inside doubled
    quoted = "'" + worksheet.replace("'", "''") + "'"
    return f"{API}/{SHEET_ID}/values/{quote(quoted)}"


@pytest.fixture
def google() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            TOKEN_URL,
            json={
                "access_token": "token-1",
                "expires_in": 3600,
                "token_type": "Bearer",
            },
        )
        yield mock


def _metadata(title: str, sheets: list[tuple[str, bool]]) -> dict[str, Any]:
    return {
        "properties": {"title": title},
        "sheets": [
            {"properties": {"title": name, **({"hidden": True} if hidden else {})}}
            for name, hidden in sheets
        ],
    }


SALES_ROWS = [
    ["Date", "Code", "Revenue"],
    ["2024-01-31", "007", "1,234.50"],
    ["2024-02-29", "042"],  # the API leaves out trailing empty cells
]


def _serve_sales(google: Any) -> None:
    google.get(
        METADATA_URL,
        json=_metadata(
            "Sales 2024", [("Monthly", False), ("Old", True), ("Notes", False)]
        ),
    )
    google.get(_values_url("Monthly"), json={"values": SALES_ROWS})


def _read(
    google: Any, info: dict[str, str], **kwargs: Any
) -> tuple[SheetRead, list[float]]:
    waits: list[float] = []
    read = read_sheet(open_client(info), SHEET_ID, sleep=waits.append, **kwargs)
    return read, waits


# --- what a person may paste ------------------------------------------------

GOOD_PASTES = [
    (SHEET_ID, SHEET_ID),
    (f"  {SHEET_ID}\n", SHEET_ID),
    ("a" * 20, "a" * 20),
    ("Z" * 100, "Z" * 100),
    (f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0", SHEET_ID),
    (f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit?usp=sharing", SHEET_ID),
    (f"https://docs.google.com/spreadsheets/d/{SHEET_ID}", SHEET_ID),
    (f"https://DOCS.google.com/spreadsheets/d/{SHEET_ID}/", SHEET_ID),
]


@pytest.mark.parametrize(("pasted", "expected"), GOOD_PASTES)
def test_sheet_id_from_accepts_ids_and_sharing_links(
    pasted: str, expected: str
) -> None:
    assert sheet_id_from(pasted) == expected


BAD_PASTES = [
    ("a" * 19, "not_a_sheet_link"),  # one short of the 20-character minimum
    ("a" * 101, "not_a_sheet_link"),
    ("", "not_a_sheet_link"),
    (f"{SHEET_ID[:-1]}!", "not_a_sheet_link"),
    (f"http://docs.google.com/spreadsheets/d/{SHEET_ID}/edit", "not_a_sheet_link"),
    (
        f"https://docs.google.com.evil.test/spreadsheets/d/{SHEET_ID}/edit",
        "not_a_sheet_link",
    ),
    (f"https://evil.test/spreadsheets/d/{SHEET_ID}/edit", "not_a_sheet_link"),
    (f"https://user@docs.google.com/spreadsheets/d/{SHEET_ID}", "not_a_sheet_link"),
    (f"https://docs.google.com:8443/spreadsheets/d/{SHEET_ID}", "not_a_sheet_link"),
    (f"https://docs.google.com/document/d/{SHEET_ID}/edit", "not_a_sheet_link"),
    ("https://docs.google.com/spreadsheets/d/short/edit", "not_a_sheet_link"),
    ("https://docs.google.com/spreadsheets/d/", "not_a_sheet_link"),
    (f"ftp://docs.google.com/spreadsheets/d/{SHEET_ID}", "not_a_sheet_link"),
    (
        f"https://docs.google.com/spreadsheets/d/e/2PACX-{SHEET_ID}/pubhtml",
        "published_sheet_link",
    ),
]


@pytest.mark.parametrize(("pasted", "reason"), BAD_PASTES)
def test_sheet_id_from_refuses_other_text(pasted: str, reason: str) -> None:
    with pytest.raises(GoalpostError) as caught:
        sheet_id_from(pasted)

    assert caught.value.reason == reason
    advice = "sharing link" if reason == "published_sheet_link" else "address bar"
    assert advice in caught.value.message


# --- reading ----------------------------------------------------------------


def test_read_sheet_returns_title_visible_worksheets_and_text_cells(
    google: Any, service_account_info: dict[str, str]
) -> None:
    _serve_sales(google)

    read, waits = _read(google, service_account_info)

    assert read.title == "Sales 2024"
    assert read.worksheets == ("Monthly", "Notes")  # "Old" is hidden
    assert read.worksheet == "Monthly"
    assert read.values == [
        ["Date", "Code", "Revenue"],
        ["2024-01-31", "007", "1,234.50"],
        ["2024-02-29", "042", ""],
    ]
    assert read.read_at.utcoffset() == timedelta(0)  # read time is in UTC

    assert waits == []


def test_read_sheet_sends_only_the_id_and_asks_read_only(
    google: Any, service_account_info: dict[str, str]
) -> None:
    _serve_sales(google)
    link = f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit?usp=sharing#gid=7"

    read_sheet(open_client(service_account_info), link, sleep=lambda _: None)

    api_calls = [c.request.url for c in google.calls if c.request.url != TOKEN_URL]
    assert len(api_calls) == 2  # metadata, then the values of one worksheet
    for url in api_calls:
        assert url.startswith(f"{API}/{SHEET_ID}")
        assert "usp" not in url and "gid" not in url and "docs.google" not in url
    token_request = google.calls[0].request
    assert token_request.url == TOKEN_URL
    # the signed assertion is opaque; the scopes granted are checked on the client
    credentials = open_client(service_account_info).http_client.auth
    assert list(getattr(credentials, "scopes", [])) == [
        "https://www.googleapis.com/auth/spreadsheets.readonly",
        "https://www.googleapis.com/auth/drive.readonly",
    ]


def test_read_sheet_reads_a_named_worksheet(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.get(
        METADATA_URL, json=_metadata("Budget", [("2023", False), ("Q3 '24", False)])
    )
    google.get(
        _values_url("Q3 '24"), json={"values": [["Month", "Spend"], ["Jul", "12"]]}
    )

    read, _ = _read(google, service_account_info, worksheet="Q3 '24")

    assert read.worksheet == "Q3 '24"
    assert read.values == [["Month", "Spend"], ["Jul", "12"]]
    # 'Q3 ''24' percent-encoded: ' -> %27, space -> %20
    assert "/values/%27Q3%20%27%2724%27?" in google.calls[-1].request.url


def test_read_sheet_of_an_empty_worksheet_has_no_rows(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.get(METADATA_URL, json=_metadata("Blank", [("Sheet1", False)]))
    google.get(_values_url("Sheet1"), json={"range": "Sheet1!A1:Z1000"})

    read, _ = _read(google, service_account_info)

    assert read.values == []


@pytest.mark.parametrize("wanted", ["Monthy", "Old"])  # a typo; a hidden sheet
def test_read_sheet_unknown_worksheet_lists_the_names(
    google: Any, service_account_info: dict[str, str], wanted: str
) -> None:
    _serve_sales(google)

    with pytest.raises(GoalpostError, match='"Monthly", "Notes"') as caught:
        _read(google, service_account_info, worksheet=wanted)

    assert caught.value.reason == "unknown_sheet"
    assert f'worksheet "{wanted}"' in caught.value.message


# --- rate limits and refusals -------------------------------------------------

RATE_LIMITED = {"error": {"code": 429, "message": "Quota exceeded", "status": "X"}}


@pytest.mark.parametrize("failures", [1, 2, len(RETRY_DELAYS)])
def test_read_sheet_retries_429_with_growing_delays(
    google: Any, service_account_info: dict[str, str], failures: int
) -> None:
    for _ in range(failures):
        google.get(METADATA_URL, status=429, json=RATE_LIMITED)
    _serve_sales(google)  # registered after: answers once the 429s are used up

    read, waits = _read(google, service_account_info)

    assert read.values[1] == ["2024-01-31", "007", "1,234.50"]
    assert waits == [1.0, 2.0, 4.0, 8.0][:failures]  # doubling from one second


def test_read_sheet_gives_up_after_the_last_retry(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.get(METADATA_URL, status=429, json=RATE_LIMITED)

    with pytest.raises(GoalpostError, match="Try again in a minute") as caught:
        _read(google, service_account_info)

    assert caught.value.reason == "sheets_rate_limited"
    metadata_calls = [c for c in google.calls if c.request.url.startswith(API)]
    assert len(metadata_calls) == len(RETRY_DELAYS) + 1  # first try plus 4 retries


def test_read_sheet_retries_429_on_the_values_call_too(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.get(METADATA_URL, json=_metadata("Sales 2024", [("Monthly", False)]))
    google.get(_values_url("Monthly"), status=429, json=RATE_LIMITED)
    google.get(_values_url("Monthly"), json={"values": SALES_ROWS})

    read, waits = _read(google, service_account_info)

    assert read.values[0] == ["Date", "Code", "Revenue"]
    assert waits == [1.0]


REFUSALS = [
    (403, "sheet_not_shared", f"Share the sheet with {CLIENT_EMAIL} (read-only"),
    (404, "sheet_not_found", f"No Google Sheet has the id {SHEET_ID}"),
    (500, "sheets_error", "HTTP 500: Backend broke"),
]


@pytest.mark.parametrize(("status", "reason", "says"), REFUSALS)
def test_read_sheet_explains_refusals(
    google: Any,
    service_account_info: dict[str, str],
    status: int,
    reason: str,
    says: str,
) -> None:
    body = {"error": {"code": status, "message": "Backend broke", "status": "X"}}
    google.get(METADATA_URL, status=status, json=body)

    with pytest.raises(GoalpostError) as caught:
        _read(google, service_account_info)

    assert caught.value.reason == reason
    assert says in caught.value.message
    assert len([c for c in google.calls if c.request.url.startswith(API)]) == 1


def test_read_sheet_explains_a_refused_key(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.replace(
        responses.POST, TOKEN_URL, status=400, json={"error": "invalid_grant"}
    )
    _serve_sales(google)

    with pytest.raises(GoalpostError, match="new JSON key") as caught:
        _read(google, service_account_info)

    assert caught.value.reason == "bad_service_account"


@pytest.mark.parametrize("missing", ["client_email", "private_key", "token_uri"])
def test_open_client_refuses_an_incomplete_key(
    service_account_info: dict[str, str], missing: str
) -> None:
    info = {k: v for k, v in service_account_info.items() if k != missing}

    with pytest.raises(GoalpostError) as caught:
        open_client(info)

    assert caught.value.reason == "bad_service_account"


def test_read_sheet_refuses_a_link_before_calling_google(
    google: Any, service_account_info: dict[str, str]
) -> None:
    lookalike = f"https://docs.google.com.evil.test/spreadsheets/d/{SHEET_ID}/"

    with pytest.raises(GoalpostError) as caught:
        read_sheet(open_client(service_account_info), lookalike)

    assert caught.value.reason == "not_a_sheet_link"
    assert len(google.calls) == 0


# --- into the upload table reader ---------------------------------------------


def test_values_to_table_keeps_text_like_a_csv(
    google: Any, service_account_info: dict[str, str]
) -> None:
    _serve_sales(google)
    read, _ = _read(google, service_account_info)

    table = values_to_table(read)

    assert table.file_name == "Sales 2024" and table.sheet == "Monthly"
    assert list(table.frame.columns) == ["Date", "Code", "Revenue"]
    assert table.frame["Code"].tolist() == ["007", "042"]
    assert table.frame["Revenue"].tolist() == ["1,234.50", None]  # "" reads as empty
    assert table.row_numbers == (2, 3)  # the sheet's own row numbers


def test_values_to_table_renames_a_repeated_header_with_a_note(
    google: Any, service_account_info: dict[str, str]
) -> None:
    google.get(METADATA_URL, json=_metadata("Dupes", [("Sheet1", False)]))
    rows = [["Month", "Sales", "Sales"], ["Jan", "1", "2"]]
    google.get(_values_url("Sheet1"), json={"values": rows})
    read, _ = _read(google, service_account_info)
    assert read.values == rows  # the reader gets the header exactly as typed

    table = values_to_table(read)

    # the upload reader keeps both columns; the second gets the first free suffix
    assert list(table.frame.columns) == ["Month", "Sales", "Sales_2"]
    assert table.frame.iloc[0].tolist() == ["Jan", "1", "2"]
    assert 'Column C repeats the header "Sales"' in " ".join(table.notes)


def test_values_to_table_without_a_header_is_an_import_problem() -> None:
    read = SheetRead("Numbers", ("Sheet1",), "Sheet1", [["1", "2"], ["3", "4"]], NOON)

    with pytest.raises(GoalpostError) as caught:
        values_to_table(read)

    assert caught.value.reason == "no_header"
    assert 'File "Numbers", sheet "Sheet1"' in caught.value.message
