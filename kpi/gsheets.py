"""Reading a Google Sheet shared with a service account, as rows of text.

``sheet_id_from`` turns what a person pastes (the sheet's id, or its
``https://docs.google.com/spreadsheets/d/<id>/...`` link) into the id; only
that id is ever sent to Google. ``read_sheet`` fetches the worksheet names and
one worksheet's cells as the sheet shows them ("007", "1,234.50"), in two
Sheets API calls, and ``values_to_table`` hands those rows to the same table
reader CSV uploads go through, so typing happens in one place.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlsplit

import gspread
import requests
from google.auth.exceptions import GoogleAuthError
from gspread.exceptions import APIError
from gspread.utils import absolute_range_name, fill_gaps

from kpi.errors import GoalpostError
from kpi.reading import RawTable, table_from_rows

READ_ONLY_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
SHEETS_HOST = "docs.google.com"
RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0)
REQUEST_TIMEOUT = (10.0, 60.0)  # seconds to connect, seconds to read

_SHEET_ID = re.compile(r"[A-Za-z0-9_-]{20,100}")
_PASTE_ADVICE = (
    "Paste the link from the browser's address bar while the sheet is open "
    "(https://docs.google.com/spreadsheets/d/<id>/edit), or just the <id> part."
)
_METADATA_FIELDS = "properties.title,sheets.properties(title,hidden)"

T = TypeVar("T")


@dataclass(frozen=True)
class SheetRead:
    """One worksheet as read: ``values`` are the cells' displayed text, padded
    so every row has the same length; ``worksheets`` are the visible names."""

    title: str
    worksheets: tuple[str, ...]
    worksheet: str
    values: list[list[str]]
    read_at: datetime


def sheet_id_from(text: str) -> str:
    """The spreadsheet id in a pasted id or ``https://docs.google.com`` link.

    ``"https://docs.google.com/spreadsheets/d/1AbC...xyz/edit#gid=0"`` gives
    ``"1AbC...xyz"``. Ids are 20-100 letters, digits, ``-`` or ``_``. Other
    hosts, ``http://`` and published (``/d/e/``) links raise GoalpostError
    ``not_a_sheet_link`` or ``published_sheet_link``.
    """
    pasted = text.strip()
    if _SHEET_ID.fullmatch(pasted):
        return pasted

    parts = urlsplit(pasted)
    segments = parts.path.split("/")
    if parts.scheme != "https" or parts.netloc.lower() != SHEETS_HOST:
        raise _not_a_link(pasted)
    if segments[:3] != ["", "spreadsheets", "d"] or len(segments) < 4:
        raise _not_a_link(pasted)
    if segments[3] == "e":
        raise GoalpostError(
            "published_sheet_link",
            "This is a published (File > Share > Publish to web) link, which "
            "hides the sheet's id. Open the sheet itself and paste its sharing "
            "link instead (Share > Copy link).",
        )
    if not _SHEET_ID.fullmatch(segments[3]):
        raise _not_a_link(pasted)
    return segments[3]


def open_client(service_account_info: Mapping[str, Any]) -> gspread.Client:
    """A gspread client that can only read, signed in as the service account.

    Raises GoalpostError ``bad_service_account`` when the key file's content is
    incomplete (no ``client_email``, ``private_key`` or ``token_uri``).
    """
    try:
        client = gspread.service_account_from_dict(
            service_account_info, scopes=list(READ_ONLY_SCOPES)
        )
    except (ValueError, KeyError) as error:
        raise _bad_service_account(str(error)) from error
    client.set_timeout(REQUEST_TIMEOUT)
    return client


def read_sheet(
    client: gspread.Client,
    sheet_id: str,
    worksheet: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SheetRead:
    """Title, visible worksheet names and one worksheet's cells as text.

    ``worksheet=None`` reads the first visible worksheet. A 429 (too many
    requests) is retried after 1, 2, 4 and 8 seconds (``sleep`` is called
    with each delay). Raises GoalpostError: not_a_sheet_link, sheet_not_shared,
    sheet_not_found, unknown_sheet, sheets_rate_limited, sheets_error,
    sheets_unreachable, bad_service_account.
    """
    sheet_id = sheet_id_from(sheet_id)
    http = client.http_client
    email = _client_email(client)

    metadata = _call(
        lambda: http.fetch_sheet_metadata(
            sheet_id, params={"includeGridData": "false", "fields": _METADATA_FIELDS}
        ),
        sheet_id,
        email,
        sleep,
    )
    title = str(metadata["properties"]["title"])
    names = _visible_worksheets(metadata)
    chosen = _pick_worksheet(title, names, worksheet)

    response = _call(
        lambda: http.values_get(
            sheet_id,
            absolute_range_name(chosen),
            params={"valueRenderOption": "FORMATTED_VALUE"},
        ),
        sheet_id,
        email,
        sleep,
    )
    rows = response.get("values") or []
    values = [[str(cell) for cell in row] for row in fill_gaps(rows)] if rows else []
    return SheetRead(title, names, chosen, values, datetime.now(UTC))


def values_to_table(read: SheetRead, table: int | None = None) -> RawTable:
    """The read worksheet as a RawTable, exactly as a CSV with these cells.

    Header detection, repeated or blank headers and empty rows are handled by
    the upload reader; messages name the sheet as ``File "<title>", sheet
    "<worksheet>"``. ``table`` picks one of several tables on the worksheet.
    Raises ImportProblem ``no_header``, ``empty_file`` or ``unknown_table``.
    """
    rows: list[list[Any]] = [list(row) for row in read.values]
    return table_from_rows(read.title, read.worksheet, rows, None, [], table)


def _visible_worksheets(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    sheets = metadata.get("sheets") or []
    return tuple(
        str(sheet["properties"]["title"])
        for sheet in sheets
        if not sheet["properties"].get("hidden", False)
    )


def _pick_worksheet(title: str, names: tuple[str, ...], wanted: str | None) -> str:
    if wanted is None and names:
        return names[0]
    if wanted in names:
        return wanted
    listed = ", ".join(f'"{name}"' for name in names) or "none"
    raise GoalpostError(
        "unknown_sheet",
        f'Sheet "{title}" has no visible worksheet "{wanted}". '
        f"Its worksheets are: {listed}. Pick one of those.",
    )


def _call(
    request: Callable[[], T],
    sheet_id: str,
    email: str,
    sleep: Callable[[float], None],
) -> T:
    """``request()``, retried on 429 after each of RETRY_DELAYS, errors mapped."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return request()
        except APIError as error:
            status = error.response.status_code
            if status != HTTPStatus.TOO_MANY_REQUESTS or delay is None:
                raise _api_problem(status, error, sheet_id, email) from error
            sleep(delay)
        except GoogleAuthError as error:
            raise _bad_service_account(type(error).__name__) from error
        except requests.RequestException as error:
            raise GoalpostError(
                "sheets_unreachable",
                "Google Sheets could not be reached "
                f"({type(error).__name__}). Check the network and try again.",
            ) from error
    raise AssertionError("unreachable: the last attempt returns or raises")


