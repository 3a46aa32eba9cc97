"""The layering contract (import-linter, configured in pyproject.toml) and the packaging
pins that keep users off the crashing PySide6 + Python pair (pitfalls #1)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: " in result.stdout and " broken" in result.stdout


NO_SQLALCHEMY_CONTRACT = "No SQLAlchemy type crosses into the GUI or the command line"


def _contract(name: str) -> dict:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in data["tool"]["importlinter"]["contracts"] if c["name"] == name)


@pytest.mark.parametrize("module, planted", [
    ("gui/pages/people.py", "import sqlalchemy\n"),
    ("gui/conflict.py", "from sqlalchemy.orm.exc import StaleDataError\n"),
    ("cli/awards.py", "from bdhvs_desktop.storage import models as m\n"),
])
def test_sqlalchemy_planted_in_gui_or_cli_breaks_the_contract(tmp_path, module, planted):
    """Issue #12: gui/ and cli/ get plain data and services.errors, never a SQLAlchemy type or
    an ORM model. The contract is checked on a copy of the package with one import planted."""
    contract = _contract(NO_SQLALCHEMY_CONTRACT)
    assert contract["type"] == "forbidden"
    assert {"bdhvs_desktop.gui", "bdhvs_desktop.cli"} <= set(contract["source_modules"])
    assert {"sqlalchemy", "bdhvs_desktop.storage.models"} <= set(contract["forbidden_modules"])
    shutil.copytree(ROOT / "bdhvs_desktop", tmp_path / "bdhvs_desktop",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "resources"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    def run():
        return subprocess.run([exe, "--no-cache", "--contract", "bdhvs_desktop-no-sqlalchemy", "pyproject.toml"],
                              cwd=tmp_path, capture_output=True, text=True, env=env)

    clean = run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    target = tmp_path / "bdhvs_desktop" / module
    text = target.read_text(encoding="utf-8")
    head, sep, body = text.partition("from __future__ import annotations\n")
    target.write_text(head + sep + planted + body if sep else planted + text, encoding="utf-8")
    broken = run()
    assert broken.returncode != 0 and f"{NO_SQLALCHEMY_CONTRACT} BROKEN" in broken.stdout, broken.stdout


def _pyside_requirements():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(r) for r in data["project"]["dependencies"] if r.lower().startswith("pyside6")]


def test_no_supported_install_gets_pyside_6_12_0_on_python_3_11():
    reqs = _pyside_requirements()
    assert reqs, "PySide6 must be a dependency"
    for py in ("3.11.0", "3.11.9", "3.12.1", "3.13.0"):
        env = {"python_version": py.rsplit(".", 1)[0], "python_full_version": py}
        active = [r for r in reqs if r.marker is None or r.marker.evaluate(env)]
        assert len(active) == 1, (py, active)
        allows_broken = active[0].specifier.contains(Version("6.12.0"), prereleases=True)
        assert allows_broken == (not py.startswith("3.11")), (py, active[0])


def test_running_pair_is_not_the_broken_one():
    import PySide6

    version = Version(PySide6.__version__)
    assert not (sys.version_info[:2] == (3, 11) and version >= Version("6.12")), (sys.version, version)


# ------------------------------------------------------------------ import cycles (#12)

# Cycles between modules still to be broken, each by moving the shared piece to a lower module (as
# storage/connection.py, services/upkeep.py, documents/template_env.py, services/council/common.py
# and services/dossier/common.py did). Empty since #12 split the council and the dossier.
KNOWN_CYCLES: set[frozenset[str]] = set()


def _cycles(graph) -> list[frozenset[str]]:  # a grimp.ImportGraph
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _package_graph():
    import grimp

    # Every import statement counts, also those inside functions and under TYPE_CHECKING:
    # a function-level import hides a cycle from start-up, not from the design.
    return grimp.build_graph("bdhvs_desktop", cache_dir=None)


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    import grimp

    graph = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d"):
        graph.add_module(name)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.d")
    assert _cycles(graph) == [frozenset({"pkg.a", "pkg.b", "pkg.c"})]
    # grimp records imports made inside functions: storage/engine imports migrate only when a
    # database needs upgrading (start-up cost), and that edge must be in the graph.
    real = _package_graph()
    details = real.get_import_details(importer="bdhvs_desktop.storage.engine", imported="bdhvs_desktop.storage.migrate")
    assert details and details[0]["line_contents"].startswith("from bdhvs_desktop.storage import migrate")


def test_no_import_cycle_between_modules():
    found = set(_cycles(_package_graph()))
    new = found - KNOWN_CYCLES
    assert not new, "New import cycle (move the shared piece down to a lower module): " + "; ".join(
        " ↔ ".join(sorted(c)) for c in new)
    gone = KNOWN_CYCLES - found
    assert not gone, "These cycles are broken now: remove them from KNOWN_CYCLES: " + "; ".join(
        " ↔ ".join(sorted(c)) for c in gone)


# ------------------------------------------------------------------ module size, lazy imports (#12)

MAX_MODULE_LINES = 600
# Modules branch i12-errors is splitting now (issue #12). Both checks below skip them until their
# split lands; the lead removes each entry then (the size check says when one is no longer needed).
# Nothing else may be added here: split a module that grows past the limit along its domain.
BEING_SPLIT: frozenset[str] = frozenset()  # the six modules #12 split (council, dossier, form08, awards, audit,
# documents/context) are packages now; add a module here only while a branch splits it
_LAZY_MARK = re.compile(r"#\s*lazy:\s*\S")


def _package_sources(root: Path = ROOT):
    """(path relative to the repository, source) of every module of the package but migrations."""
    for path in sorted((root / "bdhvs_desktop").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/migrations/" not in rel:
            yield rel, path.read_text(encoding="utf-8")


def _oversized(root: Path = ROOT) -> dict[str, int]:
    sizes = {rel: len(source.splitlines()) for rel, source in _package_sources(root)}
    return {rel: n for rel, n in sizes.items() if n > MAX_MODULE_LINES}


def _unmarked_function_imports(source: str) -> list[int]:
    """Line numbers of the imports inside a function (at any depth) whose statement carries no
    `# lazy: <reason>` comment (docs/architecture.md, section 1)."""
    lines = source.splitlines()
    found: list[int] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and in_function:
                statement = "\n".join(lines[child.lineno - 1:child.end_lineno])
                if not _LAZY_MARK.search(statement):
                    found.append(child.lineno)
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(ast.parse(source), False)
    return found


def test_the_lazy_import_check_finds_an_unmarked_one():
    source = """import os


