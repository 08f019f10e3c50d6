"""Instant feedback for the exercise notebooks (notebooks/exercises/), one check per exercise.

Each ``check_<exercise>(your_function)`` calls your function on a few fixed, seeded inputs and
looks at what comes back in this order: its type, then its shape, then its values (with a
tolerance, never exact float equality). The first thing that is not right yet stops the check
with a ``CheckFailed`` error whose message says what happened, the likely mistake, and what to
try. ``CheckFailed`` is an ``AssertionError``, so nbgrader scores a failing check cell as zero.
When everything is right, the check prints one line that starts with ✔ and returns None.

Whatever your function does (raises an error, still raises ``NotImplementedError``, returns None,
NaN, the wrong shape, or changes the arrays it was given) the check explains it in plain words;
so it does when the function is not defined at all (its cell never ran, or stopped at an error).
Checks never show numpy warnings and never change anything they are given.

    from helpers import checks
    checks.check_gd_step(gd_step)
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import linecache
import math
import numbers
import re
import sys
import sysconfig
import textwrap
import traceback
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .data import dataset, example, flip, load_params
from .gradients import _backprop, backprop, numerical_gradient
from .network import (count_params, flatten, forward, hidden, init_params, loss, nudged, param_labels,
                      parse_label)
from .training import EXPLODED, HALF, RISE, exploded, gd_step, how_it_fell, steps_that_rose, train, verdict
from .validate import PARAM_NAMES

__all__ = [
    "CheckFailed", "quiet", "classify_reference",
    "check_nudge_gradient", "check_which_way", "check_zero_gradient_labels",
    "check_gd_step", "check_descend", "check_train_chapter7",
    "check_classify_run", "check_pick_learning_rates", "check_largest_steady_lr",
    "check_count_params_for", "check_measure_passes", "check_gradient_cost",
]

HELPERS_DIR = Path(__file__).resolve().parent

#: How close an answer must be to count as right: |got − expected| <= ATOL + RTOL · |expected|.
ATOL = 1e-6
RTOL = 1e-6

#: The words ``which_way`` and ``classify_run`` may answer with.
DIRECTIONS = ("increase", "decrease", "leave")
VERDICTS = ("too slow", "steady", "unstable", "diverged")

#: The exercise-04 rules for reading a run's losses (stated in the notebook).

#: Exercise 04 trains from the Chapter-7 weights on the chapter's example for this many steps.
LR_STEPS = 100
#: The chapter's four learning rates: too slow, steady, unstable, diverged.
CHAPTER_LRS = (0.001, 0.1, 1.0, 10.0)


#: Messages are wrapped at word boundaries to this many characters (notebooks break long lines anywhere).
MESSAGE_WIDTH = 88


class CheckFailed(AssertionError):
    """An answer that is not right yet. The message says what happened and what to try.

    In a notebook IPython shows only the message: `_render_traceback_` replaces the traceback
    (whose frames are the check's own code, which the student need not read) with the message's
    lines, in the output's plain text colour (no ANSI colours). The cell still fails, as any
    exception fails it, so nbgrader scores it zero.
    """

    def _render_traceback_(self) -> list[str]:
        lines = [piece for line in str(self).splitlines()
                 for piece in textwrap.wrap(line, MESSAGE_WIDTH, break_long_words=False,
                                            break_on_hyphens=False, subsequent_indent=line[:len(line) - len(line.lstrip())]) or [""]]
        return lines or ["The check failed."]


def _ipython():
    """The running IPython shell, or None in plain Python."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def plain_tracebacks() -> None:
    """Show every traceback in this notebook without ANSI colours.

    An unfinished exercise's stub raises NotImplementedError, and IPython colours its traceback
    (red, cyan and green on JupyterLab's pink error background: 1.6–3.7:1, below WCAG's 4.5:1).
    Without colours the traceback is drawn in the output's own text colour, which reads on that
    background. Called when the exercises import this module; outside IPython it does nothing.
    """
    shell = _ipython()
    if shell is not None:
        with contextlib.suppress(Exception):
            shell.run_line_magic("colors", "nocolor")


_NOT_DEFINED = ("{name} is not defined: {why}. So there is no {name} for this cell to use.\n"
                "Scroll up to the cell that starts with `def {name}(`, {fix} (Shift + Enter). Then "
                "run this cell again.")


def _not_defined(name: str, shell) -> str:
    """The tutor's message for a NameError of the exercise function `name`: was its cell ever run?"""
    defines = re.compile(rf"^def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    with contextlib.suppress(Exception):
        if any(defines.search(str(cell)) for cell in shell.user_ns.get("In", [])):
            return _NOT_DEFINED.format(
                name=name, why=("the cell where you write it stopped with an error (for example a "
                                "SyntaxError) before it could define it"),
                fix="read the error under it, fix that line, and run that cell again")
    return _NOT_DEFINED.format(name=name, why="the cell where you write it has not run yet",
                               fix="write your answer there if you have not yet, and run that cell")


def answers_not_run_explained() -> None:
    """In IPython: a NameError for an exercise's function (one that has a check here) shows the
    tutor's message, as a CheckFailed, instead of a traceback.

    That is what a check cell `checks.check_gd_step(gd_step)` raises when the answer cell never
    defined `gd_step`: not run yet, or its very first run stopped at a SyntaxError. The error
    happens before the check is called, so the check cannot say it; IPython's own hook for
    exceptions of one kind (`set_custom_exc`) can. Any other NameError shows as usual, and the
    cell fails either way (nbgrader scores it zero). Called when the exercises import this module;
    outside IPython, or when another handler is already installed there, it does nothing.
    """
    shell = _ipython()
    if shell is None or getattr(shell, "custom_exceptions", None) not in ((), (NameError,)):
        return

    def explain(shell, etype, value, tb, tb_offset=None):
        name = getattr(value, "name", None)
        if isinstance(name, str) and callable(globals().get(f"check_{name}")):
            shell.showtraceback((CheckFailed, CheckFailed(_not_defined(name, shell)), tb))
        else:
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)

    with contextlib.suppress(Exception):
        shell.set_custom_exc((NameError,), explain)


plain_tracebacks()
answers_not_run_explained()


class _NotYet(Exception):
    """Internal: carries a tutor's message up to the check's top frame."""


@contextlib.contextmanager
def quiet():
    """Run a block without numpy floating-point warnings or Python warnings reaching the output.

    (nbgrader counts anything written to stderr, warnings included, as a failed test.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            yield


def _check(function):
    """Decorator for every check: friendly messages in, one CheckFailed or one ✔ line out."""

    @functools.wraps(function)
    def wrapper(answer):
        __tracebackhide__ = True  # pytest's and IPython's debuggers skip this frame
        with quiet():
            try:
                note = function(answer)
                message = None
            except _NotYet as problem:
                message = str(problem)
            except Exception as surprise:  # noqa: BLE001 - an answer odd enough to trip the check
                message = (f"The check could not read what your function gave back "
                           f"({type(surprise).__name__}: {surprise}).\nMake sure it returns plain "
                           "numbers, numpy arrays, lists or dicts, as the exercise asks.")
        if message is None:
            print(f"✔ {note}")
            return None
        # Not right yet: the message below says what to change. Nothing in this file needs fixing.
        raise CheckFailed(message) from None

    return wrapper


# ----------------------------------------------------------------------------------------------
# Describing values and calling the student's function safely
# ----------------------------------------------------------------------------------------------

def _fmt(value: float) -> str:
    """A number for a message: 4 significant digits, scientific when tiny or huge."""
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.3g}"
    return f"{value:.4g}"


def _apart(got: float, expected: float) -> tuple[str, str]:
    """Two numbers for "returned …, but the slope is …", with their signs and with just enough
    significant digits (at least 4) that the two texts differ when the numbers do."""
    for digits in range(4, 18):
        a, b = (("+" if v > 0 else "") + f"{v:.{digits}g}" if v != 0 else "0" for v in (got, expected))
        if a != b:
            return a, b
    return a, b


def _signed(value: float) -> str:
    """A number with its sign: "+0.439", "-0.55", "0"."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "") + _fmt(value)


def _short(value, limit: int = 120) -> str:
    """A short, safe description of any value, for a message (never raises)."""
    try:
        if isinstance(value, str):
            text = f"the text {value!r}"
        elif isinstance(value, np.ndarray):
            text = np.array2string(value, precision=4, threshold=8, separator=", ")
            text = f"an array of shape {value.shape}: {text}"
        elif isinstance(value, Mapping):
            text = f"a dict with the keys {list(value)[:8]}"
        elif isinstance(value, (list, tuple)):
            text = f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}: {value!r}"
        elif inspect.isgenerator(value):
            text = ("a generator (round brackets around a comprehension make one; square brackets "
                    "[...] make a list)")
        elif isinstance(value, (numbers.Number, np.generic)):
            text = f"the number {value!r}"
        else:
            text = f"{type(value).__name__} {value!r}"
    except Exception:  # noqa: BLE001 - a value whose repr fails
        text = f"a {type(value).__name__} object"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _losses_text(losses) -> str:
    losses = list(losses)
    shown = [_fmt(v) for v in losses[:3]]
    if len(losses) > 5:
        shown += ["…"] + [_fmt(v) for v in losses[-2:]]
    else:
        shown += [_fmt(v) for v in losses[3:]]
    return "[" + ", ".join(shown) + "]"


_LIBRARY_DIRS = tuple(Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "purelib", "platlib"))


def _library(filename: str) -> str | None:
    """"helpers.<module>", "numpy", ... for a file of a library; None for the student's own code."""
    path = Path(filename).resolve()
    if path.is_relative_to(HELPERS_DIR):
        return f"helpers.{path.stem}"
    for folder in _LIBRARY_DIRS:
        if path.is_relative_to(folder):
            return path.relative_to(folder).parts[0].removesuffix(".py")
    return None


