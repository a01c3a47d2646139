"""Each widget notebook runs headless (nbclient, kernel python3), is committed without
outputs, and its cells only import and call ftlib.ui (no logic in the notebook)."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = ["01_case_builder.ipynb", "04_training_quiz.ipynb", "05_exante_check.ipynb", "06_case_desk.ipynb", "07_quiz_trainer.ipynb"]
WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_clean_and_thin(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    for c in code:  # imports and one call: no rules, no logic
        lines = [ln for ln in c.source.splitlines() if ln.strip()]
        assert len(lines) <= 3 and all(ln.startswith(("from ftlib", "import ftlib")) or "= " in ln or ln.endswith(")")
                                       for ln in lines)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_headless(name):
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    assert any(WIDGET in o.get("data", {}) for o in outputs), "the app shows a widget"
