"""Faults a real run meets: killed or interrupted runs, a full disk, a read-only output
folder, two runs in one folder, and parts left by killed writers.

Each test asserts the message a user sees and that no earlier output or user file was lost.
Whole-workflow tests start from a copy of the session's finished CI-sized demo run
(conftest.ci_run, the uninterrupted reference) with one region's DE tables removed, run
it again up to the overlap (``--until overlap``: that region's two DESeq2 fits and the
overlap) and compare with the reference.
"""
from __future__ import annotations

import base64
import errno
import gzip
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import painstress.files as files
from conftest import REPO, STUDY, copy_run, remove_de_fits, snakemake, write_config
from painstress import InputError
from painstress.data import http
from painstress.files import OutputError, remove_stale_parts, write_tsv
from painstress.jobs import run_script

TARGET = ("--until", "overlap")
IS_ROOT = os.geteuid() == 0


def results(workdir: Path) -> Path:
    return workdir / "results" / STUDY


def tables(workdir: Path) -> dict[str, bytes]:
    """Every result table (``*.tsv``, ``*.tsv.gz``) but logs and benchmarks, by path."""
    out = results(workdir)
    found = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        if relative.parts[0] in ("logs", "benchmarks") or not path.is_file():
            continue
        if path.name.endswith((".tsv", ".tsv.gz")):
            found[str(relative)] = path.read_bytes()
    return found


def part_files(workdir: Path) -> list[Path]:
    """Every ``*.part`` (temporary file of an unfinished write) under results/, resources/."""
    found = []
    for top in ("results", "resources"):
        for folder, _, names in os.walk(workdir / top):
            found += [Path(folder) / name for name in names if name.endswith(".part")]
    return found


def dead_pid() -> int:
    """The id of a process that has ended (a writer that was killed)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def start(workdir: Path, configfile: Path, *args, log: str = "run.log") -> subprocess.Popen:
    """Snakemake as in conftest.snakemake, in the background, in its own process group (as
    a terminal runs it), its output in ``workdir/log``."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
               "--directory", str(workdir), "--configfile", str(configfile), "--cores", "2",
               "--show-failed-logs", *args]
    with open(workdir / log, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)


def running_outputs(workdir: Path) -> list[str]:
    """The outputs of the jobs running now: Snakemake marks a job's outputs incomplete
    when it starts the job and unmarks them when the job has finished."""
    folder = workdir / ".snakemake" / "incomplete"
    names = []
    for path in folder.iterdir() if folder.is_dir() else []:
        try:
            names.append(base64.urlsafe_b64decode(path.name).decode())
        except ValueError:  # a marker being written
            continue
    return names


def running_de_tables(workdir: Path) -> list[str]:
    """The DE tables of the deseq2 jobs running now that are past Python's start-up: their
    log (opened by run_script before the job's work) exists."""
    running = []
    for name in running_outputs(workdir):
        parts = Path(name).parts  # results/<study>/de/<region>/<contrast>.tsv
        if len(parts) == 5 and parts[2] == "de" and name.endswith(".tsv"):
            log = results(workdir) / "logs" / "deseq2" / f"{parts[3]}.{Path(name).stem}.log"
            if log.exists():
                running.append(name)
    return running


def job_processes(workdir: Path, rule: str) -> list[Path]:
    """The /proc folders of the running Python processes of ``rule``'s script jobs."""
    scripts = f"{workdir}/.snakemake/scripts/".encode()
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:  # the process has ended
            continue
        if any(w.startswith(scripts) and w.endswith(f".{rule}.py".encode()) for w in words):
            found.append(cmdline.parent)
    return found


def past_start_up(process: Path) -> bool:
    """Past Python's own start-up (site and the workflow's start-up hook have run): the
    script's imports have loaded numpy's compiled core. A Ctrl-C inside Python's start-up
    ends it with a traceback no Python code can catch; a test's signal must not land there."""
    try:
        return "_multiarray_umath" in (process / "maps").read_text()
    except OSError:  # the process has ended
        return False


def fail_run(run: subprocess.Popen, workdir: Path, why: str):
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    logs = "".join(path.read_text()[-3000:] for path in sorted(workdir.glob("*.log")))
    pytest.fail(f"{why}:\n{logs}")


