"""Shared fixtures: paths, and notebooks executed headless once per test session."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from ipc_kernels import IPCKernelManager  # noqa: E402  (kernels on Unix sockets: no port races)
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))

_executed: dict[Path, object] = {}


def execute_notebook(path: Path, timeout: int = 300):
    """Run a notebook top to bottom in a fresh kernel, from its own folder; returns the executed copy.

    Cached per session, so several tests can read one run's outputs.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path).resolve()
    if path not in _executed:
        nb = nbformat.read(path, as_version=4)
        env_backend = os.environ.pop("MPLBACKEND", None)
        try:
            client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                    kernel_manager_class=IPCKernelManager,
                                    resources={"metadata": {"path": str(path.parent)}})
            client.execute()
        finally:
            if env_backend is not None:
                os.environ["MPLBACKEND"] = env_backend
        _executed[path] = nb
    return _executed[path]


@pytest.fixture(scope="session")
def run_notebook():
    """run_notebook(path) → the executed notebook (nbformat NotebookNode)."""
    return execute_notebook


def cell_text(nb) -> str:
    """Every text output of an executed notebook (stream text, text/plain, text/markdown, text/html).

    A picture's pixels inside HTML (`<img src="data:…">`) are left out: its alt text stays. A cell's
    stream output that the kernel happened to send in several pieces (it flushes stdout while a
    long cell runs) counts as one text, as the notebook shows it.
    """
    parts = []
    for cell in nb.cells:
        stream = None                                   # the stream the last part came from
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                if out.get("name") == stream:
                    parts[-1] += out.get("text", "")
                else:
                    parts.append(out.get("text", ""))
                stream = out.get("name")
                continue
            stream = None
            for mime in ("text/plain", "text/markdown", "text/html"):
                value = out.get("data", {}).get(mime)
                if value:
                    value = value if isinstance(value, str) else "".join(value)
                    parts.append(re.sub(r'src="data:image/[a-z+]+;base64,[^"]*"', 'src="data:…"', value))
    return "\n".join(parts)
