"""Every user-facing string of the window goes through Qt's translation (tr): a Vietnamese
literal in bdhvs_desktop/gui outside tr() is reported with its file and line.

Exempt: docstrings, console output of the program's own arguments (print, argparse), log
calls, f-string format specs, and a line marked `# not-ui` (e.g. a value that is parsed)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

GUI = Path(__file__).resolve().parents[1] / "bdhvs_desktop" / "gui"
VIETNAMESE = re.compile(r"[À-ỹĐđ]")
CONSOLE_CALLS = {"print", "add_argument", "ArgumentParser", "translate", "tr"}
LOG_OWNERS = {"log", "logger", "logging"}


def _call_name(call: ast.Call) -> tuple[str, str]:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id, ""
    if isinstance(f, ast.Attribute):
        owner = f.value.id if isinstance(f.value, ast.Name) else ""
        return f.attr, owner
    return "", ""


def untranslated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        else:
            continue
        if not VIETNAMESE.search(text):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Expr) or isinstance(parent, (ast.JoinedStr, ast.FormattedValue)):
            continue  # a docstring, or a piece of an f-string judged as a whole
        if "# not-ui" in lines[node.lineno - 1]:
            continue
        exempt, cur = False, node
        while cur in parents:
            cur = parents[cur]
            if isinstance(cur, ast.Call):
                name, owner = _call_name(cur)
                if name in CONSOLE_CALLS or owner in LOG_OWNERS:
                    exempt = True
                    break
            if isinstance(cur, (ast.FunctionDef, ast.ClassDef, ast.Module)):
                break
        if not exempt:
            problems.append(f"{path.relative_to(GUI.parents[1])}:{node.lineno}: {text[:50]!r}")
    return problems


def test_checker_finds_an_untranslated_literal(tmp_path):
    sample = GUI / "_i18n_sample_for_test.py"
    sample.write_text('from x import tr\nA = tr("Đúng")\nB = "Sửa"\nC = f"Sửa {A}"\nD = "có"  # not-ui\n',
                      encoding="utf-8")
    try:
        found = untranslated(sample)
    finally:
        sample.unlink()
    assert [p.split(":")[1] for p in found] == ["3", "4"]


def test_every_gui_string_goes_through_tr():
    problems = [p for path in sorted(GUI.rglob("*.py")) for p in untranslated(path)]
    assert not problems, "Chuỗi hiển thị chưa qua tr():\n" + "\n".join(problems)