def caught_running(workdir: Path) -> bool:
    """A deseq2 job is running its work, and every deseq2 job is past Python's start-up."""
    return bool(running_de_tables(workdir)) and all(
        past_start_up(job) for job in job_processes(workdir, "deseq2"))


def pause_when(workdir: Path, run: subprocess.Popen, state, what: str,
               timeout: float = 300) -> None:
    """Return with the run's whole process group stopped (SIGSTOP) while ``state(workdir)``
    holds, checked again once frozen: a signal sent now meets that state whatever the
    machine's speed. The caller sends its signal, then SIGCONT."""
    deadline = time.monotonic() + timeout
    while True:
        if run.poll() is not None:
            fail_run(run, workdir, f"the run ended before {what} could be caught")
        if time.monotonic() > deadline:
            fail_run(run, workdir, f"{what} was not seen within the timeout")
        if state(workdir):
            os.killpg(run.pid, signal.SIGSTOP)
            if state(workdir):  # still so, now frozen
                return
            os.killpg(run.pid, signal.SIGCONT)
        time.sleep(0.01)


def pause_during_deseq2(workdir: Path, run: subprocess.Popen) -> None:
    """Stopped while a deseq2 job is running, as its incomplete-output marker and log
    show, and no deseq2 job is inside Python's own start-up (see :func:`pause_when`)."""
    pause_when(workdir, run, caught_running, "a running deseq2 job")


def holds_lock(workdir: Path) -> bool:
    """A run holds Snakemake's lock (a file in .snakemake/locks/)."""
    locks = workdir / ".snakemake" / "locks"
    return locks.is_dir() and any(locks.glob("*.lock"))


@pytest.fixture(scope="module")
def reference(ci_run) -> Path:
    """The uninterrupted run: the session's finished demo run (read only; copy_of)."""
    workdir = ci_run[0]
    assert len(tables(workdir)) > 20
    return workdir


def copy_of(reference: Path, workdir: Path) -> Path:
    """The reference run's folder in ``workdir``, timestamps kept (conftest.copy_run)."""
    return copy_run(reference, workdir)


def without_de_fits(reference: Path, workdir: Path) -> Path:
    """A copy of the reference run whose NAc fits must be made again: ``--until overlap``
    there runs those two DESeq2 jobs (side by side on the two cores, so a signal meets
    both running) and the overlap."""
    copy_of(reference, workdir)
    remove_de_fits(workdir, "NAc")
    return workdir


# ---------------------------------------------------------------- interrupted runs

@pytest.mark.workflow
def test_killed_run_is_resumed_and_gives_identical_results(reference, tmp_path):
    """SIGKILL to the whole process group during DESeq2 (a power cut, an OOM killer, a
    cluster's wall-time kill): the lock stays, and the user is told to --unlock; a write
    cut off mid-way left a part file. The re-run finishes, its tables are byte-identical
    to the uninterrupted run's, and no part file remains."""
    configfile = without_de_fits(reference, tmp_path) / "config.yaml"
    user_file = tmp_path / "results" / "my_notes.txt"
    user_file.write_text("kept\n")
    run = start(tmp_path, configfile, *TARGET)
    pause_during_deseq2(tmp_path, run)
    tables_marked = running_de_tables(tmp_path)  # the deseq2 jobs caught running
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    assert run.returncode == -signal.SIGKILL
    # a table write cut off by the kill (too quick to hit by timing): a part file; and a
    # job killed after its first output: that output is there, the job's others are not
    out = results(tmp_path) / "de" / "NAc"
    out.mkdir(parents=True, exist_ok=True)
    stale = out / f".SNI_vs_sham.tsv.{dead_pid()}.part"
    stale.write_text("GeneID\tbaseMean\n1\t0.5")
    first_output = tmp_path / tables_marked[0]
    if not first_output.exists():
        first_output.write_text("GeneID\tbaseMean\n")

    done = snakemake(tmp_path, configfile, *TARGET, timeout=600)
    assert done.returncode != 0
    assert "Directory cannot be locked" in done.output, done.output[-3000:]
    assert "--unlock" in done.output and "kill signal" in done.output
    # without the project's profile (rerun-incomplete: true), Snakemake names the option
    unlocked = snakemake(tmp_path, configfile, *TARGET, "--unlock", timeout=120)
    assert unlocked.returncode == 0, unlocked.output[-3000:]
    bare = snakemake(tmp_path, configfile, *TARGET, "--workflow-profile", "none",
                     "--dry-run", timeout=120)
    assert bare.returncode != 0, bare.output[-3000:]
    assert "incomplete" in bare.output and "--rerun-incomplete" in bare.output, \
        bare.output[-3000:]
    assert tables_marked[0] in bare.output  # the file is named
    done = snakemake(tmp_path, configfile, *TARGET, timeout=600)
    assert done.returncode == 0, done.output[-5000:]
    assert tables(tmp_path) == tables(reference)
    assert part_files(tmp_path) == [], part_files(tmp_path)
    assert user_file.read_text() == "kept\n"


