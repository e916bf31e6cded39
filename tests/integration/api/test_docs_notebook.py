"""docs/notebook.ipynb executed on a real Jupyter kernel (nbclient, ipykernel): it loads the
bundled example spec, runs one step, and every display is the HTML report's part it should be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"

nbformat = pytest.importorskip("nbformat", reason="nbformat is a test extra: pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a test extra: pip install -e '.[test]'")


def html_outputs(cell) -> list[str]:
    return [out["data"]["text/html"] for out in cell.get("outputs", [])
            if out.get("output_type") == "execute_result" and "text/html" in out.get("data", {})]


def test_the_notebook_runs_on_a_real_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipykernel", reason="no Jupyter kernel: pip install ipykernel")
    from jupyter_client.kernelspec import NoSuchKernel

    for folder in ("specs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".specrun", "__pycache__"))
    (tmp_path / "docs").mkdir()
    monkeypatch.setenv("SPECRUN_DISABLE_PLUGIN_AUTOLOAD", "1")   # the kernel inherits it
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), \
        "docs/notebook.ipynb is committed without outputs"
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path / "docs")}})
    try:
        client.execute()
    except (NoSuchKernel, RuntimeError) as exc:   # no kernel spec, or the kernel died at start
        if "kernel" in str(exc).lower() and not any(cell.get("outputs") for cell in notebook.cells):
            pytest.skip(f"no Jupyter kernel could start: {exc}")
        raise
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [out for cell in code for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
    [spec_dag] = html_outputs(code[0])
    assert 'class="dag"' in spec_dag and 'data-step="currency_conversion" data-outcome="planned"' in spec_dag
    [run] = html_outputs(code[1])
    assert 'id="summary"' in run and "1 passed" in run
    assert "fraud-detection::currency_conversion[standard]" in run
    frame = code[2]["outputs"][0]["data"]
    assert "peak_rss_bytes" in frame["text/plain"] and "passed" in frame["text/plain"]
    [case] = html_outputs(code[3])
    assert "<code>fraud-detection::currency_conversion[standard]</code>" in case
    assert (tmp_path / "docs" / ".specrun" / "last-run.json").exists()
