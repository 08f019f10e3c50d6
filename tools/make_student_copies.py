"""Make the students' copies of the exercises from the instructor's sources, as nbgrader would.

    python tools/make_student_copies.py            # instructor/source/*/*.ipynb → notebooks/exercises/
    python tools/make_student_copies.py --check    # exit 1 if a committed copy is out of date
    python tools/make_student_copies.py --out DIR  # write the copies to DIR instead

Needs only nbformat (nbgrader is not a student dependency). It applies, in nbgrader's order, what
`nbgrader generate_assignment` does to a notebook with nbgrader's default settings (nbgrader 0.9):

    LockCells         solution cells undeletable; grade (test) and read-only cells also uneditable
    ClearSolutions    `### BEGIN SOLUTION … ### END SOLUTION` → "# YOUR CODE HERE / raise
                      NotImplementedError()", indented like the marker; a solution cell without
                      markers becomes that stub, or "YOUR ANSWER HERE" if it is Markdown
    ClearOutput       no outputs, no execution counts, no "collapsed"/"scrolled" metadata
    ComputeChecksums  nbgrader.checksum and nbgrader.cell_type on every graded/solution/locked cell
    ClearHiddenTests  `### BEGIN HIDDEN TESTS … ### END HIDDEN TESTS` removed (markers included)
    ClearMarkScheme   `BEGIN MARK SCHEME … END MARK SCHEME` removed from task cells
    ComputeChecksums  again, on the cells as the student sees them
    CheckCellMetadata schema version 3, required keys, unique grade_ids

tests/test_nbgrader.py runs the real nbgrader on the sources and compares its release with these
copies, so any drift between this file and nbgrader fails a test.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "instructor" / "source"
EXERCISES = ROOT / "notebooks" / "exercises"

# nbgrader's defaults (ClearSolutions, ClearHiddenTests, ClearMarkScheme, ClearOutputPreprocessor).
CODE_STUB = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
TEXT_STUB = "YOUR ANSWER HERE"
SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = ("BEGIN MARK SCHEME", "END MARK SCHEME")
OUTPUT_METADATA = ("collapsed", "scrolled")
SCHEMA_VERSION = 3
SCHEMA_KEYS = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points",
               "checksum", "cell_type"}
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")


class SourceError(ValueError):
    """A source notebook nbgrader would refuse; the message names the cell."""


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_grade(cell) -> bool:
    return bool(_nbgrader(cell).get("grade", False))


def is_solution(cell) -> bool:
    return bool(_nbgrader(cell).get("solution", False))


def is_task(cell) -> bool:
    return bool(_nbgrader(cell).get("task", False))


def is_locked(cell) -> bool:
    """nbgrader.utils.is_locked: grade cells and explicitly locked cells, never solution cells."""
    if "nbgrader" not in cell.get("metadata", {}) or is_solution(cell):
        return False
    return is_grade(cell) or bool(_nbgrader(cell).get("locked", False))


def checksum(cell) -> str:
    """nbgrader.utils.compute_checksum: md5 of source, type, flags, grade_id and points."""
    m = hashlib.md5()
    m.update(cell["source"].encode("utf-8"))
    m.update(cell["cell_type"].encode("utf-8"))
    m.update(str(is_grade(cell)).encode("utf-8"))
    m.update(str(is_solution(cell)).encode("utf-8"))
    m.update(str(is_locked(cell)).encode("utf-8"))
    m.update(_nbgrader(cell)["grade_id"].encode("utf-8"))
    if is_grade(cell):
        m.update(str(float(_nbgrader(cell)["points"])).encode("utf-8"))
    return m.hexdigest()


def _strip_region(source: str, markers: tuple[str, str], stub: list[str] | None, what: str) -> tuple[str, bool]:
    """Drop the lines between (and including) the begin/end markers; put `stub` in their place,
    indented like the begin marker. Returns (new source, whether a region was found)."""
    begin, end = markers
    lines, inside, found = [], False, False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise SourceError(f"nested {begin!r} in a cell:\n{source}")
            inside = found = True
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)
                lines += [indent + s for s in stub]
        elif end in line:
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise SourceError(f"{begin!r} without {end!r} in a cell ({what}):\n{source}")
    return "\n".join(lines), found


def _lock(cell) -> None:
    """LockCells with nbgrader's defaults (solution, grade and read-only cells locked)."""
    if is_solution(cell):
        cell["metadata"]["deletable"] = False
    elif is_grade(cell) or is_locked(cell):
        cell["metadata"]["deletable"] = False
        cell["metadata"]["editable"] = False