def _where(error: BaseException) -> str:
    """Which line of the student's own code raised `error` (and in which library, if deeper)."""
    frames = traceback.extract_tb(error.__traceback__)[1:]   # [0] is the call in this file
    theirs = [f for f in frames if _library(f.filename) is None]
    if not theirs or not theirs[-1].line:
        return ""
    text = f"\nIt happened in your code, at the line\n    {theirs[-1].line}"
    if frames[-1] is not theirs[-1]:
        text += f"\n(inside {_library(frames[-1].filename)}, called from that line)"
    return text


_NOT_WRITTEN = ("{name} is not written yet: it still raises NotImplementedError.\n"
                "Replace the lines `# YOUR CODE HERE` and `raise NotImplementedError()` in the cell "
                "above with your code, run that cell, then run this check again. (Already written it? "
                "Then run that cell first: Shift + Enter.)")

_CALLS_UNWRITTEN = ("{chain}, which is not written yet: finish {last} first. It still raises "
                    "NotImplementedError: replace the lines `# YOUR CODE HERE` and `raise "
                    "NotImplementedError()` in the cell where you write {last} with your code, run that cell "
                    "(and its check), then run this check again.")


def _not_written(error: BaseException, name: str) -> str | None:
    """The message for a NotImplementedError from calling the student's `name`: `name` itself is the
    stub, or a function of theirs that it calls is ("descend calls gd_step, which is not written
    yet"). None if a library raised it (then it is an error like any other)."""
    frames = traceback.extract_tb(error.__traceback__)[1:]   # [0] is the call in this file
    if not frames or _library(frames[-1].filename) is not None:
        return None
    chain = [name]
    for frame in frames[1:]:   # frames[0] is `name` itself; skip comprehensions and lambdas
        if _library(frame.filename) is None and not frame.name.startswith("<") and frame.name != chain[-1]:
            chain.append(frame.name)
    if len(chain) == 1 or frames[-1].name.startswith("<"):
        return _NOT_WRITTEN.format(name=name)
    said = " calls ".join([chain[0], ", which calls ".join(chain[1:])])
    return _CALLS_UNWRITTEN.format(chain=said, last=chain[-1])


def _filled(cell) -> bool:
    """True if a closure cell holds a value (reading an empty one raises ValueError)."""
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _yourself(name: str, called: list, how: str) -> str:
    """The message for an answer that calls the course's own version of what it should compute."""
    helper = called[0]
    return (f"{name} calls h.{helper}, the course's own {helper}, so the check would be testing the "
            f"course's code instead of yours. Write it yourself, without h.{helper}: {how}")


_STALE = ("The cell where you write {name} did not finish the last time you ran it: it stopped with an "
          "error (for example a SyntaxError){before}. So {name} is still {which}, and this check would "
          "only test that.\nScroll up to the cell that starts with `def {name}(`, read the error under "
          "it, fix that line, and run the cell again (Shift + Enter). Then run this check again.")


def _cell_text(code) -> str:
    """The source of the notebook cell (or file) a function was compiled from, or ""."""
    try:
        return "".join(linecache.getlines(code.co_filename)).strip()
    except Exception:  # noqa: BLE001 - no source to read
        return ""


def _stale_definition(answer, name: str) -> str | None:
    """In IPython: a message if the latest cell that defines `def name(` ran after the one that made
    `answer` and did not define it (it failed: a SyntaxError, or an error above the def); else None.

    IPython keeps every cell it was asked to run in `In`, even one that did not compile, and keeps
    the source of each compiled cell in linecache, which is how `answer` is traced to its cell.
    """
    code = getattr(answer, "__code__", None)
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except Exception:  # noqa: BLE001 - IPython missing or not running: plain Python
        return None
    if shell is None or code is None:
        return None
    try:
        history = [str(cell) for cell in shell.user_ns.get("In", [])]
    except Exception:  # noqa: BLE001
        return None
    made_in = _cell_text(code)
    if not made_in:
        return None
    defines = re.compile(rf"^def\s+{re.escape(name)}\s*\(", re.MULTILINE)
    tries = [i for i, cell in enumerate(history) if defines.search(cell)]
    ran = [i for i, cell in enumerate(history) if cell.strip() == made_in]
    if not tries or not ran or tries[-1] <= ran[-1]:
        return None
    stub = "NotImplementedError" in made_in
    return _STALE.format(name=name, before="" if stub else ", after the version before it had run",
                         which="the empty stub you were given" if stub else "the version from before")


def _call(answer, name: str, argnames: tuple, *args, shown: str | None = None,
          forbid: tuple = (), how: str = ""):
    """Call the student's function `answer(*args)` and return what it returns.

    Every way the call itself can go wrong becomes a _NotYet with a message: not a function, the
    wrong number or order of arguments, NotImplementedError (the untouched stub, or a stub it
    calls), any other error (with the line of their code), and changing its inputs in place.
    forbid: helpers the answer must not call (the course's own answer); if it does, the message
    says so and `how` says how to write it instead.
    """
    shown = shown or f"{name}({', '.join(argnames)})"
    if not callable(answer):
        raise _NotYet(f"{name} should be a function, but it is {_short(answer)}.\n"
                      f"Run the cell that starts with `def {name}(`, then run this check again.")
    stale = _stale_definition(answer, name)
    if stale:
        raise _NotYet(stale)
    try:
        theirs = list(inspect.signature(answer).parameters)
    except (TypeError, ValueError):   # no signature to read
        theirs = []
    if len(theirs) == len(argnames) > 1 and theirs != list(argnames) and sorted(theirs) == sorted(argnames):
        raise _NotYet(f"{name} takes its arguments in another order: yours is `def {name}({', '.join(theirs)}):`, "
                      f"but it is called as {name}({', '.join(argnames)}), so each value lands in the wrong "
                      f"name.\nKeep the first line `def {name}({', '.join(argnames)}):` as it was given.")
    try:
        inspect.signature(answer).bind(*args)
    except TypeError:
        raise _NotYet(f"{name} should take {len(args)} argument{'s' if len(args) != 1 else ''} "
                      f"({', '.join(argnames)}), but yours is {name}{inspect.signature(answer)}.\n"
                      f"Keep the first line `def {name}({', '.join(argnames)}):` as it was given.") from None
    except ValueError:   # no signature to read (a builtin): just call it
        pass
    given = copy.deepcopy(args)
    try:
        with _calls_to(answer, *forbid) if forbid else contextlib.nullcontext([]) as called:
            result = answer(*given)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - whatever their code raised
        unwritten = _not_written(error, name) if isinstance(error, NotImplementedError) else None
        raise _NotYet(unwritten or
                      f"Calling {shown} stopped with an error:\n    {type(error).__name__}: {error}"
                      f"{_where(error)}\nRead the error, fix that line, run the cell, and check again."
                      ) from None
    cells = getattr(answer, "__closure__", None) or ()
    held = [f.__name__ for f in forbid for cell in cells if _filled(cell) and cell.cell_contents is f]
    if called or held:   # (a helper kept in a closure is not swapped for the stand-in: look there too)
        raise _NotYet(_yourself(name, called or held, how))
    for argname, before, after in zip(argnames, args, given):
        if not _same(before, after):
            raise _NotYet(f"{name} changed its input `{argname}` in place.\n"
                          f"The caller still needs the original {argname}. Build new arrays or a new "
                          "dict/list instead of editing the one you were given (for example "
                          "`a - b` makes a new array; `a -= b` and `.sort()` change the old one).")
    return result


def _same(a, b) -> bool:
    """True if two inputs hold the same values (used to spot in-place changes)."""
    if isinstance(a, Mapping):
        return isinstance(b, Mapping) and set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray):
        try:
            b = np.asarray(b)
        except Exception:  # noqa: BLE001
            return False
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001
        return False


def _close(got, expected, atol: float = ATOL, rtol: float = RTOL) -> bool:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected)))


def _none(what: str) -> str:
    return f"{what} returned None. Did you forget the `return` line at the end?"


def _number(value, what: str, nan_hint: str = "", kind: str = "one number") -> float:
    """`value` as a float, or a message about its type, its shape, or NaN."""
    if value is None:
        raise _NotYet(_none(what))
    if isinstance(value, (bool, np.bool_)):
        raise _NotYet(f"{what} returned {value}, a yes/no value; it should return {kind}.")
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.shape == ():
        value = value.item()
    if isinstance(value, (np.ndarray, list, tuple)):
        size = np.shape(value) if isinstance(value, np.ndarray) else f"{len(value)} items"
        raise _NotYet(f"{what} returned {_short(value)} ({size}); it should return {kind}.\n"
                      "If the number you want is in there, pick it out, e.g. `float(value)` or `value[i]`.")
    if not isinstance(value, numbers.Real):
        raise _NotYet(f"{what} returned {_short(value)}; it should return {kind}.")
    value = float(value)
    if math.isnan(value):
        raise _NotYet(f"{what} returned nan (\"not a number\"). {nan_hint or 'A nan comes from 0/0 or inf − inf: look for a division by zero or a number that grew too large.'}")
    if math.isinf(value):
        raise _NotYet(f"{what} returned {value}. Something grew without bound or was divided by zero.")
    return value


def _count(value, what: str) -> int:
    """`value` as a whole number (an int, or a float like 62.0)."""
    number = _number(value, what, kind="a whole number")
    if not float(number).is_integer():
        raise _NotYet(f"{what} returned {_fmt(number)}, but a count is a whole number.")
    return int(number)


def _params(value, like: dict, what: str) -> dict:
    """`value` as a parameter dict with the keys and shapes of `like`, or a message."""
    if value is None:
        raise _NotYet(_none(what))
    if not isinstance(value, Mapping):
        raise _NotYet(f"{what} returned {_short(value)}; it should return a dict with the keys "
                      "W1, b1, W2, b2 (like params).")
    missing = [k for k in PARAM_NAMES if k not in value]
    extra = [str(k) for k in value if k not in PARAM_NAMES]
    if missing or extra:
        raise _NotYet(f"{what} returned a dict with the keys {[str(k) for k in value]}; it should have "
                      f"exactly W1, b1, W2, b2{' (missing ' + ', '.join(missing) + ')' if missing else ''}"
                      f"{' (not expected: ' + ', '.join(extra) + ')' if extra else ''}.")
    out = {}
    for key in PARAM_NAMES:
        try:
            array = np.asarray(value[key], dtype=float)
        except (TypeError, ValueError):
            raise _NotYet(f'In what {what} returned, ["{key}"] is {_short(value[key])}, '
                          "not an array of numbers.") from None
        if array.shape != like[key].shape:
            hint = " (transposed?)" if array.shape == like[key].shape[::-1] and array.ndim == 2 else ""
            raise _NotYet(f'In what {what} returned, ["{key}"] has shape {array.shape}{hint}, but '
                          f'params["{key}"] has shape {like[key].shape}. Each new array keeps the shape '
                          "of the one it replaces.")
        if not np.all(np.isfinite(array)):
            raise _NotYet(f'In what {what} returned, ["{key}"] contains nan or infinity. Something '
                          "blew up: check the sign of the update and the size of the step.")
        out[key] = array
    return out


