"""The layers of ftlib point down (docs/architecture.md): import-linter's ``layers`` contract in
pyproject.toml, over every import (those inside functions too), fails on an arrow pointing up
or on a module of ftlib that no layer names."""

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