def f():
    import json  # lazy: start-up
    from pathlib import (  # lazy: cycle a↔b
        Path,
    )

    class Inner:
        def g(self):
            import csv
            return csv

    def h():
        from io import StringIO  # lazy:
        return StringIO
    return json, Path, Inner, h


class C:
    import sys
"""
    assert _unmarked_function_imports(source) == [12, 16]


def test_no_module_over_600_lines():
    big = _oversized()
    new = {rel: n for rel, n in big.items() if rel not in BEING_SPLIT}
    assert not new, f"Modules over {MAX_MODULE_LINES} lines (split them along the domain, keep the old import " \
                    "path working): " + ", ".join(f"{rel} ({n})" for rel, n in sorted(new.items()))
    done = sorted(BEING_SPLIT - set(big))
    assert not done, "Split now (or gone): remove from BEING_SPLIT: " + ", ".join(done)


def test_every_function_level_import_says_why():
    unmarked = {rel: lines for rel, source in _package_sources()
                if rel not in BEING_SPLIT and (lines := _unmarked_function_imports(source))}
    assert not unmarked, "Imports inside functions without a `# lazy: <reason>` comment (move them to the top, " \
                         "or say why they must wait: docs/architecture.md, section 1): " + "; ".join(
        f"{rel}: lines {', '.join(map(str, lines))}" for rel, lines in sorted(unmarked.items()))


# ------------------------------------------------------------------ ruff (#12)


def test_ruff_finds_nothing():
    """`ruff check` (configured in pyproject.toml: every ignore there says why) is clean, so a
    `# noqa` left in the code suppresses a real finding (RUF100 is selected)."""
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert exe, "ruff is missing: pip install -e '.[test]'"
    result = subprocess.run([exe, "check", "--no-cache", "--output-format", "concise", str(ROOT)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ docs (#12)


def test_cited_pitfalls_are_in_the_repository():
    """Code, tests and build files cite "pitfalls #N" from docs/pitfalls.md (in the repository,
    numbers stable), never from a folder outside it."""
    import re

    numbers = {int(n) for n in re.findall(r"^(\d+)\. \*\*", (ROOT / "docs" / "pitfalls.md").read_text(encoding="utf-8"),
                                            re.MULTILINE)}
    assert numbers == set(range(1, len(numbers) + 1)) and len(numbers) >= 15, sorted(numbers)
    cite = re.compile(r"pitfalls?\s*(?:#|n[o°]\.?\s*)?(\d+)", re.IGNORECASE)
    cited, outside = {}, []
    files = [p for d in ("bdhvs_desktop", "tests", "bench", "installer", "forms_templates") for p in (ROOT / d).rglob("*")
             if p.suffix in {".py", ".sh", ".spec", ".toml", ".nsi"}]
    for path in [*files, ROOT / "Makefile", ROOT / "pyproject.toml", ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8", errors="replace")
        if "shared/docs/pitfalls" in text and path.name != Path(__file__).name:
            outside.append(str(path.relative_to(ROOT)))
        for n in cite.findall(text):
            cited.setdefault(int(n), []).append(str(path.relative_to(ROOT)))
    assert not outside, f"cite docs/pitfalls.md, not the shared folder: {outside}"
    assert cited, "no citation found: the pattern is wrong"
    missing = {n: where for n, where in cited.items() if n not in numbers}
    assert not missing, missing


def test_every_split_module_imports_first():
    """A package split along the domain (services/council, services/dossier ...) re-exports its
    parts from __init__; whichever part a caller imports first -- a part, or a module that imports
    a part -- the import must not meet a partially initialised module (a `from x import name`
    across the split does)."""
    graph = _package_graph()
    parts = {m for m in graph.modules if m.count(".") == 3 and m.split(".")[1] in ("services", "documents")}
    packages = {p.rsplit(".", 1)[0] for p in parts}  # and their old import paths (the re-exports)
    importers = {i for p in parts | packages for i in graph.find_modules_that_directly_import(p)}
    names = sorted(parts | importers)
    assert any(n.startswith("bdhvs_desktop.services.council.") for n in names)
    script = textwrap.dedent("""
        import importlib, sys
        failed = []
        for name in sys.argv[1:]:
            for loaded in [k for k in sys.modules if k.startswith("bdhvs_desktop")]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except ImportError as exc:
                failed.append(f"{name}: {exc}")
        print("\\n".join(failed))
        sys.exit(1 if failed else 0)
    """)
    result = subprocess.run([sys.executable, "-c", script, *names], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