def _pair(value, what: str, first: str, second: str) -> tuple:
    """`value` unpacked as two things (first, second), or a message."""
    if value is None:
        raise _NotYet(_none(what))
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        if isinstance(value, Mapping):
            got = f"only a dict ({_short(value)})"
        else:
            got = _short(value)
        raise _NotYet(f"{what} should return two things, `return {first}, {second}`; it returned {got}.")
    return value[0], value[1]


def _losses(value, what: str) -> np.ndarray:
    """A 1-D array of finite losses, or a message."""
    if value is None:
        raise _NotYet(f"The losses from {what} are None: collect them in a list as you go and return it.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _NotYet(f"The losses from {what} are {_short(value)}; they should be a list of numbers, "
                      "one loss per step.") from None
    if array.ndim != 1 or array.size == 0:
        raise _NotYet(f"The losses from {what} have shape {array.shape}; they should be a flat list "
                      "of numbers, one loss per step.")
    if not np.all(np.isfinite(array)):
        raise _NotYet(f"The losses from {what} contain nan or infinity: {_losses_text(array)}.\n"
                      "The weights blew up. Is the sign of the update right, and the step small enough?")
    return array


def _word(value, what: str, allowed: tuple) -> str:
    words = " or ".join(f'"{w}"' for w in allowed)
    if value is None:
        raise _NotYet(_none(what))
    if not isinstance(value, str):
        raise _NotYet(f"{what} returned {_short(value)}; it should return one of the words {words}.")
    word = " ".join(value.strip().lower().split())
    if word not in allowed:
        raise _NotYet(f'{what} returned "{value}"; it should return one of the words {words}.')
    return word


# ----------------------------------------------------------------------------------------------
# Exercises 02: gradients by nudging
# ----------------------------------------------------------------------------------------------

EPS = 1e-4


#: A nudge this large carries b1[0] of the chapter's network (hidden unit 0, z = 0.4) past the
#: ReLU's bend at z = 0, so the central difference there is not the slope at w: an answer that
#: ignores its `eps` (a fixed 1e-4 or 1e-2) gives the slope at w instead and fails.
KINK_EPS = 0.5


def _nudge_cases():
    """(params, x, y, label, eps) for check_nudge_gradient: the chapter's slopes, another network,
    and one nudge large enough to cross a ReLU's bend."""
    params = load_params()
    x, y = example()
    X, Y = dataset()
    other = init_params(seed=1)
    # The chapter's slopes are round (+0.439, -0.55, 0); another network's are not (-0.5566659...,
    # +0.1185839...), so an answer rounded to a few decimals cannot pass.
    return [(params, x, y, "W1[1,0]", EPS), (params, x, y, "b2[1]", EPS), (params, x, y, "W1[0,1]", EPS),
            (other, X[6], Y[6], "W2[2,0]", EPS), (other, X[6], Y[6], "b1[2]", EPS),
            (params, x, y, "b1[0]", KINK_EPS)]


def _slope(params, x, y, label) -> float:
    key, index = parse_label(label, params)
    return float(backprop(params, x, y)[key][index])


def _central(params, x, y, label, eps) -> float:
    """The central difference (L(w + eps) − L(w − eps)) / (2 · eps), as nudge_gradient computes it."""
    return (loss(nudged(params, label, eps), x, y) - loss(nudged(params, label, -eps), x, y)) / (2 * eps)


def _kink_crossed(params, x, label, eps) -> str:
    """Which ReLU bend a nudge of ±eps of `label` crosses, in words (for a b1 or W1 label)."""
    key, index = parse_label(label, params)
    unit = index[0]
    z = float(hidden(params, x)[0][unit])
    reach = eps * (1.0 if key == "b1" else abs(float(x[index[1]])))
    if key in ("b1", "W1") and abs(z) < reach:
        return (f"Nudging {label} by ±{eps:g} moves hidden unit {unit}'s z = {_fmt(z)} past 0, where its "
                "ReLU bends, so the loss is not a straight line between w − eps and w + eps.")
    return ""


@_check
def check_nudge_gradient(nudge_gradient):
    """nudge_gradient(params, label, x, y, eps) → the central-difference slope of the loss (a float)."""
    cases = _nudge_cases()
    for params, x, y, label, eps in cases:
        shown = f'nudge_gradient(params, "{label}", x, y, eps={eps:g})'
        got = _number(_call(nudge_gradient, "nudge_gradient", ("params", "label", "x", "y", "eps"),
                            params, label, x, y, eps, shown=shown, forbid=(backprop, numerical_gradient),
                            how="nudge the weight both ways with h.nudged(params, label, eps) and "
                                "h.nudged(params, label, -eps), take the two losses with h.loss(…, x, y), "
                                "and return (up − down) / (2 * eps)."), shown,
                      nan_hint="Did you divide by something that was 0, such as (eps - eps)?")
        # a tiny eps: the slope itself (by backprop); a large one: the central difference at that eps
        expected = _slope(params, x, y, label) if eps == EPS else _central(params, x, y, label, eps)
        if _close(got, expected):
            continue
        base = loss(params, x, y)
        up = loss(nudged(params, label, eps), x, y)
        down = loss(nudged(params, label, -eps), x, y)
        got_text, expected_text = _apart(got, expected)
        said = (f"{shown} returned {got_text}, but the slope there is {expected_text}." if eps == EPS else
                f"{shown} returned {got_text}, but the central difference at eps = {eps:g} is {expected_text}.")
        tight = dict(atol=1e-12, rtol=1e-9)
        central = "(loss(w + eps) − loss(w − eps)) / (2·eps)"
        if eps != EPS and _close(got, _slope(params, x, y, label)):
            raise _NotYet(f"{said}\nThat is the slope for a tiny nudge, as if eps were small: your function "
                          f"does not use the eps it is given. {_kink_crossed(params, x, label, eps)}\nUse "
                          "the argument `eps` in both nudges and in the division (no fixed number such as "
                          f"1e-4): {central}.")
        ex_x, ex_y = example()
        if not (np.array_equal(x, ex_x) and np.array_equal(y, ex_y)):
            on_example = _central(params, ex_x, ex_y, label, eps)
            if _close(got, on_example) and not _close(on_example, expected):
                raise _NotYet(f"{said}\nThat is the slope on the chapter's example (h.example()), not on the "
                              f"x = {x.astype(int).tolist()} and y the check gave: use the arguments x and y you "
                              "are given, in both losses: h.loss(…, x, y).")
        if expected != 0 and _close(got, y.size * expected, atol=0, rtol=1e-5):
            raise _NotYet(f"{said}\nThat is exactly {y.size} × the slope, and y has {y.size} numbers: is your "
                          "loss the sum of the squared errors? The loss is the mean, h.loss / np.mean, not the "
                          "sum. (If you did use h.loss: divide the difference by 2·eps, no other distance.)")
        if expected != 0 and _close(got, (up - down) / 2 * eps, atol=0, rtol=1e-6):
            raise _NotYet(f"{said}\nThat is the slope times eps² = {eps ** 2:g}: a bracket is missing. "
                          "Python reads `(up - down) / 2 * eps` as `((up - down) / 2) * eps`, multiplying "
                          "by eps instead of dividing by it. Write `(up - down) / (2 * eps)`.")
        if _close(got, up - down / (2 * eps), **tight) and not _close(up, down, **tight):
            raise _NotYet(f"{said}\nA bracket is missing: Python reads `up - down / (2 * eps)` as "
                          "`up - (down / (2 * eps))`, dividing only `down`. Write `(up - down) / (2 * eps)`.")
        rounded = [d for d in range(1, 9) if round(expected, d) != 0 and _close(got, round(expected, d), **tight)]
        if rounded:
            raise _NotYet(f"{said}\nThat is the slope rounded to {rounded[0]} decimal"
                          f"{'s' if rounded[0] != 1 else ''}. Return the number itself, unrounded: the check "
                          "compares about 6 significant digits. (Round only when you print, for example "
                          'f"{slope:.3f}".)')
        if expected != 0 and _close(got, -expected):
            raise _NotYet(f"{said}\nThe size is right but the sign is flipped. Subtract in the order "
                          "loss(w + eps) − loss(w − eps): the loss up the hill minus the loss down it.")
        if expected != 0 and _close(got, 2 * expected):
            raise _NotYet(f"{said}\nThat is exactly twice the slope. The two nudged weights are 2·eps "
                          "apart, so divide the difference in loss by 2·eps, not by eps.")
        if _close(got, up - down, **tight) or _close(got, (up - down) / 2, **tight):
            raise _NotYet(f"{said}\nYou have the change in the loss, but not yet divided by how far the "
                          "weight moved. Divide by 2·eps to turn the change into a slope.")
        if _close(got, (up - base) / eps, **tight) or _close(got, (base - down) / eps, **tight):
            raise _NotYet(f"{said}\nThat is a one-sided difference: you nudged the weight one way only, "
                          "and compared with the loss at w itself. Nudge it both ways and use the central "
                          f"difference {central}: its error is about eps² instead of about eps.")
        if any(_close(got, v, **tight) for v in (base, up, down)):
            raise _NotYet(f"{said}\nThat number is a loss, not a slope. The slope is how much the loss "
                          "changes per unit of change in the weight.")
        if expected != 0 and _close(got, 0.0):
            raise _NotYet(f"{said}\nYou got zero, but the loss does change when {label} moves. Did you "
                          "nudge the weight named by `label`, and compute the two losses from the two "
                          "nudged copies?")
        ratio = got / expected if expected != 0 else 0.0
        factors = [f for f in (4.0, 0.25, 10.0, 0.1, 100.0, 0.01, 0.5) if _close(ratio, f, atol=0, rtol=1e-5)]
        if factors:
            raise _NotYet(f"{said}\nThat is exactly {_fmt(factors[0])} × the slope: the right differences, "
                          "divided by the wrong distance. Use the argument `eps` everywhere (in both nudges "
                          "and in the division, no fixed number) and divide by 2·eps: "
                          f"{central}.")
        slopes = flatten(backprop(params, x, y))
        matches = [lab for lab, v in zip(param_labels(params), slopes)
                   if lab != label and expected != 0 and _close(got, v)]
        if len(matches) == 1:
            raise _NotYet(f"{said}\nThat is the slope of {matches[0]}, a different weight. Nudge the "
                          "weight named by `label` (h.nudged(params, label, eps) does exactly that).")
        raise _NotYet(f"{said}\nThe recipe: up = the loss with the weight nudged by +eps, down = the loss "
                      f"with it nudged by −eps, slope = (up − down) / (2·eps), that is {central}.")
    params, x, y, label, _ = cases[0]
    g = _slope(params, x, y, label)
    small = sum(eps == EPS for *_, eps in cases)
    return (f"nudge_gradient agrees with backpropagation on {small} weights, and uses its eps (at eps = "
            f"{KINK_EPS:g} the nudge crosses a ReLU's bend). On the chapter's network the slope of {label} "
            f"is {_signed(round(g, 3))}, so {label} should {_which_way_reference(g)}.")


