"""The house rules that keep the code readable, checked on every run (fast: no data needed)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GEO = sorted((ROOT / "geo").rglob("*.py"))
APP = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def test_the_read_side_loads_no_build_code():
    code = ("import sys, geo.atlas, geo.geocode.ladder, geo.present.folium_map, geo.present.export; "
            "print(sorted(m for m in sys.modules if m.startswith('geo.build') or m == 'pyogrio'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("path", GEO, ids=lambda p: str(p.relative_to(ROOT)))
def test_library_modules_and_functions_stay_short(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno - node.lineno + 1 <= MAX_FUNCTION_LINES, f"{node.name} is too long"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_geo_never_imports_streamlit():
    offenders = [str(p) for p in GEO if any(n.split(".")[0] == "streamlit" for n in _imports(p))]
    assert offenders == []


@pytest.mark.parametrize("path", APP, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_uses_only_public_streamlit_and_never_imports_pages(path):
    imports = _imports(path)
    assert not [n for n in imports if n.split(".")[0] == "pages"]
    public = ("streamlit.testing",)  # a documented API; everything else is internal
    private = [n for n in imports if n.startswith("streamlit.") and not n.startswith(public)]
    assert private == [], "Streamlit's internals are not an API"
    assert "PagesManager" not in path.read_text()