@pytest.mark.workflow
def test_ctrl_c_stops_cleanly_and_the_rerun_matches(reference, tmp_path):
    """SIGINT to the process group (Ctrl-C in a terminal): Snakemake stops, removes the
    unfinished outputs and its lock, without a traceback of ours; a plain re-run finishes
    and matches the uninterrupted run byte for byte."""
    configfile = without_de_fits(reference, tmp_path) / "config.yaml"
    run = start(tmp_path, configfile, *TARGET)
    pause_during_deseq2(tmp_path, run)
    os.killpg(run.pid, signal.SIGINT)  # delivered when the group continues
    os.killpg(run.pid, signal.SIGCONT)
    try:
        run.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        pytest.fail("Snakemake did not stop within 60 s of Ctrl-C")
    output = (tmp_path / "run.log").read_text()
    assert run.returncode != 0
    assert "Terminating processes on user request" in output, output[-3000:]
    # each running job says so in one line (run_script), no traceback
    assert "interrupted (Ctrl-C): this job's outputs were not written" in output, output[-3000:]
    assert "Traceback" not in output and "unexpected failure" not in output
    assert not list((tmp_path / ".snakemake" / "locks").glob("*")), "lock left behind"
    assert part_files(tmp_path) == []
    de_tables = tables(tmp_path)
    reference_tables = tables(reference)
    for name, content in de_tables.items():  # what was kept is complete, never half
        assert content == reference_tables[name], name
    done = snakemake(tmp_path, configfile, *TARGET, timeout=600)
    assert done.returncode == 0, done.output[-5000:]
    assert tables(tmp_path) == reference_tables
    assert part_files(tmp_path) == []


# ---------------------------------------------------------------- concurrent runs

def check_refused(output: str) -> None:
    """A run refused because another runs in the folder: Snakemake's lock message with its
    --unlock advice, or (started at the same instant, past Snakemake's check) the
    workflow's own run lock naming the other run."""
    if "Directory cannot be locked" in output:
        assert "no other Snakemake process" in output and "--unlock" in output, output[-3000:]
    else:
        assert "another run of study 'ci' is running in this folder" in output, output[-3000:]
    assert "Traceback" not in output


@pytest.mark.workflow
def test_run_started_while_another_runs_is_refused(reference, tmp_path):
    """A second run started once the first holds the lock: refused at once with
    Snakemake's lock message and the --unlock advice; the first finishes unharmed. (The
    first is held still, lock taken, while the second starts: it cannot finish first,
    however quick its jobs.)"""
    workdir = without_de_fits(reference, tmp_path)
    configfile = workdir / "config.yaml"
    first = start(workdir, configfile, *TARGET, log="first.log")
    pause_when(workdir, first, holds_lock, "the first run holding the lock")
    second = snakemake(workdir, configfile, *TARGET, timeout=300)
    os.killpg(first.pid, signal.SIGCONT)
    first.wait(timeout=600)
    assert second.returncode != 0
    check_refused(second.output)
    assert first.returncode == 0, (workdir / "first.log").read_text()[-3000:]
    assert tables(workdir) == tables(reference)
    assert part_files(workdir) == []
    assert not list((workdir / ".snakemake" / "locks").glob("*"))


