"""From a student's account: what another student and the instructor keep to themselves.

Each check runs Python as the Unix account dh-s02 (its uid, its home) and tries to read or change
what belongs to dh-s01 or to the instructor (dh-teacher), after the whole nbgrader round trip
(tests/hub/conftest.py, graded_class) has filled the exchange and the course directory. Where a
path is secret (a submission's folder name), the test learns it as root and hands it to the
student: the files must stay closed even to a student who knows exactly where they are.
"""

from __future__ import annotations

import hashlib
import json
import pwd
from pathlib import Path

import pytest

from .conftest import ASSIGNMENT, hubtools

ATTACKER, VICTIM = "dh-s02", "dh-s01"

PROBE = r"""
import json, os, sys
attempts = json.loads(sys.argv[1])
results = {}
for name, (action, path) in attempts.items():
    try:
        if action == "read":
            open(path, "rb").read(1)
        elif action == "list":
            os.listdir(path)
        elif action == "write":
            open(path, "ab").close()
        elif action == "overwrite":
            with open(path, "r+b") as f:
                f.write(b"{}")
        elif action == "truncate":
            open(path, "wb").close()
        elif action == "create":
            open(path, "xb").close()
        elif action == "rename":
            os.rename(path, path + ".moved")
        elif action == "replace":              # a file of one's own, moved over theirs
            own = os.path.join(os.environ["HOME"], ".replacement")
            open(own, "wb").close()
            os.replace(own, path)
        elif action == "delete":
            os.unlink(path)
        results[name] = "allowed"
    except PermissionError:
        results[name] = "denied"
    except OSError as error:
        results[name] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
"""


def attempt(hub, attempts: dict) -> dict:
    result = hub.run_as(ATTACKER, [hub_python(hub), "-c", PROBE, json.dumps(attempts)])
    return json.loads(result.stdout)


def hub_python(hub):
    return hubtools.ENV / "bin" / "python"


def snapshot(*paths: Path) -> dict:
    """As root: each path's owner, mode, size, modification time and content (or its entries)."""
    state = {}
    for path in paths:
        if not path.exists():
            state[str(path)] = None
            continue
        info = path.stat()
        content = (sorted(p.name for p in path.iterdir()) if path.is_dir()
                   else hashlib.sha256(path.read_bytes()).hexdigest())
        state[str(path)] = (info.st_uid, info.st_mode, info.st_size, info.st_mtime_ns, content)
    return state


@pytest.fixture(scope="module")
def places(hub, graded_class):
    inbound = hub.exchange / "downhill" / "inbound"
    # Found as root: dh-s01's own submission (the folder dh-s02 forged in dh-s01's name is dh-s02's).
    victims = sorted(p for p in inbound.iterdir() if p.name.startswith(f"{VICTIM}+")
                     and p.stat().st_uid == pwd.getpwnam(VICTIM).pw_uid)
    assert victims, "dh-s01 submitted"
    submission = victims[0]
    return {
        "inbound": inbound,
        "submission_dir": submission,
        "submission": submission / f"{ASSIGNMENT}.ipynb",
        "outbound": hub.exchange / "downhill" / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "feedback": hub.exchange / "downhill" / "feedback",
        "victim_home": hub.home(VICTIM),
        "victim_notebook": hub.home(VICTIM) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "source": hub.course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "course_dir": hub.course_dir,
        "instructor_home": hub.home(hub.instructor),
        "collected": hub.course_dir / "submitted" / VICTIM / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
    }


def test_a_student_cannot_read_or_change_another_students_work(hub, places):
    found = attempt(hub, {
        "list their home": ("list", str(places["victim_home"])),
        "read their notebook": ("read", str(places["victim_notebook"])),
        "change their notebook": ("write", str(places["victim_notebook"])),
    })
    assert found == dict.fromkeys(found, "denied"), found


def test_a_student_cannot_find_or_change_another_students_submission(hub, places):
    found = attempt(hub, {
        "list the exchange's inbound folder": ("list", str(places["inbound"])),
        "list the feedback folder": ("list", str(places["feedback"])),
        "change their submitted notebook": ("write", str(places["submission"])),
    })
    assert found == dict.fromkeys(found, "denied"), found
    # A second wall: nbgrader names a submission's folder …+<timestamp>+<12 random characters>, in
    # a folder nobody else can list, so a student cannot even find another's. Guessing 72 random
    # bits is out of reach. (The first wall, the folder's own mode, is tried in the test below.)
    random_part = places["submission_dir"].name.rsplit("+", 1)[1]
    assert len(random_part) >= 12
    guesses = attempt(hub, {f"guess {i}": ("list", str(places["inbound"] / f"{places['submission_dir'].name.rsplit('+', 1)[0]}+{guess}"))
                            for i, guess in enumerate(["", "0" * 12, "AAAAAAAAAAAA"])})
    assert all(v.startswith("FileNotFoundError") for v in guesses.values()), guesses