def _which_way_reference(grad: float) -> str:
    return "decrease" if grad > 0 else "increase" if grad < 0 else "leave"


@_check
def check_which_way(which_way):
    """which_way(grad) → "increase", "decrease" or "leave": the way the weight should move."""
    params, x, y = load_params(), *example()
    grads = backprop(params, x, y)
    # The chapter's two slopes and zero; then what the hidden tests also ask: a tiny gradient still
    # has a direction (no tolerance), and -0.0 is zero (== 0 says so; copysign and str() see a sign).
    cases = [round(float(grads["W1"][1, 0]), 3), round(float(grads["b2"][1]), 3), 0.0, 1e-7, -1e-3, -0.0]
    for grad in cases:
        shown = f"which_way({grad!r})"
        got = _word(_call(which_way, "which_way", ("grad",), grad, shown=shown), shown, DIRECTIONS)
        expected = _which_way_reference(grad)
        if got == expected:
            continue
        if grad > 0:
            why = (f"A gradient of {_signed(grad)} means: make the weight bigger and the loss gets "
                   "bigger. We want a smaller loss, so the weight should go down: \"decrease\".")
        elif grad < 0:
            why = (f"A gradient of {_signed(grad)} means: make the weight bigger and the loss gets "
                   "smaller. That is what we want, so the weight should go up: \"increase\".")
        else:
            why = ("A gradient of exactly 0 means a small change in this weight does not change the "
                   "loss at all, so \"leave\" it. Test for 0 before you test the sign.")
            if math.copysign(1.0, grad) < 0:
                why += (" -0.0 is zero too: `grad == 0` is True for it, while math.copysign and str() "
                        "see its minus sign.")
        if grad != 0 and got == "leave":
            why += (f" However small, a gradient that is not exactly 0 has a direction: test `grad == 0`, "
                    f"with no tolerance such as abs(grad) < {_fmt(10 * abs(grad))}.")
        raise _NotYet(f'{shown} returned "{got}".\n{why}')
    return (f"which_way reads the sign: {_signed(cases[0])} → decrease, {_signed(cases[1])} → increase, "
            "0 → leave. A weight always moves against the sign of its gradient.")


ZERO = 1e-9


def _zero_cases():
    params = load_params()
    x, y = example()
    x2 = np.array([0.0, 0.0, 1.0, 1.0])
    return [(params, x, y), (params, x2, flip(x2))]


def _zero_reference(params, x, y) -> list:
    slopes = flatten(backprop(params, x, y))
    return [lab for lab, v in zip(param_labels(params), slopes) if abs(v) < ZERO]


def _why_zero(label: str, params, x) -> str:
    key, index = parse_label(label, params)
    _, h_act = hidden(params, x)
    if key == "W1" and x[index[1]] == 0:
        pixel = "abcd"[index[1]] if x.size == 4 else index[1]
        return f"input pixel {pixel} is 0 in this image"
    unit = index[0] if key in ("W1", "b1") else index[1] if key == "W2" else None
    if unit is not None and h_act[unit] == 0:
        return f"hidden unit {unit} is switched off (its ReLU outputs 0)"
    return "its gradient is 0"


@_check
def check_zero_gradient_labels(zero_gradient_labels):
    """zero_gradient_labels(params, x, y) → the labels of every weight whose nudge gradient is 0."""
    for params, x, y in _zero_cases():
        shown = f"zero_gradient_labels(params, x={x.astype(int).tolist()}, y)"
        got = _call(zero_gradient_labels, "zero_gradient_labels", ("params", "x", "y"), params, x, y,
                    shown=shown)
        if got is None:
            raise _NotYet(_none(shown))
        if isinstance(got, (str, bytes)) or not isinstance(got, (list, tuple, set, frozenset, np.ndarray)):
            raise _NotYet(f"{shown} returned {_short(got)}; it should return a list of labels such as "
                          '["W1[0,1]", "b1[2]"].')
        got = list(got.ravel()) if isinstance(got, np.ndarray) else list(got)
        odd = [g for g in got if not isinstance(g, str)]
        if odd:
            raise _NotYet(f"{shown} returned a list holding {_short(odd[0])}; each item should be a label "
                          'as text, like "W1[1,0]" (h.param_labels(params) lists them all).')
        valid = set(param_labels(params))
        unknown = [g for g in got if g not in valid]
        if unknown:
            raise _NotYet(f'{shown} returned "{unknown[0]}", which is not a parameter label. Use the '
                          'labels from h.param_labels(params), like "W1[1,0]" or "b2[3]".')
        doubled = sorted({g for g in got if got.count(g) > 1})
        if doubled:
            raise _NotYet(f"{shown} lists {doubled[0]} more than once. Each weight should appear once.")
        expected = _zero_reference(params, x, y)
        on_example = _zero_reference(params, *example())
        if set(got) != set(expected) and set(got) == set(on_example):
            raise _NotYet(f"{shown} returned the weights whose slope is 0 on the chapter's example "
                          f"(h.example()), not on the x = {x.astype(int).tolist()} and y the check gave: use "
                          "the arguments x and y you are given: nudge_gradient(params, label, x, y, 1e-4).")
        grads = backprop(params, x, y)
        extra = [g for g in got if g not in expected]
        missing = [e for e in expected if e not in got]
        if extra:
            key, index = parse_label(extra[0], params)
            raise _NotYet(f"{shown} includes {extra[0]}, but its gradient is "
                          f"{_signed(float(grads[key][index]))}, not 0. Keep only labels whose nudge "
                          f"gradient is smaller than {ZERO:g} in size (use abs()).")
        if missing:
            raise _NotYet(f"{shown} misses {len(missing)} of the {len(expected)} weights with zero "
                          f"gradient, for example {missing[0]}: {_why_zero(missing[0], params, x)}. "
                          "Go through every label in h.param_labels(params).")
    params, x, y = _zero_cases()[0]
    expected = _zero_reference(params, x, y)
    reasons = sorted({_why_zero(lab, params, x) for lab in expected})
    return (f"zero_gradient_labels found the {len(expected)} weights that cannot help on the chapter's "
            f"example, because {' or '.join(reasons)}.")


# ----------------------------------------------------------------------------------------------
# Exercises 03: the update rule and the loop
# ----------------------------------------------------------------------------------------------

def _step_cases():
    """(params, grads, lr, x, y, which network): the chapter's, and another at another lr."""
    params = load_params()
    x, y = example()
    other = init_params(n_hidden=5, seed=2)
    X, Y = dataset()
    return [(params, backprop(params, x, y), 0.1, x, y, "the Chapter-7 network on the example"),
            (other, backprop(other, X, Y), 0.5, X, Y, "another network (5 hidden units) on all 16 images")]


def _step_size_used(got: dict, params: dict, grads: dict) -> float | None:
    """The c for which got == params − c · grads in every array, if there is one; else None."""
    moved = np.concatenate([(params[k] - got[k]).ravel() for k in PARAM_NAMES])
    slope = np.concatenate([grads[k].ravel() for k in PARAM_NAMES])
    if not np.any(slope):
        return None
    c = float(moved @ slope / (slope @ slope))
    return c if _close(moved, c * slope) else None


