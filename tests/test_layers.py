"""The layers of ftlib point down (docs/architecture.md): import-linter's ``layers`` contract in
pyproject.toml, over every import (those inside functions too), fails on an arrow pointing up
or on a module of ftlib that no layer names."""

import ast
import sys
import tomllib

from importlinter.cli import lint_imports

from tests.conftest import ROOT


def test_layers_contract_is_kept(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "2 kept, 0 broken" in out


def test_every_subpackage_and_module_has_a_layer():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["id"] == "layers"]
    named = {m.strip() for layer in contract["layers"] for m in layer.split("|")}
    package = ROOT / "ftlib"
    children = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    children |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert children - named == set()
    assert named - children == set()
    assert contract["exhaustive"] is True


def _function_level_imports(path):
    """(line, statement) of every import inside a function of ``path`` without a comment beside it."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    line = lines[inner.lineno - 1]
                    before = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
                    if "#" not in line and not before.startswith("#"):
                        found.append((inner.lineno, line.strip()))
    return text, found


def test_imports_inside_functions_state_why():
    # Issue 10: an import inside a function only where there is a stated reason (a kernel's or the
    # CLI's start-up time, an optional heavy library) — said beside it or once for the module.
    stdlib = set(sys.stdlib_module_names)
    unstated, standard = [], []
    for path in sorted((ROOT / "ftlib").rglob("*.py")):
        text, found = _function_level_imports(path)
        for lineno, stmt in found:
            where = f"{path.relative_to(ROOT)}:{lineno}: {stmt}"
            module = stmt.split()[1].split(".")[0]
            if module in stdlib:
                standard.append(where)  # the standard library is loaded already: nothing to save
            elif "# Imports inside functions:" not in text:
                unstated.append(where)
    assert standard == []
    assert unstated == []
