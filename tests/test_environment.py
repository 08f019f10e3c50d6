"""environment.yml (conda, Binder) and pyproject.toml name the same packages with the same bounds."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")
#: conda-forge names that differ from PyPI's.
CONDA_NAMES = {"python-isal": "isal"}


def split(requirement: str) -> tuple[str, str]:
    """("numpy", ">=1.23") for "numpy>=1.23"; an environment marker (after ";") is left out."""
    name, spec = NAME.match(requirement).groups()
    name = name.lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), spec.split(";")[0].replace(" ", "")


def pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["project"]


def conda_packages(path: Path) -> dict:
    env = yaml.safe_load(path.read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    return dict(split(d) for d in conda if NAME.match(d).group(1) not in ("python", "pip"))


def test_core_dependencies_are_loose_lower_bounds():
    for requirement in pyproject()["dependencies"]:
        name, spec = split(requirement)
        assert spec.startswith(">="), f"{name}: use a lower bound, not {spec!r}"
        assert "==" not in spec and "<" not in spec
    assert {split(r)[0] for r in pyproject()["dependencies"]} == {
        "jupyterlab", "numpy", "matplotlib", "ipywidgets", "anywidget", "isal"}


def test_isal_is_asked_for_only_where_it_ships_a_wheel():
    # A platform without a wheel would have to compile ISA-L (with nasm) to install the course;
    # there the course uses zlib instead (helpers/png.py).
    from packaging.markers import Marker

    isal = next(r for r in pyproject()["dependencies"] if split(r)[0] == "isal")
    marker = Marker(isal.split(";", 1)[1])
    for machine, wanted in [("x86_64", True), ("AMD64", True), ("aarch64", True), ("arm64", True),
                            ("ARM64", False), ("wasm32", False), ("ppc64le", False)]:
        assert marker.evaluate({"platform_machine": machine}) is wanted, machine


def test_environment_files_agree_with_pyproject():
    wanted = dict(split(r) for r in pyproject()["dependencies"])
    for path in (ROOT / "environment.yml", ROOT / ".binder" / "environment.yml"):
        assert conda_packages(path) == wanted, path


def test_environment_files_ask_for_a_python_that_pyproject_supports():
    minimum = pyproject()["requires-python"].removeprefix(">=")
    for path in (ROOT / "environment.yml", ROOT / ".binder" / "environment.yml"):
        env = yaml.safe_load(path.read_text())
        python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
        version = re.search(r"(\d+\.\d+)", python).group(1)
        assert tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split("."))), path


def test_conda_users_get_the_course_installed_and_binder_installs_it_after_the_copy():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
    post_build = (ROOT / ".binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    # then the server extension an editable install cannot turn on by itself (tests/test_nodelay.py)
    assert post_build.index("python -m downhill_nodelay") > post_build.index("pip install --no-deps -e .")
    assert (ROOT / ".binder" / "postBuild").stat().st_mode & 0o111