@_check
def check_gd_step(gd_step_answer):
    """gd_step(params, grads, lr) → a NEW dict with w − lr · ∂L/∂w for every parameter."""
    for params, grads, lr, x, y, network in _step_cases():
        shown = f"gd_step(params, grads, lr={lr:g})"
        got = _params(_call(gd_step_answer, "gd_step", ("params", "grads", "lr"), params, grads, lr,
                            shown=shown, forbid=(gd_step,),
                            how="for every key, the new array is params[key] − lr · grads[key]."),
                      params, shown)
        expected = gd_step(params, grads, lr)
        if all(_close(got[k], expected[k]) for k in PARAM_NAMES):
            continue
        before, after = loss(params, x, y), loss(got, x, y)
        went = (f"The check called {shown} with {network}.\n"
                f"The loss went from {_fmt(before)} to {_fmt(after)}")
        used = _step_size_used(got, params, grads)
        if used is not None and used < 0:
            raise _NotYet(f"{went}: it went UP. Is the sign of the update right?\nThe gradient points "
                          "uphill, so step the other way: w − lr · gradient.")
        if used is not None and _close(used, 0.0):
            raise _NotYet(f"The check called {shown} with {network}, and it returned the same numbers it "
                          "was given: nothing moved. Return the new values w − lr · gradient.")
        if used is not None and _close(used, 1.0):
            raise _NotYet(f"{went}, but every weight moved by its whole gradient. Multiply the "
                          "gradient by the learning rate lr first: it sets the size of the step.")
        if used is not None:
            used_text, lr_text = (text.lstrip("+") for text in _apart(used, lr))
            if _close(used, lr, atol=0, rtol=1e-3):   # a hair off lr: no other step size to name
                raise _NotYet(f"{went}: every weight moved by {used_text} × its gradient, close to lr = "
                              f"{lr_text} but not equal to it (the check allows a difference of about "
                              f"{RTOL:g} × lr). Use the argument `lr` exactly as given, with no extra factor "
                              "and no rounding: params[key] − lr · grads[key].")
            raise _NotYet(f"{went}: every weight moved by {used_text} × its gradient, but the call asked "
                          f"for lr = {lr_text}. Multiply each gradient by the argument `lr` itself, once (not "
                          "by a fixed number, and with no extra factor): params[key] − lr · grads[key].")
        wrong = [k for k in PARAM_NAMES if not _close(got[k], expected[k])]
        right = [k for k in PARAM_NAMES if k not in wrong]
        if right:
            raise _NotYet(f"The check called {shown} with {network}. {', '.join(right)} "
                          f"{'is' if len(right) == 1 else 'are'} right, but {', '.join(wrong)} "
                          f"{'is' if len(wrong) == 1 else 'are'} not. Every parameter follows the same "
                          "rule: new = old − lr · gradient.")
        raise _NotYet(f"{went}; the expected new values give {_fmt(loss(expected, x, y))}.\n"
                      "For every key, the new array is params[key] − lr · grads[key].")
    params, grads, lr, x, y, _ = _step_cases()[0]
    return (f"gd_step steps against the gradient: on the chapter's example one step at η = {lr:g} "
            f"takes the loss from {_fmt(loss(params, x, y))} to {_fmt(loss(gd_step(params, grads, lr), x, y))}.")


def _descend_cases():
    params = load_params()
    x, y = example()
    X, Y = dataset()
    return [(params, x, y, 0.1, 5), (init_params(n_hidden=4, seed=3), X, Y, 0.2, 3)]


#: Learning rates a descend that ignores its `lr` argument is likely to use instead.
LIKELY_FIXED_LRS = (0.1, 0.2, 1.0, 0.5, 0.01, 0.001, 0.3, 0.05)


def _lr_that_gives(losses, params, x, y, steps: int, lr: float) -> float | None:
    """A learning rate other than lr whose run gives exactly these losses, if a likely one does."""
    for other in LIKELY_FIXED_LRS:
        if _close(other, lr):
            continue
        run = train(params, x, y, other, steps)
        if run.losses.size == losses.size and _close(losses, run.losses):
            return other
    return None


def _descend_with_grads_from(params, x, y, grad_x, grad_y, lr, steps: int) -> np.ndarray:
    """The losses on x, y of a descent whose gradients are taken on another example, grad_x, grad_y."""
    losses = [loss(params, x, y)]
    for _ in range(steps):
        params = gd_step(params, backprop(params, grad_x, grad_y), lr)
        losses.append(loss(params, x, y))
    return np.array(losses)


@_check
def check_descend(descend):
    """descend(params, x, y, lr, steps) → (final params, losses) with steps + 1 losses."""
    for params, x, y, lr, steps in _descend_cases():
        shown = f"descend(params, x, y, lr={lr:g}, steps={steps})"
        got = _call(descend, "descend", ("params", "x", "y", "lr", "steps"), params, x, y, lr, steps,
                    shown=shown)
        if isinstance(got, Mapping):
            raise _NotYet(f"{shown} returned only the params; return the losses too: "
                          "`return params, losses`.")
        got_params, got_losses = _pair(got, shown, "params", "losses")
        if isinstance(got_params, (list, np.ndarray)) and isinstance(got_losses, Mapping):
            raise _NotYet(f"{shown} returned (losses, params); the order should be "
                          "`return params, losses`.")
        got_losses = _losses(got_losses, shown)
        got_params = _params(got_params, params, f"{shown} (its first result)")
        run = train(params, x, y, lr, steps)
        want = run.losses
        if got_losses.size != want.size:
            if got_losses.size == steps and _close(got_losses, want[1:]):
                hint = "The loss before the first step is missing: record it before you start."
            elif got_losses.size == steps and _close(got_losses, want[:-1]):
                hint = "The loss after the last step is missing: record it once more after the loop."
            else:
                hint = ("Record the loss once before the first step and once after every step.")
            raise _NotYet(f"{shown} returned {got_losses.size} losses; for {steps} steps there should "
                          f"be {steps + 1}. {hint}")
        ex_x, ex_y = example()
        other_example = not (np.array_equal(x, ex_x) and np.array_equal(y, ex_y))
        given = "all 16 images" if x.ndim == 2 else f"x = {x.astype(int).tolist()}"
        if not _close(got_losses[0], want[0]):
            sizes = sorted({y.size, y.shape[-1]} - {1})
            summed = [n for n in sizes if _close(got_losses[0], n * want[0])]
            if summed:
                raise _NotYet(f"The check called {shown}. Your first loss is {_fmt(got_losses[0])}, exactly "
                              f"{summed[0]} × the loss of these params, {_fmt(want[0])}: you added up the "
                              "squared errors. The loss is the mean, h.loss / np.mean, not the sum: use "
                              "h.loss(params, x, y).")
            if other_example and _close(got_losses[0], loss(params, ex_x, ex_y)):
                raise _NotYet(f"The check called {shown} on {given}, but your first loss, "
                              f"{_fmt(got_losses[0])}, is the loss on the chapter's example (h.example()); on "
                              f"{given} it is {_fmt(want[0])}. The function must work for any x, y: use "
                              "the arguments x and y you are given, in every loss and every gradient.")
            raise _NotYet(f"The first loss should be the loss of the params you started from, "
                          f"{_fmt(want[0])}; yours is {_fmt(got_losses[0])}.")
        if not _close(got_losses, want):
            if other_example and _close(got_losses, _descend_with_grads_from(params, x, y, ex_x, ex_y, lr, steps)):
                raise _NotYet(f"The check called {shown} on {given}, but your steps follow the gradient "
                              "of the chapter's example (h.example()), not of the x and y the check gave: "
                              f"your losses are {_losses_text(got_losses)}, not {_losses_text(want)}.\n"
                              "For the gradient too, use the arguments x and y you are given: "
                              "grads = h.backprop(params, x, y).")
            if steps and np.all(got_losses == got_losses[0]):
                raise _NotYet(f"The check called {shown}, and the loss never changed: "
                              f"{_losses_text(got_losses)}. The params are not updated inside the loop: "
                              "each step needs `params = gd_step(params, grads, lr)`, and the next loss "
                              "from those new params.")
            used = _lr_that_gives(got_losses, params, x, y, steps, lr)
            if used is not None:
                raise _NotYet(f"The check called {shown}, but your losses are those of a run at lr = "
                              f"{_fmt(used)}, not {lr:g}: {_losses_text(got_losses)}.\nUse the argument "
                              "`lr` in every step, gd_step(params, grads, lr), instead of a fixed number "
                              "or a variable from outside the function.")
            rises = steps_that_rose(got_losses)
            if rises.size:
                k = int(rises[0])
                raise _NotYet(f"The loss went up at step {k} ({_fmt(got_losses[k - 1])} → "
                              f"{_fmt(got_losses[k])}): is the sign of the update right?\n"
                              "Each step should go downhill: params = gd_step(params, grads, lr) with "
                              "grads = h.backprop(params, x, y) for the CURRENT params.")
            k = int(np.flatnonzero(np.abs(got_losses - want) > ATOL + RTOL * np.abs(want))[0])
            raise _NotYet(f"Your losses {_losses_text(got_losses)} part from the expected "
                          f"{_losses_text(want)} at step {k}. Each step needs the gradient of the "
                          "current params (recompute it inside the loop) and the loss after that step.")
        if not all(_close(got_params[k], run.params[k]) for k in PARAM_NAMES):
            if all(_close(got_params[k], params[k]) for k in PARAM_NAMES):
                raise _NotYet(f"The losses are right, but {shown} returned the params it started "
                              "from. Return the params after the last step.")
            raise _NotYet(f"The losses are right, but the params returned are not the ones after "
                          f"step {steps}. Return the params you updated last.")
    params, x, y, lr, steps = _descend_cases()[0]
    want = train(params, x, y, lr, steps).losses
    return (f"descend takes {steps} steps at η = {lr:g} and the loss goes down every time: "
            f"{' → '.join(_fmt(v) for v in want)}.")


TARGET_LOSS = 1e-3


@contextlib.contextmanager
def _gradient_points():
    """Note where every gradient is taken while the block runs: h.backprop, and each step of h.train,
    go through the private _backprop, which notes the params (flattened, copied) before it works.
    Yields the list of those points."""
    points = []

    def note(params, *args, **kwargs):
        with contextlib.suppress(Exception):   # params it cannot read: _backprop itself will say so
            points.append(np.concatenate([np.array(params[k], dtype=float).ravel() for k in PARAM_NAMES]))

    with _noting(None, {_backprop: note}):
        yield points


