"""Shared pytest fixtures; each block belongs to one part of Goalpost."""

from __future__ import annotations

import getpass
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kpi.store import Store

# ---------------------------------------------------------------------------
# Store fixtures (kpi/store.py): `store` runs a test on SQLite and PostgreSQL.
# ---------------------------------------------------------------------------

POSTGRES_SERVER = "127.0.0.1:5432"
POSTGRES_NOT_RUNNING = f"PostgreSQL on {POSTGRES_SERVER} is not running"


def _reachable_postgres_url() -> str | None:
    """The URL of database "test" for the first role the server lets in."""
    for user in dict.fromkeys(("postgres", getpass.getuser())):
        url = f"postgresql+psycopg://{user}@{POSTGRES_SERVER}/test"
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                return url
        except sa.exc.OperationalError:
            continue
        finally:
            engine.dispose()
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL; skips without it, but fails when CI is set."""
    url = _reachable_postgres_url()
    if url is None and os.environ.get("CI"):
        pytest.fail(
            f"{POSTGRES_NOT_RUNNING}, and CI needs it: start the PostgreSQL "
            "service (trust auth, database 'test') before running the tests."
        )
    if url is None:
        pytest.skip(POSTGRES_NOT_RUNNING)
    return url


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """A Store in a schema of its own on the test server, dropped afterwards."""
    schema = f"gp_test_{uuid.uuid4().hex}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    store = Store(postgres_url, engine_options=options)
    try:
        yield store
    finally:
        store.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:
    """A Store on a fresh SQLite file under the test's tmp_path."""
    store = Store(f"sqlite:///{tmp_path / 'goalpost.db'}")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Store:
    """The same test on both backends: an empty Store each time."""
    return request.getfixturevalue(f"{request.param}_store")


# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# App fixtures (pages through AppTest, the browser journey).
# ---------------------------------------------------------------------------

# The day the app judges KPIs on in page tests, so that every run sees the same.
APP_TODAY = "2026-04-30"


@pytest.fixture(autouse=True)
def _clear_streamlit_caches() -> Iterator[None]:
    """Every test starts with empty Streamlit caches, so no answer leaks across."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_env(tmp_path, monkeypatch) -> str:
    """A fresh SQLite workspace for the app, judged as of APP_TODAY."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("GOALPOST_DATABASE_URL", url)
    monkeypatch.setenv("GOALPOST_TODAY", APP_TODAY)
    return url


# A Google service account with a key made for the run (tests/test_gsheets.py).
SERVICE_ACCOUNT_EMAIL = "goalpost-reader@example-project.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def service_account_info() -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "example-project",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": SERVICE_ACCOUNT_EMAIL,
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
