"""Imported by Python at start-up in every job of the workflow (painstress.jobs.
start_jobs_quietly, called by workflow/Snakefile, puts this folder on the jobs'
PYTHONPATH): Ctrl-C while a job is still starting (Snakemake's preamble, the script's
imports) ends it with the one line painstress.jobs.run_script gives once the job runs, not
with a traceback of whatever module was being imported. Nothing is imported before the
hook is in place: under load, a job's imports take seconds."""
import sys


def _stop_interrupted():
    try:
        from painstress.jobs import INTERRUPTED
    except BaseException:  # a second Ctrl-C, or a Python without the package
        INTERRUPTED = "interrupted (Ctrl-C)"
    print(f"ERROR {INTERRUPTED}", file=sys.stderr, flush=True)
    import os

    os._exit(130)  # as run_script: the status of a process stopped by Ctrl-C


def _interrupted(kind, value, trace, default=sys.excepthook):
    if not issubclass(kind, KeyboardInterrupt):
        return default(kind, value, trace)
    _stop_interrupted()


def _interrupted_unraisable(unraisable, default=sys.unraisablehook):
    # Ctrl-C met where Python cannot raise it (a callback of the import machinery's module
    # locks, a __del__) is printed with a traceback as "ignored", and the job goes on
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        return default(unraisable)
    _stop_interrupted()


sys.excepthook = _interrupted
sys.unraisablehook = _interrupted_unraisable