@pytest.mark.workflow
def test_two_runs_started_at_the_same_instant(reference, tmp_path):
    """Two runs started together in one folder can both pass Snakemake's lock (its check
    and its lock files are two steps). What a user gets: exactly one run does the work,
    the other is refused, by Snakemake's lock or by the workflow's run lock (an flock,
    taken before any job starts), whichever order the race takes. While they run, no
    table under its final name is ever incomplete (atomic writes); at the end the tables
    equal the reference run's and no part file or lock is left."""
    configfile = without_de_fits(reference, tmp_path) / "config.yaml"
    first = start(tmp_path, configfile, *TARGET, log="first.log")
    second = start(tmp_path, configfile, *TARGET, log="second.log")
    reference_tables = tables(reference)
    seen_wrong = set()  # tables seen, under their final names, with other content
    while first.poll() is None or second.poll() is None:
        seen_wrong |= {name for name, content in tables(tmp_path).items()
                       if content != reference_tables.get(name)}
        time.sleep(0.05)
    assert seen_wrong == set()
    final = tables(tmp_path)
    outputs = [(tmp_path / name).read_text() for name in ("first.log", "second.log")]
    codes = [first.returncode, second.returncode]
    assert sorted(codes) == [0, 1], (codes, outputs[0][-2000:], outputs[1][-2000:])
    check_refused(outputs[codes.index(1)])
    assert final == reference_tables
    assert part_files(tmp_path) == []
    assert not list((tmp_path / ".snakemake" / "locks").glob("*"))


@pytest.mark.workflow
def test_run_lock_refuses_a_run_past_snakemakes_lock(tmp_path):
    """The case Snakemake's lock misses, made certain: another process of this study holds
    the run lock (as a run that started at the same instant does) and no lock file of
    Snakemake's exists. The run is refused before any job, naming that process; nothing is
    written and no lock file is left."""
    configfile = write_config(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from painstress.jobs import hold_run_lock; "
         f"hold_run_lock({str(tmp_path / '.snakemake')!r}, 'ci'); print('held', flush=True); "
         "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = snakemake(tmp_path, configfile, *TARGET, timeout=300)
    finally:
        holder.communicate(input="")
    assert done.returncode != 0
    assert f"another run of study 'ci' is running in this folder (process {holder.pid}" \
        in done.output, done.output[-3000:]
    assert not (tmp_path / "results").exists()
    assert not list((tmp_path / ".snakemake" / "locks").glob("*"))
    # the lock went with the process that held it: the next run (one short job) is not
    # refused by it
    again = snakemake(tmp_path, configfile, f"results/{STUDY}/datasets.tsv", timeout=300)
    assert again.returncode == 0, again.output[-3000:]


# ---------------------------------------------------------------- read-only output folder

@contextmanager
def read_only(folder: Path):
    """``folder`` made unwritable: chmod 0o555 for a normal user; as root (who ignores
    permissions) the immutable attribute (chattr +i), else a read-only bind mount."""
    if not IS_ROOT:
        folder.chmod(0o555)
        try:
            yield "chmod 0o555"
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(folder)],
                                                 capture_output=True).returncode == 0:
        try:
            yield "chattr +i"
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        return
    if subprocess.run(["mount", "--bind", str(folder), str(folder)],
                      capture_output=True).returncode == 0:
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
            yield "read-only bind mount"
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    pytest.skip("running as root, and neither chattr +i nor a read-only bind mount works "
                "here: no way to make a folder unwritable for root")


@pytest.mark.workflow
def test_read_only_output_folder_is_named_without_a_traceback(reference, tmp_path):
    """results/ci/de/NAc read-only (a user protecting a file kept there), its tables
    missing: the run stops with a message that names the folder and what to do; the other
    regions' tables and the user's file are unchanged.

    (An *empty* folder made immutable with chattr +i also ends in a traceback of Snakemake's
    own: its clean-up of empty output folders, dag.cleanup_workdir, cannot remove it.)"""
    workdir = copy_of(reference, tmp_path)
    folder = results(workdir) / "de" / "NAc"
    for path in folder.iterdir():
        path.unlink()
    user_file = folder / "my_notes.txt"
    user_file.write_text("kept\n")
    before = tables(workdir)
    with read_only(folder) as how:
        done = snakemake(workdir, workdir / "config.yaml", *TARGET, timeout=300)
    print("read-only by", how)
    assert done.returncode != 0
    assert f"cannot write to results/{STUDY}/de/NAc/ (Permission denied" in done.output or \
        f"cannot write to results/{STUDY}/de/NAc/ (Operation not permitted" in done.output, \
        done.output[-4000:]
    assert "chmod u+w" in done.output
    assert "Traceback" not in done.output and "unexpected failure" not in done.output
    assert tables(workdir) == before  # nothing else lost
    assert user_file.read_text() == "kept\n"
    assert part_files(workdir) == []


