"""Report helpers: template contract, timing removal, HTML with no network references."""

import json

import nbformat
import pytest
from conftest import ROOT

from hiplbp.report import html, notebook, provenance

TEMPLATE = ROOT / "notebooks" / "report.ipynb"


def test_template_has_one_tagged_parameters_cell_and_no_outputs():
    nb = nbformat.read(TEMPLATE, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_strip_volatile_removes_timings():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.metadata["papermill"] = {"start_time": "2026", "end_time": "2026", "duration": 1.0, "parameters": {"a": 1}}
    nb.cells[0].metadata["papermill"] = {"start_time": "x", "duration": 2.0, "status": "completed"}
    nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    nb.cells[0].metadata["tags"] = ["injected-parameters"]
    notebook.strip_volatile(nb)
    assert nb.cells[0]["id"] == "injected-parameters"
    assert nb.metadata["papermill"] == {"parameters": {"a": 1}}
    assert nb.cells[0].metadata["papermill"] == {"status": "completed"} and "execution" not in nb.cells[0].metadata


def test_html_loads_nothing_from_the_network():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title $x$")])
    page = notebook.to_html(nb)
    assert notebook.network_references(page) == []
    assert "<script src=" not in page and "cdnjs" not in page.split("</style>")[-1]
    assert "Title" in page


def test_unknown_parameter_fails_fast(tmp_path):
    with pytest.raises(ValueError, match=r"unknown report parameter\(s\) \['colour'\]"):
        notebook.execute(TEMPLATE, tmp_path / "o.ipynb", {"colour": "red"})


def test_provenance_text_names_synthetic_data_and_assumptions():
    text = provenance.provenance_markdown(
        {"synthetic": True, "correlation": 0.5, "assumptions": ["vas at week6 in CG II = week3 mean +0, SD x 1"]}
    )
    assert "not patient data" in text and "0.5" in text and "vas at week6 in CG II" in text
    real = provenance.provenance_markdown(
        {"synthetic": False, "path": "d.csv", "sha256": "ab" * 32, "n_rows": 3, "layout": "long"}
    )
    assert html.md("d.csv") in real and "not patient data" not in real
    json.dumps(real)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["-p", "nonexistent", "1"],
            "report parameter 'nonexistent' is unknown; the report declares: allocation, alpha,",
        ),
        (["-p", "alpha", "high"], "report parameter 'alpha': expected float, got str 'high'"),
        (["-p", "ss_type", "2.5"], "report parameter 'ss_type': expected int, got float 2.5"),
        (["-y", "outcomes: vas"], "report parameter 'outcomes': expected list, got str 'vas'"),
    ],
)
def test_papermill_by_hand_fails_fast_naming_the_parameter(tmp_path, args, message):
    import subprocess
    import sys

    out = tmp_path / "out.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(TEMPLATE), str(out), "--no-progress-bar", *args]
    for _ in range(3):
        proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
        # a kernel that dies before its first reply (jupyter_client's ports taken by a kernel started
        # at the same moment, under pytest-xdist) never ran the notebook: start it again
        if "Kernel died before replying to kernel_info" not in proc.stderr:
            break
    assert proc.returncode != 0
    assert message in proc.stdout + proc.stderr


def test_check_parameters_accepts_the_declared_types():
    ns = {"__annotations__": {"alpha": float, "ss_type": int, "outcomes": list}, "alpha": 1, "ss_type": 2}
    notebook.check_parameters(ns | {"outcomes": ["vas"]}, ["__annotations__"])
    with pytest.raises(ValueError, match="report parameter 'ss_type': expected int, got bool True"):
        notebook.check_parameters(ns | {"outcomes": [], "ss_type": True}, ["__annotations__"])