def _plural(n: int, noun: str) -> str:
    """ "1 step", "3 steps"."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _run_lengths(points, start: dict, end: dict) -> list[tuple[int, int]]:
    """The runs of gradient descent among the gradient points, each as (fewest, most) steps it
    can have taken. A run starts at the point equal to `start`.

    most: every gradient taken from the start on is a step. fewest: only a gradient at a new point
    is one; one taken again at the same point (a second look within a step, or weights that have
    stopped changing), or at `end` (the params returned, after the last step), may be no step.
    """
    first, last = flatten(start), flatten(end)
    runs, previous = [], None
    for point in points:
        same_shape = point.shape == first.shape
        again = previous is not None and point.shape == previous.shape and np.array_equal(point, previous)
        if same_shape and np.array_equal(point, first) and not again:
            runs.append([1, 1])                      # the gradient at the start: step 1
        elif runs:
            runs[-1][1] += 1
            if not again and not (same_shape and np.array_equal(point, last)):
                runs[-1][0] += 1
        previous = point
    return [tuple(run) for run in runs]


def _negative_lr_that_gives(losses, start: dict, x, y) -> float | None:
    """A negative learning rate whose first steps from `start` give these losses, if one does."""
    grads = backprop(start, x, y)

    def step(params, grads, lr):   # (not gd_step: it refuses the negative rates tried here)
        return {k: params[k] - lr * grads[k] for k in PARAM_NAMES}

    def rise(lr):   # the first step's loss minus the student's: < 0 for a tiny |lr|
        return loss(step(start, grads, lr), x, y) - losses[1]

    sizes = np.logspace(-7, 1, 161)
    ahead = [i for i in range(1, sizes.size) if rise(-sizes[i - 1]) < 0 <= rise(-sizes[i])]
    if not ahead:
        return None
    low, high = sizes[ahead[0] - 1], sizes[ahead[0]]
    for _ in range(80):
        middle = (low + high) / 2
        low, high = (middle, high) if rise(-middle) < 0 else (low, middle)
    lr, params = -(low + high) / 2, start
    for k in range(1, min(losses.size, 4)):
        params = step(params, backprop(params, x, y), lr)
        if not _close(loss(params, x, y), losses[k], atol=1e-9, rtol=1e-6):
            return None
    return lr


@_check
def check_train_chapter7(train_chapter7):
    """train_chapter7() → (params, losses): from the Chapter-7 weights, downhill on every step, to a
    loss below TARGET_LOSS."""
    shown = "train_chapter7()"
    start = load_params()
    x, y = example()
    with _gradient_points() as points:
        got = _call(train_chapter7, "train_chapter7", (), shown=shown)
    got_params, got_losses = _pair(got, shown, "params", "losses")
    got_losses = _losses(got_losses, shown)
    got_params = _params(got_params, start, f"{shown} (its first result)")
    first = loss(start, x, y)
    if not _close(got_losses[0], first):
        raise _NotYet(f"The first loss is {_fmt(got_losses[0])}, but the Chapter-7 weights have loss "
                      f"{_fmt(first)}. Start from h.load_params() on the example x, y = h.example().")
    final = loss(got_params, x, y)
    if not _close(got_losses[-1], final, atol=1e-9):
        raise _NotYet(f"The last loss in your list is {_fmt(got_losses[-1])}, but the params you "
                      f"returned have loss {_fmt(final)}. Return the params and the losses of the same run.")
    rises = steps_that_rose(got_losses)
    if final >= TARGET_LOSS:
        said = f"The loss went from {_fmt(first)} to {_fmt(final)}: not below {TARGET_LOSS:g} yet."
        negative = _negative_lr_that_gives(got_losses, start, x, y) if rises.size and rises[0] == 1 else None
        if negative is not None:
            raise _NotYet(f"{said}\nIt went UP on the very first step ({_fmt(got_losses[0])} → "
                          f"{_fmt(got_losses[1])}), as a run with the negative learning rate η = "
                          f"{negative:.3g} does. With η < 0, w − η · gradient moves WITH the gradient, "
                          "uphill. The learning rate must be positive: a number above 0.")
        if rises.size:
            k = int(rises[0])
            raise _NotYet(f"{said}\nOn the way it went UP at step {k} ({_fmt(got_losses[k - 1])} → "
                          f"{_fmt(got_losses[k])}): each step jumps past the valley"
                          f"{' and lands higher' if final >= first else ''}. More steps cannot fix that: "
                          "use a SMALLER learning rate, so that every step goes downhill.")
        if final >= first:
            raise _NotYet(f"{said}\nThe loss did not change at all: is the learning rate 0, or do the "
                          "updated weights get lost inside your loop?")
        raise _NotYet(f"{said}\nThe loss went down on every step, only too slowly. Take more steps, or "
                      "try a somewhat larger learning rate.")
    if rises.size:
        k = int(rises[0])
        raise _NotYet(f"The loss ends below {TARGET_LOSS:g}, but on the way it went UP at step {k} "
                      f"({_fmt(got_losses[k - 1])} → {_fmt(got_losses[k])}): the steps overshoot. "
                      "Pick a smaller learning rate, so that every step goes downhill.")
    runs = _run_lengths(points, start, got_params)
    steps = got_losses.size - 1
    if runs and not any(fewest <= steps <= most for fewest, most in runs):
        fewest, most = runs[-1]
        if steps < fewest:
            took = (f"took {'at least ' if most > fewest else ''}{_plural(fewest, 'step')} of gradient descent "
                    f"from the Chapter-7 weights (it took the gradient at {_plural(fewest, 'different point')})")
        else:
            took = (f"took at most {_plural(most, 'step')} of gradient descent from the Chapter-7 weights "
                    f"(it took the gradient only {_plural(most, 'time')})")
        raise _NotYet(f"{shown} {took}, but returned {got_losses.size} losses: {_losses_text(got_losses)}.\n"
                      "Return one loss before the first step and one after every step"
                      + (f", {fewest + 1} in all," if fewest == most else "") + " as descend returns them.")
    y_hat = np.round(forward(got_params, x), 2) + 0.0   # + 0.0 turns -0.0 into 0.0
    return (f"From the Chapter-7 weights your loop took the loss from {_fmt(first)} to {_fmt(final)} "
            f"in {_plural(steps, 'step')}, never up: it went down {how_it_fell(got_losses)}. The prediction is now "
            f"[{', '.join(f'{v:.2f}' for v in y_hat)}] for the target {y.astype(int).tolist()}.")


# ----------------------------------------------------------------------------------------------
# Exercises 04: the learning rate
# ----------------------------------------------------------------------------------------------

#: The exercise-04 rules are the course's own: `helpers.verdict`.
classify_reference = verdict


def _lr_run(lr: float):
    x, y = example()
    return train(load_params(), x, y, lr, LR_STEPS)


@contextlib.contextmanager
def _noting(answer, notes: dict):
    """While the block runs, every name bound to a function `original` in `notes` (in the helpers
    package's modules, and in the globals of the student's function `answer`, if given) is a
    stand-in that calls notes[original] with the call's arguments, then does the real thing. All is
    put back afterwards, so calls outside the block use the real functions."""
    def stand_in(original, note):
        @functools.wraps(original)
        def noted(*args, **kwargs):
            note(*args, **kwargs)
            return original(*args, **kwargs)
        return noted

    stand_ins = [(original, stand_in(original, note)) for original, note in notes.items()]
    spaces = [vars(module) for name, module in list(sys.modules.items())
              if module is not None and (name == __package__ or name.startswith(f"{__package__}."))]
    theirs = getattr(answer, "__globals__", None)
    if isinstance(theirs, dict) and all(theirs is not space for space in spaces):
        spaces.append(theirs)
    swapped = []
    try:
        for space in spaces:
            for key, value in list(space.items()):
                for original, noted in stand_ins:
                    if value is original:
                        space[key] = noted
                        swapped.append((space, key, original))
                        break
        yield
    finally:
        for space, key, original in swapped:
            space[key] = original


@contextlib.contextmanager
def _calls_to(answer, *originals):
    """Notice an answer that leans on a helper it should not use: yields the list of the names of
    the `originals` it called while the block ran (see `_noting`)."""
    called = []

    def noter(name):
        return lambda *args, **kwargs: called.append(name)

    with _noting(answer, {original: noter(original.__name__) for original in originals}):
        yield called


def _describe_run(losses) -> str:
    """What a run's losses did, in words, for the learning-rate messages."""
    losses = np.asarray(losses, dtype=float)
    verdict = classify_reference(losses)
    if exploded(losses):
        bad = np.flatnonzero(~np.isfinite(losses) | (losses > EXPLODED * losses[0]))
        k = int(bad[0]) if bad.size else losses.size - 1
        return (f"the loss blew up, from {_fmt(losses[0])} to {_fmt(losses[k])} by step {k} "
                f"(more than {EXPLODED:,.0f} times where it started, or not even a number)")
    ratio = losses[-1] / losses[0] if losses[0] else 0.0
    if verdict in ("unstable", "diverged"):
        k = int(steps_that_rose(losses)[0])
        went = (f"the loss went UP at step {k} ({_fmt(losses[k - 1])} → {_fmt(losses[k])}), so the steps "
                f"overshoot the valley, and it ended at {_fmt(losses[-1])}")
        if verdict == "unstable":
            return f"{went}, no more than half of where it started ({_fmt(losses[0])}): it still got well below its start"
        above = "higher than" if losses[-1] >= losses[0] else "more than half of"
        return f"{went}, {above} where it started ({_fmt(losses[0])}): the run failed"
    return (f"the loss only went down, from {_fmt(losses[0])} to {_fmt(losses[-1])} "
            f"({'more' if verdict == 'too slow' else 'less'} than half of where it started"
            f"{', ' + format(ratio, '.0%') + ' of it' if verdict == 'too slow' else ''})")


def _classify_cases():
    nan, inf = float("nan"), float("inf")
    synthetic = [[1.0, 0.9, 0.8, 0.7], [1.0, 0.5, 0.2, 0.1], [1.0, 0.3, 0.4, 0.1],
                 [1.0, 0.5, 0.2, 0.2 + 1e-15, 0.1], [1.0, 10.0, 1e4, 2e6], [1.0, 0.6, nan],
                 [0.8, 0.5, inf], [1.0, 3.0, 0.9, 2.0], [1.0, 0.3, 0.6, 0.55], [1.0, 0.3, 0.6, 0.5],
                 # blew up and came back down: rule 1 looks at every loss, before the rise test
                 [1.0, 2e6, 0.1],
                 # ended at exactly half of the first: half or lower is "steady"
                 [1.0, 0.75, 0.5],
                 # rose, and ended below half of its highest loss but above half of its first
                 [1.0, 3.0, 0.9]]
    real = [_lr_run(lr).losses for lr in CHAPTER_LRS]
    return [np.array(c) for c in synthetic] + real


