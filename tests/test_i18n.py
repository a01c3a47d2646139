"""Every label exists in zh-CN and en: no half-translated entry, no entry that lost its language
to YAML (an unquoted comma in a flow mapping splits it)."""

import pytest
import yaml

from ftlib.i18n import label
from tests.conftest import ROOT


def pairs(node, path=""):
    """Yield (path, entry) for every mapping that holds texts, failing on a broken one."""
    if isinstance(node, dict):
        keys = set(node)
        if keys & {"zh", "en"}:
            yield path, node
            return
        for k, v in node.items():
            yield from pairs(v, f"{path}.{k}" if path else str(k))


@pytest.mark.parametrize("name", ["ftlib/data/labels/labels.yaml", "ftlib/data/labels/metrics_labels.yaml", "ftlib/data/labels/ui_labels.yaml"])
def test_every_label_has_both_languages(name):
    data = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    found = list(pairs(data))
    assert len(found) > 20
    for path, entry in found:
        assert set(entry) >= {"zh", "en"}, (name, path, entry)
        assert isinstance(entry["zh"], str) and entry["zh"].strip(), (name, path)
        assert isinstance(entry["en"], str) and entry["en"].strip(), (name, path)


def test_lookup_and_unknown_language():
    assert label("outcome.exempt", "zh") == "免责（不予问责或免予问责）"
    assert label("disposition.exempted", "zh") == "免予问责"
    assert label("disposition.not_accountable", "en") == "not held accountable"
    with pytest.raises(ValueError, match="fr"):
        label("outcome.exempt", "fr")


def test_every_grading_row_of_the_bundled_policies_has_words_in_both_languages():
    from ftlib.i18n import labels
    from ftlib.policy.loader import bundled

    # A grading row's name lives in its policy file (label: {zh, en}), not in the catalogue.
    unnamed = [(p.id, g.id) for p in bundled().policies.values() for g in p.grading
               if g.label is None or not g.label.zh.strip() or not g.label.en.strip()]
    assert unnamed == []
    assert not any(k.startswith("grading_row.") for k in labels())


def test_one_catalogue_one_fallback():
    from ftlib.i18n import label, namespaces

    # every area's file is a namespace of the one catalogue
    assert {"", "ui", "metrics"} <= set(namespaces())
    assert label("ui.facts.public_motive", "zh") != "public_motive"
    assert label("metrics.group.intake", "en") == "Intake"
    # one fallback rule: the id the key names (without namespace and group)
    assert label("outcome.no_such_outcome", "zh") == "no_such_outcome"
    assert label("metrics.column.no_such_column", "en") == "no_such_column"
    assert label("ui.facts.procedure.no_such_fact", "zh") == "procedure.no_such_fact"


def test_the_deciding_row_is_named_in_words(cli):
    r = cli("determine", "ftlib/data/cases/c01-routine-filing-error.yaml")
    assert r.returncode == 0, r.stderr
    assert "← 不属于所列容错情形 (not_in_scope)" in r.stdout


def test_no_label_entry_is_split_by_an_unquoted_comma():
    """A YAML flow mapping `{zh: …, en: a, b}` silently turns ` b` into a key of its own; every
    entry that has zh or en has exactly those two, both text."""
    bad = []

    def walk(node, path):
        if isinstance(node, dict):
            if {"zh", "en"} & set(node) and (set(node) - {"zh", "en"} or not all(
                    isinstance(node.get(k), str) for k in ("zh", "en"))):
                bad.append(f"{path}: {sorted(map(str, node))}")
            for key, value in node.items():
                walk(value, f"{path}.{key}")

    for f in sorted((ROOT / "ftlib" / "data" / "labels").glob("*.yaml")):
        walk(yaml.safe_load(f.read_text(encoding="utf-8")), f.name)
    assert bad == []
