"""Make a virtual environment and install into it: with uv when it is at hand, else venv and pip.

The class-hub tests and the nbgrader round trip each build an environment of their own (the
students' single-user environment; nbgrader beside the course). pip takes minutes to install
JupyterLab, JupyterHub and nbgrader; uv (PyPI `uv`, in the test tools) installs the same
packages from PyPI in seconds, which keeps CI under its time limit. Without uv, pip does it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def uv_binary() -> str | None:
    """The uv executable that comes with the `uv` package of this Python, or None."""
    try:
        import uv
    except ImportError:
        return None
    try:
        return uv.find_uv_bin()
    except FileNotFoundError:
        return None


def _run(command) -> None:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def make_venv(python: str | Path, env: Path) -> None:
    """A new, empty virtual environment in `env` (anything there before is removed) for the
    interpreter `python`, with pip in it (so an instructor can add packages later the usual way)."""
    uv = uv_binary()
    if uv:
        _run([uv, "venv", "--quiet", "--clear", "--seed", "--python", python, env])
    else:
        _run([python, "-m", "venv", "--clear", env])
        _run([Path(env) / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"])


def install(env: Path, *requirements, editable: str | Path | None = None, force: bool = False,
            no_deps: bool = False) -> None:
    """pip install `requirements` (and `editable` with -e) into the environment `env`."""
    python = Path(env) / "bin" / "python"
    uv = uv_binary()
    args = [*(["--no-deps"] if no_deps else []), *(["--reinstall"] if force and uv else []),
            *(["--force-reinstall"] if force and not uv else []), *requirements,
            *(["-e", editable] if editable is not None else [])]
    if uv:
        _run([uv, "pip", "install", "--quiet", "--python", python, *args])
    else:
        _run([python, "-m", "pip", "install", "--quiet", *args])
