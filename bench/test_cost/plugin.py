"""pytest plugin: when each test starts and ends, and the CPU it used, one JSON line per
event in $TEST_COST_OUT (bench/test_cost/run.py loads it with ``-p``).

A test's CPU is its worker's own plus that of every process it started and waited for
(``os.times()``: a Snakemake run and all its jobs), so a test that builds a shared fixture
carries that fixture's cost. Processes that no test waits for (the SLURM daemons and the
jobs they start) are not counted: the machine's busy time (run.py) is."""
from __future__ import annotations

import json
import os
import time


def _record(nodeid: str, event: str) -> None:
    times = os.times()
    line = {"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "test": nodeid,
            "event": event, "time": time.time(), "cpu": times.user + times.system,
            "children_cpu": times.children_user + times.children_system}
    with open(os.environ["TEST_COST_OUT"], "a") as out:
        out.write(json.dumps(line) + "\n")


def pytest_runtest_logstart(nodeid, location):
    _record(nodeid, "start")


def pytest_runtest_logfinish(nodeid, location):
    _record(nodeid, "end")
