"""Docs that cannot drift: the README names every page, setting and command."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from kpi.settings import WorkspaceSettings
from kpi.templates import read_template

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def page_titles() -> list[str]:
    """The titles app.py registers with st.Page, read from its source."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    titles = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            for keyword in node.keywords:
                if keyword.arg == "title":
                    titles.append(keyword.value.value)
    return titles


def test_app_registers_every_page_file():
    pages = {p.name for p in (ROOT / "pages").glob("*.py")} - {"__init__.py"}
    registered = (ROOT / "app.py").read_text(encoding="utf-8")
    assert pages - {"common.py"} == {p for p in pages if f"pages/{p}" in registered}


@pytest.mark.parametrize("title", page_titles())
def test_readme_describes_every_page(title):
    assert f"**{title}**" in README


@pytest.mark.parametrize(
    "setting", [f.name for f in dataclasses.fields(WorkspaceSettings)]
)
def test_readme_documents_every_workspace_setting(setting):
    assert f"`{setting}`" in README


@pytest.mark.parametrize(
    "name", ["GOALPOST_DATABASE_URL", "GOALPOST_TODAY", "maxUploadSize"]
)
def test_readme_documents_every_environment_setting(name):
    assert f"`{name}`" in README


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def readme_section(title: str) -> str:
    """The README's text from ``## title`` to the next ``## `` heading."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


TEMPLATE_FILES = sorted(p.name for p in (ROOT / "data" / "templates").glob("*.yaml"))


@pytest.mark.parametrize("file_name", TEMPLATE_FILES)
def test_readme_lists_every_template_file(file_name):
    assert f"| `{file_name}` |" in readme_section("Templates")


def test_readme_lists_no_template_file_that_is_gone():
    listed = re.findall(r"^\| `([\w-]+\.yaml)` \|", readme_section("Templates"), re.M)
    assert sorted(listed) == TEMPLATE_FILES


def test_readme_template_example_reads():
    section = readme_section("Templates")
    example = section.split("```yaml", 1)[1].split("```", 1)[0]

    template = read_template(example, field="example")

    assert [kpi.key for kpi in template.kpis] == ["revenue", "average_deal_size"]