def _exact_word(value, what: str, allowed: tuple) -> str:
    """`value` if it is exactly one of the `allowed` words, or a message (case and spaces count)."""
    word = _word(value, what, allowed)
    if value != word:
        raise _NotYet(f'{what} returned "{value}". Return the word exactly as the rules write it, '
                      f'"{word}": in lowercase, with no extra spaces. The four words are '
                      + ", ".join(f'"{w}"' for w in allowed) + ". Code that reads them compares with "
                      f'==, as largest_steady_lr does later, and "{value}" == "{word}" is False.')
    return word


def _leans_on_verdict(classify_run) -> bool:
    """True if the student's classify_run is the course's own verdict (or a partial of it)."""
    return any(f is verdict for f in (classify_run, getattr(classify_run, "func", None),
                                      getattr(classify_run, "__wrapped__", None)))


_WRITE_THE_RULES = ("classify_run calls h.verdict, the course's own answer to this exercise. Here you "
                    "write the rules yourself: use the four rules above, in order, with np.isfinite, "
                    "np.diff and comparisons on `losses`, and leave h.verdict out.")


@_check
def check_classify_run(classify_run):
    """classify_run(losses) → "too slow", "steady", "unstable" or "diverged" (the exercise-04 rules)."""
    cases = _classify_cases()
    if _leans_on_verdict(classify_run):
        raise _NotYet(_WRITE_THE_RULES)
    for losses in cases:
        shown = f"classify_run({_losses_text(losses)})"
        expected = classify_reference(losses)
        with _calls_to(classify_run, verdict) as called:
            said = _call(classify_run, "classify_run", ("losses",), losses, shown=shown)
        if called:
            raise _NotYet(_WRITE_THE_RULES)
        got = _exact_word(said, shown, VERDICTS)
        if got == expected:
            continue
        why = f'{shown} returned "{got}", but it is "{expected}": {_describe_run(losses)}.'
        rose = bool(steps_that_rose(losses).size)
        if expected == "diverged" and exploded(losses) and np.all(np.isfinite(losses)):
            came_back = losses[-1] <= EXPLODED * losses[0]
            why += (f"\nCheck for a blow-up first, before anything else, and on every loss, not only the "
                    f"last: a loss above {EXPLODED:,.0f} × the first means \"diverged\""
                    f"{', even when the run comes back down, as this one did' if came_back else ''}: "
                    f"np.any(losses > {EXPLODED:.0e} * losses[0]). (np.isfinite spots the other kind of "
                    "blow-up, nan and inf.)").replace("e+0", "e")
        elif expected == "diverged" and exploded(losses):
            why += ("\nCheck for a blow-up first, before anything else: np.isfinite spots nan and inf "
                    "(every comparison with nan is False, so it slips through the other tests).")
        elif losses[-1] == HALF * losses[0] and {"steady": "too slow", "unstable": "diverged"}.get(expected) == got:
            why += (f"\nIt ended at exactly {HALF:g} × where it started, and \"at most half\" includes half "
                    f"itself: compare with <= {HALF:g} * losses[0], not <.")
        elif expected == "steady" and np.any(np.diff(losses) > 0):
            why += (f"\nIts loss does rise here and there, but by less than {RISE:g}: that is rounding "
                    f"noise. Count a step as going up only if it rises by more than {RISE:g}.")
        elif rose and got in ("unstable", "diverged"):
            why += (f"\nA run whose loss went up is \"unstable\" only if its last loss is at most {HALF:g} × "
                    "the first; otherwise it is \"diverged\". Compare losses[-1] with "
                    f"{HALF:g} * losses[0] (rule 2).")
        elif rose:
            why += "\nLook at every step: compare each loss with the one before it (np.diff helps)."
        else:
            why += f"\nCompare the last loss with {HALF:g} × the first one."
        raise _NotYet(why)
    return (f"classify_run agrees with the rules on all {len(cases)} runs, including the four real ones: "
            + ", ".join(f"η = {lr:g} {classify_reference(c)}" for lr, c in zip(CHAPTER_LRS, cases[-4:]))
            + ".")


