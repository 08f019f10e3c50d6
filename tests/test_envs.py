"""tools/envs.py: whether a module's bytecode is on disk, and the line the benchmarks print about it."""

import importlib.util
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import envs  # noqa: E402


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bytecode_compiled_is_true_only_once_the_pyc_an_import_loads_exists(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)     # importing it must not write one
    source = tmp_path / "downhill_probe_module.py"
    source.write_text("X = 1\n")
    module = _module(source)
    assert not envs.bytecode_compiled(module)
    py_compile.compile(str(source), cfile=importlib.util.cache_from_source(str(source)), doraise=True)
    assert envs.bytecode_compiled(module)


def test_bytecode_compiled_looks_where_a_pycache_prefix_sends_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    source = tmp_path / "src" / "downhill_prefixed_module.py"
    source.parent.mkdir()
    source.write_text("X = 1\n")
    module = _module(source)
    py_compile.compile(str(source), doraise=True)            # beside the source, in __pycache__
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    assert not envs.bytecode_compiled(module)                 # an import would look in the prefix
    py_compile.compile(str(source), cfile=importlib.util.cache_from_source(str(source)), doraise=True)
    assert envs.bytecode_compiled(module)


def test_the_benchmarks_line_says_when_every_kernel_compiles_again(monkeypatch):
    monkeypatch.setattr(envs, "bytecode_compiled", lambda module: False)
    assert envs.bytecode_line().startswith("bytecode: NOT compiled")
    monkeypatch.setattr(envs, "bytecode_compiled", lambda module: True)
    assert envs.bytecode_line().startswith("bytecode: compiled")


def test_install_compiles_what_an_earlier_install_left_uncompiled(tmp_path):
    """uv compiles only what one call installs: an environment refreshed by `envs.install` (the
    hub's, the grader's) must still end with every package compiled, the older ones too."""
    uv = envs.uv_binary()
    if uv is None:
        pytest.skip("uv is not installed: `make test` installs it with the test tools")
    env = tmp_path / "env"
    envs.make_venv(sys.executable, env)
    python = env / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--quiet", "--python", str(python), "six"], check=True)
    probe = ("import importlib.util, os; origin = importlib.util.find_spec('six').origin; "
             "print(os.path.isfile(importlib.util.cache_from_source(origin)))")

    def six_compiled() -> str:
        return subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout.strip()

    assert six_compiled() == "False"                      # as uv leaves it
    envs.install(env, "packaging")                        # another package, in another call
    assert six_compiled() == "True"
