"""``make run``: Snakemake that recovers from a killed run by itself and ends with the one line that matters.

A run killed with ``kill -9`` (or by a power cut, or an out-of-memory killer) leaves Snakemake's
lock in ``.snakemake/locks`` and its half-written outputs marked incomplete. Plain Snakemake then
refuses to start until the user runs ``snakemake --unlock`` and ``--rerun-incomplete``. This runner
does both, safely:

- it holds an exclusive lock (``fcntl.flock``, which the kernel releases when its holder dies) so
  that two ``make run`` in one directory never overlap;
- it removes Snakemake's lock only when no Snakemake process is alive in this directory (read from
  ``/proc``; where ``/proc`` does not exist the lock is left and Snakemake explains);
- it always passes ``--rerun-incomplete``, which reruns the jobs a kill interrupted.

Snakemake's output is passed through unchanged; when the run fails, the one-line errors of the
failed jobs (:data:`hiplbp.errors.MARKER`) are repeated as its last lines, and when it succeeds,
the line naming the report (:data:`DONE`).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import MARKER, one_line
from .config import ConfigError, merge, read_config_file, resolve_extends, run_name

#: How a successful run names its report (the Snakefile's ``onsuccess``); ``make run`` repeats that
#: line last, after Snakemake's own closing lines.
DONE = "hiplbp: the report is "


def live_snakemake(
    directory: str | Path, *, proc: str | Path = "/proc", exclude: Sequence[int] = ()
) -> list[int] | None:
    """PIDs of Snakemake processes whose working directory is ``directory``; ``None`` without ``/proc``.

    Parameters
    ----------
    directory : path
        The workflow's working directory.
    proc : path
        The proc file system (a parameter so that tests can fake one).
    exclude : sequence of int
        PIDs not to count (this process and its parents).
    """
    root = Path(proc)
    if not root.is_dir():
        return None
    target = os.path.realpath(directory)
    found = []
    for entry in root.iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:  # gone, or not ours to read
            continue
        if cwd == target and any(Path(a.decode(errors="replace")).name.startswith("snakemake") for a in argv[:3]):
            found.append(int(entry.name))
    return sorted(found)


@contextmanager
def exclusive(path: str | Path) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path`` while inside; yields ``False`` if another process holds it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def stale_lock(directory: str | Path, *, proc: str | Path = "/proc") -> bool:
    """Snakemake's lock is present and no Snakemake process is alive in ``directory`` to hold it."""
    locks = Path(directory) / ".snakemake" / "locks"
    if not locks.is_dir() or not any(locks.iterdir()):
        return False
    alive = live_snakemake(directory, proc=proc, exclude=(os.getpid(), os.getppid()))
    return alive == []


def config_files(args: Sequence[str]) -> list[str]:
    """The files named by ``--configfile``/``--configfiles`` in Snakemake arguments.

    Examples
    --------
    >>> config_files(["--cores", "2", "--configfile", "a.yaml", "b.yaml", "-n", "--configfile=c.yaml"])
    ['a.yaml', 'b.yaml', 'c.yaml']
    """
    found: list[str] = []
    taking = False
    for arg in args:
        if arg.startswith("--configfile"):
            name, _, value = arg.partition("=")
            taking = name in ("--configfile", "--configfiles") and not value
            found += [value] if value else []
        elif arg.startswith("-"):
            taking = False
        elif taking:
            found.append(arg)
    return found


def report_line(args: Sequence[str], directory: str | Path = ".") -> str:
    """The line naming where the run of ``args`` puts its report (or a screen its page): ``""``
    where the config cannot be read (Snakemake then says why).

    Examples
    --------
    >>> report_line(["--cores", "2"], Path(__file__).parents[3])
    'hiplbp: the report is results/lee2015/report/report.html'
    """
    directory = Path(directory)
    files = config_files(args) or ["config.yaml"]
    try:
        config: dict = {}
        for path in files:
            config = merge(config, read_config_file(directory / path))
        config = resolve_extends(config, origin=" ".join(files), root=directory)
    except (ConfigError, OSError):
        return ""
    if "screen" in config:
        return "hiplbp: the screening page is results/screen/screen.html"
    return f"{DONE}results/{run_name(config, files)}/report/report.html"


def run(args: Sequence[str], directory: str | Path = ".") -> int:
    """Run Snakemake with ``args`` in ``directory``, recovering from a killed run; return its exit status."""
    directory = Path(directory).resolve()
    # Snakemake reads these before the workflow can say anything: a missing file or a YAML mistake
    # would be its traceback, or a message without the line
    for path in config_files(args):
        try:
            read_config_file(path if Path(path).is_absolute() else directory / path)
        except ConfigError as err:
            print(one_line(ConfigError(str(err).replace(str(directory) + os.sep, ""))), file=sys.stderr)
            return 1
    snakemake = [sys.executable, "-m", "snakemake"]
    with exclusive(directory / ".snakemake" / "hiplbp-run.lock") as mine:
        if not mine:
            print(f"{MARKER}another `make run` is working in {directory} (expected one at a time)", file=sys.stderr)
            return 1
        if stale_lock(directory):
            print("hiplbp: a previous run was killed; removing its stale lock (snakemake --unlock)", file=sys.stderr)
            subprocess.run([*snakemake, "--unlock", *args], cwd=directory, capture_output=True, check=False)
        child = subprocess.Popen(
            [*snakemake, "--rerun-incomplete", *args],
            cwd=directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert child.stdout is not None
        errors: list[str] = []
        last, done = "", ""
        for line in child.stdout:
            sys.stderr.write(line)
            last = line.rstrip("\n")
            if line.startswith(MARKER):
                errors.append(last)
            if line.startswith(DONE):
                done = last
        status = child.wait()
    done = done or (report_line(args, directory) if status == 0 else "")
    if status == 0 and done and done != last:
        print(done, file=sys.stderr)
    if status != 0:
        if not errors:
            alive = live_snakemake(directory, exclude=(os.getpid(), os.getppid(), child.pid)) or []
            errors = [
                f"{MARKER}another Snakemake run (pid {', '.join(map(str, alive))}) is working in {directory}; "
                "wait for it to finish"
                if alive
                else f"{MARKER}Snakemake stopped with exit status {status}; its messages are above"
            ]
        unique = list(dict.fromkeys(errors))
        if unique != [last]:  # a run that already ended with its one line (a config mistake) ends there
            print("\n".join(unique), file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m hiplbp.run.runner [snakemake arguments]``."""
    return run(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
