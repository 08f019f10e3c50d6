"""The exercise notebooks: instructor sources (nbgrader format) and the students' copies made from them.

- the committed copies are exactly what tools/make_student_copies.py makes from the sources;
- no solution line and no hidden test reaches a copy (cells, outputs or metadata);
- the nbgrader metadata is complete, and the exercises cover every learning objective;
- every source runs with its solutions and passes every check, hidden tests included;
- every untouched copy runs with no error other than "not written yet" (NotImplementedError or a
  failing check that says so), and never writes to stderr.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from conftest import IPCKernelManager

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
NAMES = ["ex02_gradients.ipynb", "ex03_gradient_descent.ipynb", "ex04_learning_rate.ipynb",
         "ex05_backprop_cost.ipynb"]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


copies = _load("make_student_copies")
SOURCES = {p.name: p for p in copies.sources()}


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _read(path: Path):
    return nbformat.read(path, as_version=4)


# ----------------------------------------------------------------------------------------------
# Layout and sync
# ----------------------------------------------------------------------------------------------

def test_one_source_and_one_student_copy_per_lesson():
    assert sorted(SOURCES) == NAMES
    for name, source in SOURCES.items():
        assert source == ROOT / "instructor" / "source" / Path(name).stem / name   # nbgrader's layout
    assert sorted(p.name for p in EXERCISES.glob("*.ipynb")) == NAMES
    assert (ROOT / "instructor" / "nbgrader_config.py").is_file()
    assert (ROOT / "instructor" / "README.md").is_file()


def test_committed_copies_are_what_the_tool_makes_from_the_sources(tmp_path):
    assert copies.main(["--out", str(tmp_path)]) == 0
    for name in NAMES:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        committed = (EXERCISES / name).read_text(encoding="utf-8")
        assert committed == fresh, f"{name} is out of date: run python tools/make_student_copies.py"
    assert copies.main(["--check"]) == 0


def test_all_exercise_notebooks_are_clean():
    clean = _load("clean_notebooks")
    for path in [*SOURCES.values(), *(EXERCISES / n for n in NAMES)]:
        text = path.read_text(encoding="utf-8")
        assert clean.dump(clean.cleaned(json.loads(text))) == text, f"{path}: run tools/clean_notebooks.py"


# ----------------------------------------------------------------------------------------------
# Nothing secret leaks into a copy
# ----------------------------------------------------------------------------------------------

def _secret_lines(nb) -> set[str]:
    """Lines only an instructor may see: inside solution and hidden-test regions, and the whole of
    every Markdown solution cell (model answers), minus those the public cells show anyway (a hint
    may quote a line of the solution)."""
    secret, public = set(), []
    for cell in nb.cells:
        lines = cell.source.split("\n")
        if _nbgrader(cell).get("solution") and cell.cell_type == "markdown":
            secret.update(lines)
            continue
        inside = False
        for line in lines:
            if re.search(r"BEGIN (SOLUTION|HIDDEN TESTS)", line):
                inside = True
            elif re.search(r"END (SOLUTION|HIDDEN TESTS)", line):
                inside = False
            elif inside:
                secret.add(line)
            else:
                public.append(line)
    public_text = "\n".join(public)
    return {line.strip() for line in secret if len(line.strip()) >= 8 and line.strip() not in public_text}


def _strings(value):
    """Every string anywhere in a JSON document (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_and_no_hidden_test_reaches_the_student_copy(name):
    secret = _secret_lines(_read(SOURCES[name]))
    assert len(secret) >= 10, "the source has solutions and hidden tests to hide"
    document = json.loads((EXERCISES / name).read_text(encoding="utf-8"))
    text = "\n".join(_strings(document))
    leaked = sorted(line for line in secret if line in text)
    assert leaked == [], f"{name} shows instructor-only lines: {leaked[:3]}"
    for marker in ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME", "Model answer", "Marking ("):
        assert marker not in text
    for cell in document["cells"]:
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None


# ----------------------------------------------------------------------------------------------
# nbgrader metadata and what the exercises cover
# ----------------------------------------------------------------------------------------------

def _graded_cells():
    for name in NAMES:
        nb = _read(SOURCES[name])
        for index, cell in enumerate(nb.cells):
            if _nbgrader(cell):
                yield name, nb, index, cell


def test_nbgrader_metadata_is_complete_and_ids_are_unique():
    ids = []
    for name, nb, index, cell in _graded_cells():
        meta = _nbgrader(cell)
        assert meta["schema_version"] == 3 and meta["task"] is False
        assert re.fullmatch(r"[a-zA-Z0-9_\-]+", meta["grade_id"]) and meta["grade_id"].startswith(name[:4])
        ids.append(meta["grade_id"])
        if cell.cell_type == "markdown":            # written answers: graded by hand
            assert meta["solution"] and meta["grade"] and not meta["locked"] and meta["points"] > 0
        elif meta["grade"]:                         # a check cell: read-only, worth points
            assert not meta["solution"] and meta["locked"] and meta["points"] > 0
        else:                                       # an answer cell
            assert meta["solution"] and not meta["locked"] and "points" not in meta
    assert len(ids) == len(set(ids))


def test_every_answer_cell_is_followed_by_its_check_cell():
    checked = []
    for name, nb, index, cell in _graded_cells():
        meta = _nbgrader(cell)
        if cell.cell_type == "code" and meta["solution"]:
            function = re.match(r"def (\w+)\(", cell.source).group(1)
            following = nb.cells[index + 1]
            assert _nbgrader(following).get("grade") and following.cell_type == "code"
            visible = copies._strip_region(following.source, copies.HIDDEN_TESTS, None, "")[0]
            assert visible == f"checks.check_{function}({function})"
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
            checked.append(function)
    from helpers import checks
    assert sorted(checked) == sorted(n.removeprefix("check_") for n in checks.__all__ if n.startswith("check_"))


def test_points_in_each_title_add_up():
    for name in NAMES:
        nb = _read(SOURCES[name])
        total = sum(_nbgrader(c).get("points", 0) for c in nb.cells if _nbgrader(c).get("grade"))
        assert f", {total} points.*" in nb.cells[0].source, name
        for cell in nb.cells:
            stated = re.search(r"\((\d+) points?\)", cell.source.split("\n")[0]) if cell.cell_type == "markdown" else None
            if stated:   # "## Exercise 1 · ... (2 points)" matches the check or written cell below it
                graded = next(c for c in nb.cells[nb.cells.index(cell) + 1:] if _nbgrader(c).get("grade"))
                assert _nbgrader(graded)["points"] == int(stated.group(1)), cell.source.split("\n")[0]


#: The chapter's learning objectives → the graded cells that practise them.
OBJECTIVES = {
    "estimate a gradient by nudging a weight": ["ex02-nudge-gradient-check", "ex02-zero-gradient-labels-check"],
    "read its sign: which way should the weight move": ["ex02-which-way-check", "ex02-explain-sign"],
    "write gd_step and explain the minus sign": ["ex03-gd-step-check", "ex03-explain-minus"],
    "write the loop, drive the loss down from the Chapter-7 weights": ["ex03-descend-check",
                                                                       "ex03-train-chapter7-check"],
    "pick learning rates too small, good, too large, and justify them": [
        "ex04-classify-run-check", "ex04-pick-learning-rates-check", "ex04-justify-learning-rates",
        "ex04-largest-steady-lr-check"],
    "count forward passes of a numerical gradient, compare with backprop": [
        "ex05-count-params-for-check", "ex05-measure-passes-check", "ex05-gradient-cost-check",
        "ex05-explain-backprop"],
}


def test_the_exercises_cover_every_learning_objective():
    graded = {_nbgrader(c)["grade_id"]: c for _, _, _, c in _graded_cells() if _nbgrader(c)["grade"]}
    for objective, grade_ids in OBJECTIVES.items():
        assert set(grade_ids) <= set(graded), objective
    assert len(graded) >= 8
    written = [c for c in graded.values() if c.cell_type == "markdown"]
    assert len(written) >= 3 and all(_nbgrader(c)["points"] > 0 for c in written)
    per_notebook = {gid.split("-")[0] for gid in graded}
    assert per_notebook == {"ex02", "ex03", "ex04", "ex05"}


def test_links_from_the_student_copies_lead_somewhere():
    for name in NAMES:
        for cell in _read(EXERCISES / name).cells:
            for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", cell.source if cell.cell_type == "markdown" else ""):
                assert (EXERCISES / target).resolve().is_file(), f"{name} links to missing {target}"


def test_markdown_is_not_accidentally_indented_into_code_blocks():
    for name in NAMES:
        for cell in _read(SOURCES[name]).cells:
            if cell.cell_type == "markdown":
                assert not cell.source.startswith((" ", "\t")), cell.source[:60]


def test_the_instructor_readme_table_matches_the_notebooks():
    readme = (ROOT / "instructor" / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        cells = [c for c in _read(SOURCES[name]).cells if _nbgrader(c).get("grade")]
        auto = sum(c.cell_type == "code" for c in cells)
        by_hand = sum(c.cell_type == "markdown" for c in cells)
        points = sum(_nbgrader(c)["points"] for c in cells)
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{Path(name).stem}` |"))
        assert row.endswith(f"| {auto} cells | {by_hand} | {points} |"), row


def test_every_notebook_starts_with_the_course_setup_cell():
    setups = set()
    for path in [*SOURCES.values(), *(EXERCISES / n for n in NAMES)]:
        first = next(c for c in _read(path).cells if c.cell_type == "code")
        assert first.source.startswith("# Setup: find the course's `helpers` package")
        setups.add(first.source)
    assert len(setups) == 1


# ----------------------------------------------------------------------------------------------
# The notebooks run
# ----------------------------------------------------------------------------------------------

def _execute_allowing_errors(path: Path):
    from nbclient import NotebookClient

    nb = _read(path)
    backend = os.environ.pop("MPLBACKEND", None)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       kernel_manager_class=IPCKernelManager,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
    return nb


def _stderr(nb) -> list[str]:
    return [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "stream" and o.get("name") == "stderr"]


@pytest.mark.parametrize("name", NAMES)
def test_the_instructors_source_runs_and_passes_every_check(name, run_notebook):
    nb = run_notebook(SOURCES[name])     # raises on any error, hidden tests included
    assert _stderr(nb) == []
    for cell in nb.cells:
        if cell.cell_type == "code" and _nbgrader(cell).get("grade"):
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            assert text.startswith("✔ "), f"{_nbgrader(cell)['grade_id']}: {text!r}"


@pytest.mark.parametrize("name", NAMES)
def test_an_untouched_student_copy_runs_with_only_not_written_yet_errors(name):
    nb = _execute_allowing_errors(EXERCISES / name)
    assert _stderr(nb) == []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        meta = _nbgrader(cell)
        if meta.get("grade"):
            assert [e["ename"] for e in errors] == ["CheckFailed"]
            assert "is not written yet" in errors[0]["evalue"]
        elif meta.get("solution") or "import" in cell.source:
            assert errors == [], cell.source      # answer, setup and import cells always run
        else:
            assert [e["ename"] for e in errors] in ([], ["NotImplementedError"]), cell.source


# ----------------------------------------------------------------------------------------------
# The tool mirrors nbgrader's rules (tests/test_nbgrader.py compares with nbgrader itself)
# ----------------------------------------------------------------------------------------------

def _tiny(*cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    nb.cells = list(cells)
    return nb


def _cell(kind, source, **nbgrader):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    meta = {"schema_version": 3, "grade": False, "locked": False, "solution": False, "task": False}
    return make(source, metadata={"nbgrader": {**meta, **nbgrader}} if nbgrader else {})


def test_the_tool_replaces_solutions_like_nbgrader():
    nb = _tiny(
        _cell("code", "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", solution=True, grade_id="a"),
        _cell("code", "y = 1", solution=True, grade_id="b"),
        _cell("markdown", "The model answer.", solution=True, grade=True, grade_id="c", points=1),
        _cell("code", "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS",
              grade=True, locked=True, grade_id="d", points=1),
        _cell("markdown", "Read me."),
    )
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="secret\n")]
    nb.cells[0].execution_count = 3
    out = copies.student_version(nb)
    assert out.cells[0].source == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert out.cells[1].source == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert out.cells[2].source == "YOUR ANSWER HERE"
    assert out.cells[3].source == "assert f(1) == 2"
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    assert out.cells[0].metadata["deletable"] is False and "editable" not in out.cells[0].metadata
    assert out.cells[3].metadata["deletable"] is False and out.cells[3].metadata["editable"] is False
    assert out.cells[4].metadata == {} and out.cells[4].source == "Read me."
    for cell in out.cells[:4]:
        assert cell.metadata["nbgrader"]["checksum"] == copies.checksum(cell)
        assert cell.metadata["nbgrader"]["cell_type"] == cell.cell_type
    assert nb.cells[0].source.startswith("def f(x):\n    ### BEGIN")     # the source is untouched


@pytest.mark.parametrize("cells, problem", [
    ([_cell("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")], "not marked as a solution"),
    ([_cell("code", "### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS")], "not marked as a grade"),
    ([_cell("code", "### BEGIN SOLUTION\nx = 1", solution=True, grade_id="a")], "without"),
    ([_cell("code", "x = 1", solution=True, grade_id="a"), _cell("code", "y", solution=True, grade_id="a")],
     "duplicate grade_id"),
    ([_cell("code", "assert True", grade=True, grade_id="a")], "needs points"),
    ([_cell("markdown", "text", grade=True, grade_id="a", points=1)], "both grade and solution"),
])
def test_the_tool_refuses_what_nbgrader_refuses(cells, problem):
    with pytest.raises(copies.SourceError, match=problem):
        copies.student_version(_tiny(*cells))


def test_run_all_goes_past_unfinished_exercises():
    """Cells that call a student's function (checks included) carry JupyterLab's
    `raises-exception` tag, so "Run All" on a fresh copy runs every cell and every check reports,
    instead of stopping at the first stub (and racing the kernel's abort of queued cells)."""
    for path in sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        checks = [c for c in nb["cells"] if c["cell_type"] == "code"
                  and c["metadata"].get("nbgrader", {}).get("grade")]
        assert checks, path
        for cell in checks:
            assert "raises-exception" in cell["metadata"].get("tags", []), (path, cell["source"])
