"""The course runs from the repository folder with nothing installed: Colab after `git clone`, VS Code
with another interpreter, a lab PC. Every lesson and every exercise copy is executed with nbclient
from its own folder, by a kernel whose Python has the five packages below and NOT the course, so
`helpers` is found only by the setup cell, in the repository folder.

On first use this builds .venv-bare/ in the repository root (seconds with uv, about a minute with
pip; later runs reuse it
and only check it). anywidget is deliberately absent: the explorers must fall back to a static
picture there. Nothing may raise except the exercise stubs a student has not written yet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers as h

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402  (uv when the test tools have it, else venv and pip)

VENV = ROOT / ".venv-bare"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
#: What a bare environment has: the course's runtime needs and a kernel, nothing of the course.
PACKAGES = ["numpy", "matplotlib", "ipywidgets", "ipykernel", "nbclient"]
STAMP = VENV / "downhill-packages.txt"

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "notebooks" / "exercises").glob("ex*.ipynb"))
SOLUTIONS = sorted((ROOT / "instructor" / "source").glob("ex*/ex*.ipynb"))

PROBE = """
import importlib.util, json, os
found = {name: importlib.util.find_spec(name) is not None
         for name in ["numpy", "matplotlib", "ipywidgets", "ipykernel", "nbclient", "helpers", "anywidget"]}
# compiled as pip leaves an install (envs.install asks uv for it): else every kernel compiles again
found["compiled"] = found["matplotlib"] and os.path.isfile(
    importlib.util.cache_from_source(importlib.util.find_spec("matplotlib").origin))
print(json.dumps(found))
"""

RUNNER = r"""
import json, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, out, tools = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, tools)
from ipc_kernels import IPCKernelManager  # the repository's tools/, not the course

nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=600, kernel_name="python3", kernel_manager_class=IPCKernelManager,
                        resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}})
stopped = None
try:
    client.execute()
except CellExecutionError as error:
    stopped = str(error)[-3000:]
cells = [{"source": c.source, "tags": c.metadata.get("tags", []),
          "grade": bool(c.metadata.get("nbgrader", {}).get("grade")),
          "outputs": c.get("outputs", [])} for c in nb.cells if c.cell_type == "code"]
json.dump({"stopped": stopped, "cells": cells}, open(out, "w"))
"""


def _probe(cwd: Path) -> dict | None:
    if not PYTHON.exists():
        return None
    done = subprocess.run([str(PYTHON), "-I", "-c", PROBE], cwd=cwd, capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else None


def _ready(cwd: Path) -> bool:
    """.venv-bare has exactly what it should: the five packages, compiled, and neither the course
    nor anywidget."""
    found = _probe(cwd)
    return (found is not None and STAMP.exists() and STAMP.read_text() == "\n".join(PACKAGES)
            and all(found[name] for name in PACKAGES) and found["compiled"]
            and not found["helpers"] and not found["anywidget"])


def _run(command, **kwargs):
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def bare_kernel(tmp_path_factory) -> dict:
    """The environment for nbclient with a python3 kernel from .venv-bare (built on first use)."""
    root = tmp_path_factory.mktemp("bare")
    if not _ready(root):
        envs.make_venv(sys.executable, VENV)
        envs.install(VENV, *PACKAGES)
        STAMP.write_text("\n".join(PACKAGES))
    assert _ready(root), "the bare environment has the five packages, compiled, and not the course"
    kernel = root / "jupyter-data" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (bare)", "language": "python"}))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(JUPYTER_PATH=str(root / "jupyter-data"), JUPYTER_DATA_DIR=str(root / "jupyter-data"),
               JUPYTER_CONFIG_DIR=str(root / "jupyter-config"), PYTHONNOUSERSITE="1",
               PATH=str(BIN) + os.pathsep + env.get("PATH", ""))
    return {"env": env, "root": root}


def _execute(path: Path, bare_kernel) -> dict:
    out = bare_kernel["root"] / f"{path.parent.name}-{path.stem}.json"
    _run([PYTHON, "-I", "-c", RUNNER, path, out, ROOT / "tools"], env=bare_kernel["env"], cwd=bare_kernel["root"])
    return json.loads(out.read_text())


def _errors(run: dict) -> list[tuple[dict, dict]]:
    return [(cell, o) for cell in run["cells"] for o in cell["outputs"] if o["output_type"] == "error"]


def _stub_error(cell: dict, output: dict) -> bool:
    """An error that only says "this exercise is not written yet": the stub's own
    NotImplementedError, or a check cell's CheckFailed about it, in a cell allowed to raise."""
    if "raises-exception" not in cell["tags"]:
        return False
    if output["ename"] == "NotImplementedError":
        return True
    return output["ename"] == "CheckFailed" and cell["grade"] and "NotImplementedError" in output["evalue"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_runs_from_the_folder_with_nothing_installed(path, bare_kernel):
    run = _execute(path, bare_kernel)
    assert run["stopped"] is None, run["stopped"]
    assert _errors(run) == []
    for cell in run["cells"]:
        for output in cell["outputs"]:
            assert not (output["output_type"] == "stream" and output["name"] == "stderr"), output["text"][:2000]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_copy_runs_and_only_the_stubs_raise(path, bare_kernel):
    run = _execute(path, bare_kernel)
    assert run["stopped"] is None, run["stopped"]
    errors = _errors(run)
    assert errors, "an untouched copy has stubs that raise"
    for cell, output in errors:
        assert _stub_error(cell, output), f"{output['ename']}: {output['evalue']}\nin the cell:\n{cell['source']}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.parent.name)
def test_the_solved_exercises_run_without_any_error(path, bare_kernel):
    run = _execute(path, bare_kernel)
    assert run["stopped"] is None, run["stopped"]
    assert [(o["ename"], o["evalue"]) for _, o in _errors(run)] == []


def test_lesson_00s_set_up_check_loads_the_weights_and_takes_one_step(bare_kernel):
    run = _execute(LESSONS[0], bare_kernel)
    (cell,) = [c for c in run["cells"] if "setup-check" in c["tags"]]
    printed = "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")
    x, y = h.example()
    step = h.train(h.load_params(), x, y, 0.1, 1)
    assert f"{step.losses[0]:.4f}" in printed and f"{step.losses[1]:.4f}" in printed, printed