@pytest.mark.workflow
def test_results_folder_read_only_is_named(reference, tmp_path):
    """The whole results/<study>/ read-only before a run: Snakemake itself cannot create the
    output folders; the user sees which folder."""
    workdir = copy_of(reference, tmp_path)
    shutil.rmtree(results(workdir) / "de")
    before = tables(workdir)
    with read_only(results(workdir)):
        done = snakemake(workdir, workdir / "config.yaml", *TARGET, timeout=300)
    assert done.returncode != 0
    assert f"Failed to create output directory results/{STUDY}/de/" in done.output, \
        done.output[-4000:]
    assert "Traceback" not in done.output
    assert "Permission denied" in done.output or "Operation not permitted" in done.output, \
        done.output[-4000:]
    assert tables(workdir) == before


def test_file_where_a_folder_must_be_is_named(tmp_path):
    """A file named like an output folder (another technique for an unwritable folder)."""
    (tmp_path / "de").write_text("a user's file\n")
    with pytest.raises(OutputError, match="a file is in the way") as caught:
        write_tsv(pd.DataFrame({"a": [1]}), tmp_path / "de" / "NAc" / "x.tsv")
    assert str(tmp_path / "de" / "NAc" / "x.tsv") in str(caught.value)
    assert (tmp_path / "de").read_text() == "a user's file\n"


# ---------------------------------------------------------------- full disk

def big_table(rows: int = 20_000) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"GeneID": np.arange(rows), "log2FoldChange": rng.normal(size=rows),
                         "pvalue": rng.uniform(size=rows)})