def _clear_solutions(cell, language: str) -> None:
    stub = (CODE_STUB[language] if cell["cell_type"] == "code" else TEXT_STUB).split("\n")
    cell["source"], replaced = _strip_region(cell["source"], SOLUTION, stub, "solution")
    if replaced and not is_solution(cell):
        raise SourceError("a solution region is in a cell not marked as a solution cell:\n" + cell["source"])
    if is_solution(cell) and not replaced:
        cell["source"] = "\n".join(stub)


def _clear_output(cell) -> None:
    if cell["cell_type"] == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
        for field in OUTPUT_METADATA:
            cell["metadata"].pop(field, None)


def _compute_checksum(cell) -> None:
    if is_grade(cell) or is_solution(cell) or is_locked(cell):
        cell["metadata"]["nbgrader"]["checksum"] = checksum(cell)
        cell["metadata"]["nbgrader"]["cell_type"] = cell["cell_type"]


def _clear_hidden(cell) -> None:
    cell["source"], removed = _strip_region(cell["source"], HIDDEN_TESTS, None, "hidden tests")
    if removed and not is_grade(cell):
        raise SourceError("hidden tests are in a cell not marked as a grade (test) cell:\n" + cell["source"])


def _clear_mark_scheme(cell) -> None:
    cell["source"], removed = _strip_region(cell["source"], MARK_SCHEME, None, "mark scheme")
    if removed and not is_task(cell):
        raise SourceError("a mark scheme is in a cell not marked as a task cell:\n" + cell["source"])


def check_metadata(nb) -> None:
    """CheckCellMetadata: what nbgrader validates before and after generating an assignment."""
    seen = set()
    for cell in nb["cells"]:
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        meta = _nbgrader(cell)
        where = f"cell {cell.get('id', '?')}"
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise SourceError(f"{where}: nbgrader schema_version must be {SCHEMA_VERSION}")
        missing = {"grade", "locked", "solution"} - set(meta)
        extra = set(meta) - SCHEMA_KEYS
        if missing or extra:
            raise SourceError(f"{where}: nbgrader metadata missing {sorted(missing)} / unknown {sorted(extra)}")
        grade, solution, locked, task = meta["grade"], meta["solution"], meta["locked"], meta.get("task", False)
        if grade or solution or locked:
            if not meta.get("grade_id") or not GRADE_ID.match(meta["grade_id"]):
                raise SourceError(f"{where}: needs a grade_id of letters, digits, - and _")
            if meta["grade_id"] in seen:
                raise SourceError(f"{where}: duplicate grade_id {meta['grade_id']!r}")
            seen.add(meta["grade_id"])
        if grade and not isinstance(meta.get("points"), (int, float)):
            raise SourceError(f"{where}: a grade cell needs points")
        if task and cell["cell_type"] != "markdown":
            raise SourceError(f"{where}: task cells must be Markdown")
        if not task and cell["cell_type"] == "markdown" and grade != solution:
            raise SourceError(f"{where}: a graded Markdown cell must be both grade and solution")


def student_version(nb):
    """The student's copy of a source notebook (a new notebook; the source is not changed)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell["cell_type"] == "code" and "AUTOTEST" in cell["source"]:
            raise SourceError("AUTOTEST cells need nbgrader itself (InstantiateTests): " + cell["source"])
    language = nb.metadata.get("kernelspec", {}).get("language", "python")
    if language not in CODE_STUB:
        raise SourceError(f"no code stub for the language {language!r}")
    check_metadata(nb)
    for step in (_lock, lambda cell: _clear_solutions(cell, language), _clear_output, _compute_checksum,
                 _clear_hidden, _clear_mark_scheme, _compute_checksum):
        for cell in nb.cells:
            step(cell)
    nb.metadata.pop("celltoolbar", None)
    check_metadata(nb)
    return nb


def sources(root: Path = SOURCE) -> list[Path]:
    """Every source notebook: source/<assignment>/<notebook>.ipynb."""
    return sorted(p for p in root.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def dumps(nb) -> str:
    """The notebook as nbformat.write writes it (as nbgrader does), ending in a newline."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def render(source: Path) -> str:
    nb = nbformat.read(source, as_version=4)
    return dumps(student_version(nb))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report copies that are out of date; write nothing")
    parser.add_argument("--out", type=Path, default=EXERCISES, help="folder for the copies")
    args = parser.parse_args(argv)
    stale = []
    for source in sources():
        target = args.out / source.name
        text = render(source)
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        stale.append(target)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    for target in stale:
        name = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(("out of date: " if args.check else "wrote ") + str(name))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
