"""Running workflow scripts: logging to the rule's log, and clear errors for bad input.

Light to import (no pandas): ``workflow/startup/sitecustomize.py``, run as every Python
job starts, imports it for :data:`INTERRUPTED` when Ctrl-C stops a job still starting.
"""

from __future__ import annotations

import errno
import logging
import sys
import traceback
from pathlib import Path

from painstress import InputError, OutputError

# What a job stopped by Ctrl-C says, whether it was starting or running.
INTERRUPTED = ("interrupted (Ctrl-C): this job's outputs were not written; run the workflow "
               "again to finish it")
# What a run stopped by Ctrl-C says last (the Snakefile's onerror).
RUN_INTERRUPTED = ("Interrupted (Ctrl-C): the jobs that were running stopped and left no "
                   "outputs; finished results are kept. Run the same command again to resume.")


def start_jobs_quietly(startup: str | Path) -> None:
    """Put folder ``startup`` first on PYTHONPATH, which every job's Python inherits: its
    ``sitecustomize.py`` makes Ctrl-C during a job's start-up (Snakemake's preamble, the
    script's imports, before :func:`run_script` can catch it) end the job with the line
    :data:`INTERRUPTED` instead of a traceback."""
    import os

    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(startup) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(startup), *paths])


def watch_ctrl_c() -> list[int]:
    """A list that gets an entry when this process receives Ctrl-C (SIGINT), which still
    raises KeyboardInterrupt as before (Snakemake stops its jobs on it). Does nothing
    outside the main thread or when SIGINT is not Python's default handler."""
    import signal
    import threading

    seen: list[int] = []

    def handler(signum, frame):
        seen.append(signum)
        signal.default_int_handler(signum, frame)

    if (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        signal.signal(signal.SIGINT, handler)
    return seen


def _log_handlers(log_path: str | None) -> list[logging.Handler]:
    """stderr, and the rule's log file; a log that cannot be created (full disk, read-only
    folder) is an OutputError naming it."""
    from painstress.files import output_error

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        try:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.FileHandler(log_path, mode="w"))
        except OSError as exc:
            error = output_error(exc, log_path)
            if error is None:
                raise
            raise error from exc
    return handlers


def _clear_error(exc: BaseException) -> Exception | None:
    """The one-line error for ``exc`` if it is one a user can act on without a traceback:
    bad input, an output that cannot be written, a full disk or unwritable folder met by
    any library (a figure, a notebook)."""
    from painstress.files import NO_ROOM, output_error

    if isinstance(exc, (InputError, OutputError)):
        return exc
    if isinstance(exc, OSError) and exc.filename and exc.errno in NO_ROOM + (errno.EROFS,):
        return output_error(exc, exc.filename)  # a write: a read never fills a disk
    return None


def run_script(main, snakemake) -> None:
    """Run ``main(snakemake)`` from a workflow script.

    Logs go to the rule's log file. An :class:`InputError` (bad user input) or an
    :class:`~painstress.files.OutputError` (full disk, read-only folder) is printed as one
    clear message, without a traceback, and the job fails; Ctrl-C stops the job with one
    line; any other error keeps its traceback, in the log and on the terminal.
    """
    log_path = snakemake.log[0] if snakemake.log else None
    try:
        handlers = _log_handlers(log_path)
    except OutputError as error:
        print(f"ERROR {error}", file=sys.stderr)
        sys.exit(1)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(message)s")
    try:
        main(snakemake)
    except KeyboardInterrupt:
        logging.error(INTERRUPTED)
        sys.exit(130)
    except Exception as exc:
        error = _clear_error(exc)
        if error is None:
            logging.error("unexpected failure:\n%s", traceback.format_exc())
            raise
        logging.error("%s", error)
        sys.exit(1)


def offline_missing(paths, where: str = "GEO (series page -> 'Download RNA-seq counts'; "
                    "the series matrix from the series' matrix/ folder)") -> InputError:
    """The error for a file that offline mode needs but resources/ lacks; ``where`` says
    where to download it by hand."""
    listed = "\n  ".join(map(str, paths))
    return InputError(
        "offline: true, and these files are not in resources/:\n  " + listed + "\n"
        f"Download them from {where} and put them there under exactly these names, or set "
        "offline: false on a machine that reaches the source.")


def hold_run_lock(folder: str | Path, study: str):
    """Hold an exclusive lock on ``folder/run-<study>.lock`` for the life of this process,
    or raise :class:`InputError` naming the run that holds it.

    Snakemake's own lock files are checked and then written, two steps: two runs started
    at the same instant both pass the check. ``flock`` is one atomic step, and the kernel
    drops it when the process ends however it ends (no stale lock after a kill). The lock
    is held until the process ends.
    """
    import fcntl
    import os

    path = Path(folder) / f"run-{study}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held until the process ends
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise InputError(
            f"another run of study '{study}' is running in this folder (process {holder}, "
            f"lock {path}). Wait for it to finish, or stop it, then run again.") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _HELD_LOCKS.append(handle)  # closing the file would release the lock


_HELD_LOCKS: list = []
