"""Make a virtual environment and install into it: with uv when it is at hand, else venv and pip.

The class-hub tests and the nbgrader round trip each build an environment of their own (the
students' single-user environment; nbgrader beside the course). pip takes minutes to install
JupyterLab, JupyterHub and nbgrader; uv (PyPI `uv`, in the test tools) installs the same
packages from PyPI in seconds, which keeps CI under its time limit. Without uv, pip does it.
Either way every module is then compiled to bytecode (`COMPILE`), as pip does for a student; the
notebook benchmarks print whether it is (`bytecode_line`), since a kernel without it compiles its
imports every time.
"""

from __future__ import annotations

import importlib.util
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


#: Compile every module of an environment to bytecode, as pip does for what it installs, so that no
#: kernel compiles its imports again. uv compiles only when asked, and then only what that call
#: installed, so an environment it refreshed keeps every older package uncompiled. Up-to-date
#: files are skipped (a second run over the hub's environment takes about 3 s); files that do not
#: compile (a package's Python 2 examples) are left as they are, as pip leaves them.
COMPILE = ("import compileall, sysconfig\n"
           "for path in sorted({sysconfig.get_path('purelib'), sysconfig.get_path('platlib')}):\n"
           "    compileall.compile_dir(path, quiet=2, workers=0)\n")


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
    _run([python, "-c", COMPILE])


def bytecode_compiled(module) -> bool:
    """Whether `module` (imported from a .py file) has bytecode on disk that an import can load."""
    return Path(importlib.util.cache_from_source(module.__file__)).is_file()


def bytecode_line() -> str:
    """One line for a benchmark's printout: is matplotlib's bytecode compiled in this environment?

    A kernel imports matplotlib, IPython and ipywidgets in every lesson and in the floor. pip compiles
    their bytecode at install (a student's `make lab`); `uv pip install` does not unless asked
    (`make test` and `install` compile it). Without it, and with PYTHONDONTWRITEBYTECODE set (as on the course's build
    machines), every kernel compiles them again: about 1.1 s, which a student never waits for and
    which makes every floor slower and every ratio against it smaller.
    """
    import matplotlib.figure

    if bytecode_compiled(matplotlib.figure):
        return "bytecode: compiled (as a pip install leaves it, and as students' kernels load it)"
    return ("bytecode: NOT compiled: every kernel compiles matplotlib and IPython again (about 1.1 s), "
            "which students' kernels do not; the floor is slower than theirs and ratios look smaller. "
            "`make clean test` builds it compiled")