def test_a_student_who_knows_where_a_submission_is_can_neither_read_nor_change_it(hub, places):
    """nbgrader alone leaves the folder open to all (777, files 644) and this all allowed; the hub's
    nbgrader settings close it to the instructor's group, and inbound/ has the sticky bit
    (tools/class_hub.py, PRIVATE_SUBMIT and _lay_out)."""
    submission, folder = places["submission"], places["submission_dir"]
    before = snapshot(submission, folder)
    found = attempt(hub, {
        "read their submitted notebook": ("read", str(submission)),
        "overwrite it": ("overwrite", str(submission)),
        "empty it": ("truncate", str(submission)),
        "replace it with a file of one's own": ("replace", str(submission)),
        "rename it": ("rename", str(submission)),
        "delete it": ("delete", str(submission)),
        "add a notebook to their submission": ("create", str(folder / "extra.ipynb")),
        "list their submission": ("list", str(folder)),
        "move their submission away": ("rename", str(folder)),
    })
    assert found == dict.fromkeys(found, "denied"), found
    assert snapshot(submission, folder) == before, "the submission changed"


def test_a_student_cannot_change_the_instructors_sources_or_gradebook(hub, places):
    source, gradebook = places["source"], places["course_dir"] / "gradebook.db"
    config = places["course_dir"] / "nbgrader_config.py"     # runs as the instructor on every nbgrader command
    before = snapshot(source, source.parent, gradebook, config, places["course_dir"])
    found = attempt(hub, {
        "add a notebook to the sources": ("create", str(source.parent / "planted.ipynb")),
        "overwrite the source notebook": ("overwrite", str(source)),
        "replace the source notebook": ("replace", str(source)),
        "delete the source notebook": ("delete", str(source)),
        "overwrite the gradebook": ("overwrite", str(gradebook)),
        "empty the gradebook": ("truncate", str(gradebook)),
        "replace the gradebook": ("replace", str(gradebook)),
        "delete the gradebook": ("delete", str(gradebook)),
        "change the instructor's nbgrader settings": ("write", str(config)),
    })
    assert found == dict.fromkeys(found, "denied"), found
    assert snapshot(source, source.parent, gradebook, config, places["course_dir"]) == before


def test_a_student_cannot_read_the_instructors_sources_or_grades(hub, places):
    found = attempt(hub, {
        "read the sources (solutions, hidden tests)": ("read", str(places["source"])),
        "list the course directory": ("list", str(places["course_dir"])),
        "list the instructor's home": ("list", str(places["instructor_home"])),
        "read a collected submission": ("read", str(places["collected"])),
        "read the gradebook": ("read", str(places["course_dir"] / "gradebook.db")),
        "change the released assignment": ("write", str(places["outbound"])),
    })
    assert found == dict.fromkeys(found, "denied"), found


def test_the_students_copy_of_the_course_holds_no_solutions(hub):
    clone = hub.home(VICTIM) / "downhill"
    assert (clone / "notebooks" / "04_learning_rate.ipynb").exists(), "nbgitpuller pulled the course"
    assert not (clone / "instructor").exists(), "the students' repository leaves instructor/ out"
    # The students' servers run the course from the hub's environment, not from this checkout.
    where = hub.python_as(VICTIM, "import helpers; print(helpers.__file__)").stdout.strip()
    assert str(hub.root) not in where and "/site-packages/helpers/" in where, where


def test_a_submission_in_another_students_name_counts_for_its_maker(graded_class):
    """dh-s02 runs `nbgrader submit --student=dh-s01` with their untouched copy: the folder says
    dh-s01, its owner is dh-s02. nbgrader alone would grade it as dh-s01's (newest wins) and only
    warn; instructor/nbgrader_config.py's collect gives it to its owner."""
    assert graded_class["forged"].returncode == 0, "nbgrader let the forged submission into the exchange"
    log = graded_class["collect"].stdout + graded_class["collect"].stderr
    assert f"names {VICTIM} but was made by {ATTACKER}" in log, log[-2000:]
    # dh-s01 handed in the full solutions; the forged copy is untouched and scores 0.
    assert graded_class["scores"][VICTIM]["code_score"] > 0, "the forged copy replaced dh-s01's own work"
    assert graded_class["scores"][ATTACKER]["code_score"] == 0