def _a(word: str) -> str:
    """The word with its article: "a steady", "an unstable"."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


PICK_KEYS = ("too small", "good", "too large")
PICK_WANT = {"too small": ("too slow",), "good": ("steady",), "too large": ("unstable", "diverged")}


@_check
def check_pick_learning_rates(pick_learning_rates):
    """pick_learning_rates() → {"too small": η, "good": η, "too large": η} that behave as named."""
    shown = "pick_learning_rates()"
    got = _call(pick_learning_rates, "pick_learning_rates", (), shown=shown)
    if got is None:
        raise _NotYet(_none(shown))
    if not isinstance(got, Mapping):
        raise _NotYet(f"{shown} returned {_short(got)}; it should return a dict like "
                      '{"too small": ..., "good": ..., "too large": ...}.')
    missing = [k for k in PICK_KEYS if k not in got]
    if missing:
        raise _NotYet(f'{shown} has no "{missing[0]}" key. The dict needs exactly the keys '
                      + ", ".join(f'"{k}"' for k in PICK_KEYS) + f"; yours has {[str(k) for k in got]}.")
    notes = []
    for key in PICK_KEYS:
        lr = _number(got[key], f'{shown}["{key}"]')
        if lr <= 0:
            raise _NotYet(f'Your "{key}" learning rate is {_fmt(lr)}. A learning rate is a positive '
                          "number: zero never moves, and a negative one walks uphill.")
        run = _lr_run(lr)
        verdict = classify_reference(run.losses)
        if verdict not in PICK_WANT[key]:
            # on the η axis the runs go too slow → steady → unstable or diverged
            rank = {"too slow": 0, "steady": 1, "unstable": 2, "diverged": 2}
            advice = ("Try a larger one." if rank[verdict] < rank[PICK_WANT[key][0]]
                      else "Try a smaller one.")
            raise _NotYet(f'Your "{key}" η = {_fmt(lr)} gives {_a(verdict)} run, not '
                          f'{" or ".join(PICK_WANT[key])}: in {LR_STEPS} steps {_describe_run(run.losses)}. '
                          f"{advice}")
        notes.append(f"η = {_fmt(lr)} {verdict}")
    return f"Your three learning rates behave as named: {', '.join(notes)}."


def _largest_steady_reference(candidates):
    steady = [lr for lr in candidates if classify_reference(_lr_run(lr).losses) == "steady"]
    return max(steady) if steady else None


def _largest_cases():
    return [[0.001, 0.01, 0.1, 1.0, 10.0], [0.7, 0.05, 0.3], [2.0, 10.0]]


def _too_coarse(value) -> bool:
    """True for a float16 or float32 number or array: about 3 or 7 significant digits, not 16."""
    dtype = getattr(value, "dtype", None)
    return isinstance(dtype, np.dtype) and dtype.kind == "f" and dtype.itemsize < 8


def _their_classify_run_misreads(largest_steady_lr, lr: float) -> str | None:
    """A message if the classify_run that largest_steady_lr calls (the one in its notebook) does
    not read the run at `lr` as the rules do; None if it does, or if there is none to ask."""
    theirs = getattr(largest_steady_lr, "__globals__", {}).get("classify_run")
    if not callable(theirs):
        return None
    losses = _lr_run(lr).losses
    expected = classify_reference(losses)
    try:
        said = theirs(losses.copy())
    except (Exception, SystemExit):  # noqa: BLE001 - its own check explains its errors
        return None
    if isinstance(said, str) and said == expected:
        return None
    if isinstance(said, str) and " ".join(said.strip().lower().split()) == expected:
        return (f'Your classify_run returns "{said}" for the run at η = {lr:g}, not exactly "{expected}". '
                f'largest_steady_lr compares its word with == "steady", and "{said}" == "{expected}" is '
                "False, so no run counts as steady. Make classify_run return the exact lowercase words "
                + ", ".join(f'"{w}"' for w in VERDICTS) + ", run its cell and its check, then this check again.")
    return (f'Your classify_run calls the run at η = {lr:g} {_short(said)}, but by the rules it is '
            f'"{expected}". Fix classify_run first (its check above says what is wrong), then run this '
            "check again.")


@_check
def check_largest_steady_lr(largest_steady_lr):
    """largest_steady_lr(candidates) → the largest candidate whose run is "steady", or None."""
    for candidates in _largest_cases():
        shown = f"largest_steady_lr({candidates})"
        got = _call(largest_steady_lr, "largest_steady_lr", ("candidates",), list(candidates), shown=shown)
        expected = _largest_steady_reference(candidates)
        if expected is None:
            if got is None:
                continue
            raise _NotYet(f"{shown} returned {_short(got)}, but none of these learning rates gives a "
                          "steady run, so the answer is None. Return None when nothing qualifies.")
        if got is None:
            raise _NotYet(_their_classify_run_misreads(largest_steady_lr, expected)
                          or f"{shown} returned None, but η = {expected:g} gives a steady run. "
                             "(Did you forget the `return` line?)")
        if isinstance(got, str):
            raise _NotYet(f'{shown} returned "{got}"; it should return the learning rate itself, '
                          "one of the candidates.")
        if isinstance(got, numbers.Integral) and not isinstance(got, bool) and 0 <= got < len(candidates) \
                and candidates[got] == expected:
            raise _NotYet(f"{shown} returned {got}, the position of the answer in the list. Return the "
                          f"learning rate itself, candidates[{got}].")
        value = _number(got, shown)
        if value not in candidates:   # as Python floats, exactly: what == in the hidden tests compares
            near = [c for c in candidates if _close(value, c, atol=0, rtol=1e-6)]
            if not near:
                raise _NotYet(f"{shown} returned {_fmt(value)}, which is not one of the candidates.")
            how = (f"it is a numpy {got.dtype}, which keeps only about 7 significant digits"
                   if _too_coarse(got) else "the digits after the 7th were lost, as np.float32 loses them"
                   if value == float(np.float32(near[0])) else "it was computed, not taken from the list")
            raise _NotYet(f"{shown} returned {value!r}, close to the candidate {near[0]!r} but not equal "
                          f"to it: {how}. In Python, {value!r} == {near[0]!r} is False. Return the "
                          "candidate itself, as it is in the list (no np.float32 in between).")
        if value == expected:
            continue
        misread = (_their_classify_run_misreads(largest_steady_lr, expected)
                   or _their_classify_run_misreads(largest_steady_lr, value))
        if misread:
            raise _NotYet(misread)
        verdict = classify_reference(_lr_run(value).losses)
        if verdict != "steady":
            raise _NotYet(f"{shown} returned {_fmt(value)}, but that run is {verdict}: "
                          f"{_describe_run(_lr_run(value).losses)}. Keep only steady ones.")
        raise _NotYet(f"{shown} returned {_fmt(value)}. That run is steady, but η = {expected:g} is "
                      "steady too and larger. Return the largest steady one.")
    cases = _largest_cases()
    best = _largest_steady_reference(cases[0])
    larger = [lr for lr in cases[0] if lr > best]
    return (f"largest_steady_lr picks η = {best:g} from {cases[0]}: the larger "
            f"{'candidate' if len(larger) == 1 else 'candidates'} in this list "
            f"({', '.join(f'{lr:g}' for lr in larger)}) "
            f"{'overshoots or blows up' if len(larger) == 1 else 'overshoot or blow up'} within {LR_STEPS} steps.")


# ----------------------------------------------------------------------------------------------
# Exercises 05: what a gradient costs
# ----------------------------------------------------------------------------------------------

def _count_reference(n_in, n_hidden, n_out) -> int:
    return n_hidden * n_in + n_hidden + n_out * n_hidden + n_out


@_check
def check_count_params_for(count_params_for):
    """count_params_for(n_in, n_hidden, n_out) → the number of weights and biases of the network."""
    for n_in, n_hidden, n_out in [(4, 3, 4), (4, 6, 4), (2, 5, 1)]:
        shown = f"count_params_for({n_in}, {n_hidden}, {n_out})"
        got = _count(_call(count_params_for, "count_params_for", ("n_in", "n_hidden", "n_out"),
                           n_in, n_hidden, n_out, shown=shown), shown)
        expected = _count_reference(n_in, n_hidden, n_out)
        if got == expected:
            continue
        said = f"{shown} returned {got}, but the network has {expected} parameters."
        weights = n_in * n_hidden + n_hidden * n_out
        if got == weights:
            hint = "You counted the weights only: every hidden unit and every output also has a bias."
        elif got == weights + n_hidden:
            hint = "You forgot the biases of the output layer (one per output)."
        elif got == weights + n_out:
            hint = "You forgot the biases of the hidden layer (one per hidden unit)."
        elif got == n_in + n_hidden + n_out:
            hint = ("That counts units (neurons), not the numbers the network learns. Each arrow "
                    "between two layers is a weight, and each unit after the input has a bias.")
        else:
            hint = ("Count the weights between the layers (one per pair of connected units) and one "
                    "bias per hidden unit and per output.")
        raise _NotYet(f"{said}\n{hint}")
    return (f"count_params_for(4, 3, 4) = {_count_reference(4, 3, 4)}: {4 * 3} weights and 3 biases "
            f"into the hidden layer, {3 * 4} weights and 4 biases into the outputs.")


def _passes_cases():
    params = load_params()
    x, y = example()
    X, Y = dataset()
    # a 4 → 2 → 3 network with 3 targets: only the params, x and y given to measure_passes fit it
    rng = np.random.default_rng(7)
    small = {"W1": rng.normal(size=(2, 4)), "b1": rng.normal(size=2),
             "W2": rng.normal(size=(3, 2)), "b2": rng.normal(size=3)}
    return [(params, x, y), (init_params(n_hidden=6, seed=0), X, Y),
            (small, np.array([0.0, 1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.5]))]


@_check
def check_measure_passes(measure_passes):
    """measure_passes(params, x, y) → {"numerical": n, "backprop": m}, counted forward passes."""
    for params, x, y in _passes_cases():
        n_params = count_params(params)
        sizes = f"{params['W1'].shape[1]} → {params['W1'].shape[0]} → {params['W2'].shape[0]}"
        shown = f"measure_passes(params of a {sizes} network with {n_params} numbers, x, y)"
        with _calls_to(measure_passes, example, dataset, load_params) as called:
            try:
                got = _call(measure_passes, "measure_passes", ("params", "x", "y"), params, x, y, shown=shown)
            except _NotYet:
                if not called:
                    raise
        if called:
            raise _NotYet(f"measure_passes calls h.{called[0]}(), so it counts the passes for a network or "
                          "an example of its own. Use the params, x and y you are given: the check also "
                          "gives it networks of other sizes, with examples that fit them. Count "
                          "h.numerical_gradient(params, x, y) and h.backprop(params, x, y).")
        if got is None:
            raise _NotYet(_none(shown))
        if not isinstance(got, Mapping):
            raise _NotYet(f"{shown} returned {_short(got)}; it should return a dict "
                          '{"numerical": ..., "backprop": ...}.')
        for key in ("numerical", "backprop"):
            if key not in got:
                raise _NotYet(f'{shown} has no "{key}" key; it has {[str(k) for k in got]}.')
            if hasattr(got[key], "n") and not isinstance(got[key], numbers.Number):
                raise _NotYet(f'{shown}["{key}"] is the counter itself. The count is its `.n`: '
                              "use passes.n after the `with` block.")
        numerical = _count(got["numerical"], f'{shown}["numerical"]')
        backward = _count(got["backprop"], f'{shown}["backprop"]')
        want = 2 * n_params
        if (numerical, backward) == (1, want):
            raise _NotYet(f"{shown} has the two counts swapped: backprop needs 1 forward pass, the "
                          f"numerical gradient {want}.")
        if numerical != want:
            if numerical == n_params:
                hint = (f"{n_params} is the number of parameters. Count forward passes: the numerical "
                        "gradient runs two of them for every parameter.")
            elif numerical == want + backward:
                hint = ("That count includes the backprop pass too. Use one `with "
                        "h.count_forward_passes() as passes:` block for each of the two gradients.")
            else:
                hint = ("Run h.numerical_gradient(params, x, y) inside `with h.count_forward_passes() "
                        "as passes:` and return passes.n.")
            raise _NotYet(f'{shown}["numerical"] is {numerical}, but the numerical gradient ran {want} '
                          f"forward passes.\n{hint}")
        if backward != 1:
            raise _NotYet(f'{shown}["backprop"] is {backward}, but backprop ran 1 forward pass. Count '
                          "it in a block of its own around h.backprop(params, x, y).")
    params, x, y = _passes_cases()[0]
    return (f"measure_passes counted {2 * count_params(params)} forward passes for the numerical "
            f"gradient and 1 for backprop on the chapter's network of {count_params(params)} parameters.")


def _cost_reference(n_params, seconds_per_pass) -> tuple:
    return 2 * n_params * seconds_per_pass, 2 * seconds_per_pass


#: gradient_cost's times must match to this relative tolerance, in this check and in its hidden
#: tests alike: plain Python floats (float64) do, float32's 7 significant digits do not.
COST_RTOL = 1e-9

_COARSE = ("about 7 significant digits{}: not precise enough, since the check compares 9. Compute with "
            "plain Python numbers (or float64), without np.float32 and without rounding.")


def _seconds(got: float, want: float) -> tuple[str, str]:
    """Two times for "is …, but takes …", with enough digits that they differ when they do."""
    return tuple(text.lstrip("+") for text in _apart(got, want))


@_check
def check_gradient_cost(gradient_cost):
    """gradient_cost(n_params, seconds_per_pass) → (numerical seconds, backprop seconds)."""
    for n_params, seconds in [(31, 1e-5), (1_000_000, 0.01)]:
        shown = f"gradient_cost({n_params}, {seconds:g})"
        got = _call(gradient_cost, "gradient_cost", ("n_params", "seconds_per_pass"), n_params, seconds,
                    shown=shown)
        first, second = _pair(got, shown, "numerical_seconds", "backprop_seconds")
        for which, value in enumerate((first, second)):
            if _too_coarse(value):
                raise _NotYet(f"{shown}[{which}] is a numpy {value.dtype}, which keeps only " + _COARSE.format(""))
        numerical = _number(first, f"{shown}[0]")
        backward = _number(second, f"{shown}[1]")
        want_numerical, want_backprop = _cost_reference(n_params, seconds)
        if _close(numerical, want_backprop, atol=0) and _close(backward, want_numerical, atol=0):
            raise _NotYet(f"{shown} has the two times swapped: return (numerical_seconds, backprop_seconds).")
        if not _close(numerical, want_numerical, atol=0, rtol=COST_RTOL):
            hint = ("That is right only to " + _COARSE.format(", the precision of np.float32")
                    if _close(numerical, want_numerical, atol=0)
                    else "That is one pass per weight. Central differences nudge each weight both ways: two "
                    "forward passes per weight." if _close(numerical, n_params * seconds, atol=0)
                    else "The numerical gradient runs two forward passes for every parameter.")
            got_text, want_text = _seconds(numerical, want_numerical)
            raise _NotYet(f"{shown}[0] is {got_text} s, but the numerical gradient takes {want_text} s.\n{hint}")
        if not _close(backward, want_backprop, atol=0, rtol=COST_RTOL):
            hint = ("That is right only to " + _COARSE.format(", the precision of np.float32")
                    if _close(backward, want_backprop, atol=0)
                    else "That counts the backward pass only. Backprop first runs one forward pass, then one "
                    "backward pass of about the same cost." if _close(backward, seconds, atol=0)
                    else "Backprop costs one forward pass plus one backward pass of about the same "
                         "cost, whatever the number of parameters.")
            got_text, want_text = _seconds(backward, want_backprop)
            raise _NotYet(f"{shown}[1] is {got_text} s, but backprop takes {want_text} s.\n{hint}")
    numerical, backward = _cost_reference(1_000_000, 0.01)
    return (f"gradient_cost is right. With a million parameters and 0.01 s per forward pass, one "
            f"numerical gradient takes {numerical:,.0f} s (about {numerical / 3600:.1f} hours); "
            f"backprop takes {backward:g} s.")