@contextmanager
def small_disk(folder: Path):
    """A 64 kB tmpfs mounted on ``folder`` (a disk that fills up); skip where mounting is
    refused (not root)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); the monkeypatched "
                    "tests cover ENOSPC")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def full_disk(tmp_path):
    with small_disk(tmp_path / "small_disk") as folder:
        yield folder


class NoSpaceFile(io.RawIOBase):
    """A file whose writes fail with ENOSPC once ``room`` bytes are written (and written
    to the real file, so that a part file exists to be cleaned up)."""

    def __init__(self, path, room: int):
        self.real = open(path, "wb")  # noqa: SIM115 - closed in close()
        self.room = room

    def writable(self):
        return True

    def write(self, data):
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), self.real.name)
        self.room -= len(data)
        return self.real.write(data)

    def close(self):
        self.real.close()
        super().close()


def no_space_open(room: int):
    """A replacement for ``open`` in a module: binary writes go to a NoSpaceFile."""
    def fake_open(path, mode="r", *args, **kwargs):
        if "w" not in mode:
            return open(path, mode, *args, **kwargs)
        raw = NoSpaceFile(path, room)
        if "b" in mode:
            return raw
        return io.TextIOWrapper(io.BufferedWriter(raw), encoding=kwargs.get("encoding"),
                                newline=kwargs.get("newline"))
    return fake_open


def check_no_space_message(error: BaseException, path: Path) -> None:
    message = str(error)
    assert message.startswith(f"no space left on {path.parent}/"), message
    assert str(path) in message and "free space" in message and "folder with room" in message


@pytest.mark.parametrize("name", ["table.tsv", "table.tsv.gz"])
def test_write_tsv_on_a_full_disk_monkeypatched(tmp_path, monkeypatch, name):
    """ENOSPC from the write (the lowest write call replaced): a clear OutputError naming
    the file, no part file, and the earlier version of the table kept intact."""
    path = tmp_path / name
    write_tsv(pd.DataFrame({"a": [1, 2]}), path)
    earlier = path.read_bytes()
    monkeypatch.setattr(files, "open", no_space_open(room=4096), raising=False)
    with pytest.raises(OutputError) as caught:
        write_tsv(big_table(), path)
    check_no_space_message(caught.value, path)
    assert path.read_bytes() == earlier
    assert list(tmp_path.glob("*.part")) + list(tmp_path.glob(".*.part")) == []


@pytest.mark.parametrize("name", ["table.tsv", "table.tsv.gz"])
def test_write_tsv_on_a_real_full_disk(full_disk, name):
    path = full_disk / name
    write_tsv(pd.DataFrame({"a": [1, 2]}), path)
    earlier = path.read_bytes()
    with pytest.raises(OutputError) as caught:
        write_tsv(big_table(200_000), path)
    check_no_space_message(caught.value, path)
    assert path.read_bytes() == earlier
    assert sorted(p.name for p in full_disk.iterdir()) == [name]


class FakeResponse:
    def __init__(self, body: bytes, chunk: int = 1 << 14, fail_after: int | None = None):
        self.body, self.chunk, self.fail_after = body, chunk, fail_after
        self.url = "https://example.org/GSE1_counts.tsv.gz"
        self.headers = {"Content-Length": str(len(body))}
        self.history = []  # no redirects
        self.raw = self

    def stream(self, size, decode_content=False):
        for start in range(0, len(self.body), self.chunk):
            if self.fail_after is not None and start >= self.fail_after:
                raise KeyboardInterrupt  # the process is stopped mid-download
            yield self.body[start:start + self.chunk]


class FakeClient:
    def __init__(self, response):
        self.response = response

    def get(self, url, params=None, stream=False, method="GET"):
        return self.response


def gz_body(rows: int) -> bytes:
    return gzip.compress(big_table(rows).to_csv(sep="\t", index=False).encode(), mtime=0)


def no_check(path):
    return None


def test_download_on_a_full_disk_monkeypatched(tmp_path, monkeypatch):
    """ENOSPC while streaming a download: OutputError naming the file, no part file, the
    earlier copy and its provenance untouched."""
    dest = tmp_path / "GSE1_counts.tsv.gz"
    http.download(FakeClient(FakeResponse(gz_body(10))), "u", dest, no_check)
    earlier = dest.read_bytes(), http.provenance_path(dest).read_bytes()
    monkeypatch.setattr(http, "open", no_space_open(room=1 << 14), raising=False)
    with pytest.raises(OutputError) as caught:
        http.download(FakeClient(FakeResponse(gz_body(20_000))), "u", dest, no_check)
    assert not isinstance(caught.value, http.FetchError)  # not a network problem
    check_no_space_message(caught.value, dest)
    assert (dest.read_bytes(), http.provenance_path(dest).read_bytes()) == earlier
    assert part_names(tmp_path) == []


def part_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_download_on_a_real_full_disk(full_disk):
    dest = full_disk / "GSE1_counts.tsv.gz"
    with pytest.raises(OutputError) as caught:
        http.download(FakeClient(FakeResponse(gz_body(200_000))), "u", dest, no_check)
    check_no_space_message(caught.value, dest)
    assert list(full_disk.iterdir()) == []


@pytest.mark.workflow
def test_full_disk_during_a_run_is_one_clear_line(reference, tmp_path):
    """A real 64 kB disk mounted on results/ci/de/NAc (a user's file kept there): the DESeq2
    jobs stop with 'no space left on <folder>' naming the table, no traceback, no part
    file; the user's file and the other tables unchanged."""
    workdir = copy_of(reference, tmp_path)
    folder = results(workdir) / "de" / "NAc"
    shutil.rmtree(folder)
    with small_disk(folder):
        user_file = folder / "my_notes.txt"
        user_file.write_text("kept\n")
        before = tables(workdir)
        done = snakemake(workdir, workdir / "config.yaml", *TARGET, timeout=300)
        assert done.returncode != 0
        assert f"no space left on results/{STUDY}/de/NAc/" in done.output, done.output[-4000:]
        assert f"results/{STUDY}/de/NAc/SNI_vs_sham.tsv" in done.output
        assert "folder with room" in done.output
        assert "Traceback" not in done.output and "unexpected failure" not in done.output
        assert part_files(workdir) == []
        assert tables(workdir) == before
        assert user_file.read_text() == "kept\n"


# ---------------------------------------------------------------- run_script

def fake_snakemake(tmp_path: Path):
    return SimpleNamespace(log=[str(tmp_path / "logs" / "job.log")])


@pytest.mark.parametrize("error", [
    OutputError("no space left on results/ci/de/ (device full while writing x.tsv)"),
    OSError(errno.ENOSPC, "No space left on device", "results/ci/figures/pca.png"),
])
def test_run_script_prints_one_line_for_a_full_disk(tmp_path, capsys, error):
    def main(snakemake):
        raise error

    with pytest.raises(SystemExit) as stopped:
        run_script(main, fake_snakemake(tmp_path))
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "no space left on results/ci/" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "no space left on" in (tmp_path / "logs" / "job.log").read_text()


def test_run_script_names_an_unwritable_log_folder(tmp_path, capsys):
    (tmp_path / "logs").write_text("a file where the log folder must be\n")

    def main(snakemake):
        raise AssertionError("must not run")

    with pytest.raises(SystemExit) as stopped:
        run_script(main, fake_snakemake(tmp_path))
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert "a file is in the way" in err and str(tmp_path / "logs") in err, err
    assert "Traceback" not in err


def test_run_script_still_shows_a_traceback_for_a_bug(tmp_path, capsys):
    def main(snakemake):
        raise OSError(errno.EACCES, "Permission denied", "resources/input.tsv")  # a read

    with pytest.raises(OSError):
        run_script(main, fake_snakemake(tmp_path))
    assert "unexpected failure" in capsys.readouterr().err


def test_run_script_ctrl_c_is_one_line(tmp_path, capsys):
    def main(snakemake):
        raise KeyboardInterrupt

    try:
        run_script(main, fake_snakemake(tmp_path))
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped run_script: a traceback on the terminal")
    except SystemExit as stopped:
        assert stopped.code == 130
    else:
        pytest.fail("run_script returned after Ctrl-C")
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


# ---------------------------------------------------------------- parts left by killed writers

def test_part_left_by_a_killed_write_tsv_is_removed_and_never_trusted(tmp_path):
    path = tmp_path / "de.tsv"
    stale = tmp_path / f".de.tsv.{dead_pid()}.part"
    stale.write_text("GeneID\tpvalue\n1\t0.")  # cut off mid-row
    write_tsv(pd.DataFrame({"GeneID": [1, 2], "pvalue": [0.5, 0.25]}), path)
    assert not stale.exists()
    assert path.read_text() == "GeneID\tpvalue\n1\t0.5\n2\t0.25\n"
    assert part_names(tmp_path) == []


def test_part_of_a_writer_still_running_is_left_alone(tmp_path):
    """Another live process's part (our parent's pid here) is not deleted under it."""
    alive = tmp_path / f".de.tsv.{os.getppid()}.part"
    alive.write_text("in progress")
    other = tmp_path / ".other.tsv.12.part"  # another file's part: not ours to judge
    other.write_text("x")
    assert remove_stale_parts(tmp_path / "de.tsv") == []
    write_tsv(pd.DataFrame({"a": [1]}), tmp_path / "de.tsv")
    assert alive.read_text() == "in progress" and other.exists()


def test_write_tsv_interrupted_mid_write_leaves_no_part(tmp_path, monkeypatch):
    path = tmp_path / "t.tsv.gz"
    write_tsv(pd.DataFrame({"a": [1]}), path)
    earlier = path.read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_tsv(big_table(), path)
    assert path.read_bytes() == earlier and part_names(tmp_path) == []


def test_download_killed_mid_way_leaves_nothing_a_rerun_trusts(tmp_path):
    """A download stopped mid-stream leaves no data file, no provenance, no part; parts of
    an earlier killed download (data and provenance) are removed by the next download."""
    dest = tmp_path / "GSE1_counts.tsv.gz"
    body = gz_body(5000)
    with pytest.raises(KeyboardInterrupt):
        http.download(FakeClient(FakeResponse(body, fail_after=len(body) // 2)), "u", dest,
                      no_check)
    assert list(tmp_path.iterdir()) == []
    pid = dead_pid()
    for stale in (f".{dest.name}.{pid}.part", f".{dest.name}.{pid}.json.part"):
        (tmp_path / stale).write_bytes(body[:100])
    record = http.download(FakeClient(FakeResponse(body)), "u", dest, no_check)
    assert dest.read_bytes() == body and record["size"] == len(body)
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        [dest.name, http.provenance_path(dest).name]


def test_download_refused_by_validation_leaves_the_earlier_copy(tmp_path):
    dest = tmp_path / "GSE1_counts.tsv.gz"
    http.download(FakeClient(FakeResponse(gz_body(10))), "u", dest, no_check)
    earlier = dest.read_bytes()

    def refuse(path):
        raise InputError(f"{path}: not the expected columns")

    with pytest.raises(http.FetchError, match="not usable"):
        http.download(FakeClient(FakeResponse(gz_body(20))), "u", dest, refuse)
    assert dest.read_bytes() == earlier and part_names(tmp_path) == []