def _api_problem(
    status: int, error: APIError, sheet_id: str, email: str
) -> GoalpostError:
    if status == HTTPStatus.FORBIDDEN:
        return GoalpostError(
            "sheet_not_shared",
            f"The service account cannot open sheet {sheet_id}. Share the sheet "
            f"with {email} (read-only is enough), then try again.",
        )
    if status == HTTPStatus.NOT_FOUND:
        return GoalpostError(
            "sheet_not_found",
            f"No Google Sheet has the id {sheet_id}. Check that the whole link "
            "was copied, and that the sheet was not deleted.",
        )
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return GoalpostError(
            "sheets_rate_limited",
            "Google Sheets is refusing reads for now (too many requests). "
            "Try again in a minute.",
        )
    detail = str(error.error.get("message", "no explanation")).rstrip(".")
    return GoalpostError(
        "sheets_error",
        f"Google Sheets answered HTTP {status}: {detail}. Try again; if it keeps "
        "failing, download the sheet as CSV and upload that.",
    )


def _client_email(client: gspread.Client) -> str:
    credentials = getattr(client.http_client, "auth", None)
    return str(getattr(credentials, "service_account_email", "the service account"))


def _not_a_link(pasted: str) -> GoalpostError:
    shown = pasted if len(pasted) <= 80 else pasted[:77] + "..."
    return GoalpostError(
        "not_a_sheet_link",
        f'"{shown}" is not a Google Sheets link or id. {_PASTE_ADVICE}',
    )


def _bad_service_account(detail: str) -> GoalpostError:
    return GoalpostError(
        "bad_service_account",
        f"The service account key was refused ({detail}). Download a new JSON "
        "key for the service account in Google Cloud and paste all of it.",
    )
