# The arrows point inward: the domain imports no adapter, and adapters only the domain.
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIRING = {"bot/__main__.py", "bot/server.py"}
FORBIDDEN = {
    "bot": (
        "handlers",
        "storage",
        "scheduler",
        "slack_bolt",
        "slack_sdk",
        "microsoft_agents",
        "aiohttp",
        "sqlalchemy",
        "sqlmodel",
        "alembic",
        "apscheduler",
        "msal",
    ),
    "handlers": ("storage", "scheduler", "sqlalchemy", "sqlmodel"),
    "scheduler": ("handlers", "storage", "sqlalchemy", "sqlmodel", "slack_bolt", "slack_sdk"),
    "storage": ("handlers", "scheduler", "slack_bolt", "slack_sdk", "microsoft_agents"),
}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def modules(package: str) -> list[Path]:
    return [
        p for p in sorted((ROOT / package).rglob("*.py")) if str(p.relative_to(ROOT)) not in WIRING
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_inward(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_wiring() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("bot", "handlers", "storage", "scheduler")
        for path in modules(package)
        for name in imported(path)
        if name in {"bot.server", "bot.__main__"}
    ]
    assert not wrong, "\n".join(wrong)
