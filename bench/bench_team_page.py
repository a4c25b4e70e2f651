"""How long the Team page takes to redraw on the sample workspace, cold and warm.

Cold: empty Streamlit caches (frames read from the store, every KPI judged).
Warm: the same page again, answers from the caches. Runs the page through
AppTest, so the figure is the server's script time, not the browser's paint.

    .venv/bin/python bench/bench_team_page.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEAMS = ("Support", "Marketing", "Sales East")


def main() -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    folder = tempfile.mkdtemp(prefix="goalpost-bench-")
    os.environ["GOALPOST_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    os.environ.setdefault("GOALPOST_TODAY", "2026-12-03")

    started = time.perf_counter()
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    first.run()
    print(
        "first start (sample generated and imported): "
        f"{time.perf_counter() - started:.2f} s"
    )

    for team in TEAMS:
        cold, warm = [], []
        for _ in range(3):
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            app.query_params["team"] = team
            app.run()
            app.switch_page("pages/team.py")
            st.cache_data.clear()
            st.cache_resource.clear()
            started = time.perf_counter()
            app.run()
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            app.run()
            warm.append(time.perf_counter() - started)
            assert not app.exception, [e.value for e in app.exception]
        print(
            f"Team page, {team:<10} ({len(app.metric)} cards): "
            f"cold {statistics.median(cold) * 1000:.0f} ms, "
            f"warm {statistics.median(warm) * 1000:.0f} ms (median of 3)"
        )


if __name__ == "__main__":
    main()
