"""Snakemake's command line, for tests/test_slurm.py, with the SLURM executor plugin's status
checks every ``--seconds-between-status-checks`` seconds, as that option says.

snakemake-executor-plugin-slurm (2.8.0) replaces that pace with its own: after each status
check that finds no job finished it waits 10 s longer (up to 180 s), a kindness to a busy
cluster's scheduler. On the test's one-node cluster, where each stage's jobs take seconds,
that left each run idle 10-20 s after most jobs had ended, a third of its wall time. Nothing
else of Snakemake or the plugin changes; the jobs inside SLURM run plain ``python -m
snakemake``.

    python tests/slurm/steady_status.py <snakemake arguments>
"""
import sys

from snakemake.cli import main
from snakemake_executor_plugin_slurm import Executor


def _pace(executor) -> float:
    return executor.workflow.remote_execution_settings.seconds_between_status_checks


Executor.next_seconds_between_status_checks = property(_pace, lambda executor, value: None)

if __name__ == "__main__":
    sys.exit(main())
