"""The engine stays pure: no web framework, database, network or provider SDKs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "app" / "engine"
FORBIDDEN = {
    "flask",
    "sqlalchemy",
    "requests",
    "twilio",
    "telegram",
    "httpx",
    "urllib3",
    "psycopg",
    "gtts",
    "textblob",
    "alembic",
    "socket",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_engine_source_imports_nothing_forbidden() -> None:
    for path in sorted(ENGINE.glob("*.py")):
        for name in imported_modules(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            if name.startswith("app."):
                assert name.startswith("app.engine"), f"{path.name} imports {name} from outside the engine"


def test_importing_the_engine_loads_nothing_forbidden() -> None:
    # app/__init__.py builds the Flask app, so stand in for the package and import only the engine.
    script = (
        "import sys, types\n"
        f"package = types.ModuleType('app'); package.__path__ = [{str(ROOT / 'app')!r}]\n"
        "sys.modules['app'] = package\n"
        "import app.engine, app.engine.transcript\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == ""
