"""Errors a user can cause, and how a pipeline job reports them: one line on the console.

Every problem in a user's data file, trial folder or config is raised as a :class:`UserError`
(or a subclass) whose message is one line naming the file, the row and column or the config key,
what was found and what was expected. A job's script calls :func:`log_to` first: the full
traceback goes to the rule's log file and only that line reaches the console, marked with
:data:`MARKER` so that the workflow's error handler and the ``make run`` runner can repeat it as
the last line of the run.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TextIO

#: Prefix of the one line a failed job prints on the console (and writes to its log).
MARKER = "hiplbp: error: "


class UserError(ValueError):
    """A problem the user can fix; the message is one line naming where it is and what was expected."""


def one_line(err: BaseException, *, log: str | None = None) -> str:
    """The console line for an exception: a :class:`UserError`'s own message, else its type and text.

    An exception that is not a :class:`UserError` is a defect of hiplbp, not of the input; its line
    says so and points at the log with the traceback.

    Examples
    --------
    >>> one_line(UserError("data.csv: row 3, column 'x': expected a number, got 'a'"))
    "hiplbp: error: data.csv: row 3, column 'x': expected a number, got 'a'"
    >>> one_line(KeyError("x"), log="clean.log")
    "hiplbp: error: unexpected KeyError: 'x' (a defect of hiplbp, please report it; traceback in clean.log)"
    """
    text = " ".join(str(err).split())
    if isinstance(err, UserError):
        return MARKER + text
    where = f"; traceback in {log}" if log else ""
    return f"{MARKER}unexpected {type(err).__name__}: {text} (a defect of hiplbp, please report it{where})"


def log_to(log: str | Path, console: TextIO | None = None) -> TextIO:
    """Send a job's standard error to its log file and report an uncaught error in one console line.

    Call it first in a rule's script (``log_to(snakemake.log[0])``). Tracebacks, warnings and
    progress go to ``log``; an uncaught exception writes its traceback to ``log`` and its
    :func:`one_line` to ``console`` (the job's original standard error) and to ``log``, and the
    script exits with status 1 as before.

    Returns
    -------
    TextIO
        The open log file (also the new ``sys.stderr``).
    """
    console = console or sys.__stderr__
    stream = open(log, "w", encoding="utf-8")  # noqa: SIM115  (open for the life of the job)
    sys.stderr = stream

    def hook(kind: type[BaseException], err: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, err, tb, file=stream)
        line = one_line(err, log=str(log))
        print(line, file=stream, flush=True)
        if console is not None:
            print(line, file=console, flush=True)

    sys.excepthook = hook
    return stream


def error_lines(logs: Iterable[str | Path], since: float = 0.0) -> list[str]:
    """The one-line errors in job logs written at or after ``since`` (a time stamp), in order, once each.

    The workflow's ``onerror`` handler repeats them at the end of a failed run, after Snakemake's
    own report, so that the run ends with what went wrong.
    """
    lines: list[str] = []
    for path in sorted(map(Path, logs)):
        try:
            if path.stat().st_mtime < since:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines += [line for line in text.splitlines() if line.startswith(MARKER)]
    return list(dict.fromkeys(lines))
