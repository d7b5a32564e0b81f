"""The demo workflow on a real one-node SLURM cluster, through the SLURM executor plugin.

Starts munged, slurmctld and slurmd on this machine (tests/slurm/local_slurm.py; installed
with apt-get first when missing, which needs root), runs the CI-sized demo with
``--workflow-profile profiles/slurm`` (the command docs/cluster.md gives users) up to one
region's fits, its VST and a figure, and compares it with the session's local run of the
whole workflow (conftest.ci_run): every non-local job ran as a SLURM job that asked for its
rule's threads, mem_mb and runtime, and the tables are byte-identical. A second run takes
config/demo_reads.yaml (shrunk) up to three runs' salmon quantifications: every
salmon_quant job was a SLURM job asking for reads.threads and reads.mem_mb, the local rules
were not. The two runs go at the same time on the one cluster.
Every daemon it started is stopped by PID at the end, pass or fail.

Without root and apt (a developer laptop) and without SLURM installed, it skips and says
why; in CI (``CI`` set) it fails instead, so that it can never be skipped there unseen.
Run it alone with ``pytest tests/test_slurm.py -s -n 0`` to see the job table and timings.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, STUDY, write_config
from slurm.local_slurm import LocalSlurm, Unavailable, ensure_installed

# one worker runs this whole module: one cluster, started once (conftest: -n 2)
pytestmark = [pytest.mark.slurm, pytest.mark.workflow, pytest.mark.xdist_group("slurm")]

PROFILE = REPO / "profiles" / "slurm"
STEADY_STATUS = Path(__file__).parent / "slurm" / "steady_status.py"
PARTITION = "pstest"
# CPUs the test node offers: more than this machine's two, so that jobs asking for one or
# two CPUs run side by side as on a cluster node instead of queueing one after another
# (the test checks what each job asks for, not how fast it runs; the jobs are small).
NODE_CPUS = 8
RUN_TIMEOUT = 900  # seconds, for each Snakemake run
# Options for this test cluster only: it has no accounting database, so the plugin must
# poll squeue (slurm.conf keeps finished jobs visible for an hour) instead of sacct, which
# would fail here, and which plugin 2.8.0 then waits on forever without a word; and there
# are no accounts to look up. Status checks start sooner and come more often than the
# defaults, which suit a busy real cluster, not a test (and at a steady pace: see
# snakemake_command).
TEST_OPTIONS = ["--slurm-status-command", "squeue", "--slurm-no-account",
                "--slurm-init-seconds-before-status-checks", "2",
                "--seconds-between-status-checks", "3"]
# What squeue shows of each job: id, comment (rule and wildcards), state, partition,
# CPUs, memory, time limit, time used, node.
SQUEUE_FORMAT = "%i|%k|%T|%P|%C|%m|%l|%M|%N"
# The cluster run makes one region's two fits and one job of each other kind (VST, a figure
# job: the library sizes, drawn beside the fits, not after them): 6 SLURM jobs. Every
# rule's jobs behave alike under SLURM (each SLURM job starts Snakemake again, about 2 CPU
# seconds of a 2-core test machine), and the whole workflow is what the local run covers.
TARGETS = ["de/NAc/SNI_vs_sham.tsv", "de/NAc/CUS_vs_control.tsv", "qc/NAc.vst.tsv.gz",
           "figures/library_sizes.png"]
COMPARED = ["de/NAc/*.tsv", "qc/NAc.vst.tsv.gz", "samples.tsv", "genes.tsv"]


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the SLURM test, but: {reason}")
    pytest.skip(reason)


class Run:
    """``command`` started in its own process group, its output written to ``log``; the
    two cluster runs go at once (each mostly waits on SLURM's scheduling and the plugin's
    status checks, so together they take little longer than the longer one)."""

    def __init__(self, command: list, log: Path, *, env=None):
        self.command, self.log = command, log
        self.started, self.ended = time.monotonic(), None
        with open(log, "w") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                            text=True, env=env, start_new_session=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # Snakemake cancels its SLURM jobs
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def result(self, timeout: float = RUN_TIMEOUT):
        """(exit code, output, seconds); on timeout, stop the run's group and fail."""
        try:
            self.process.wait(timeout=max(1.0, self.started + timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            pytest.fail(f"timed out after {timeout} s: {' '.join(map(str, self.command))}\n"
                        f"{self.log.read_text()[-6000:]}")
        seconds = (self.ended or time.monotonic()) - self.started
        return self.process.returncode, self.log.read_text(), seconds


def wait_for_all(runs: list[Run], timeout: float = RUN_TIMEOUT) -> None:
    """Return when every run has ended (or the timeout has passed), noting when each ended."""
    while time.monotonic() < min(run.started for run in runs) + timeout:
        for run in runs:
            if run.ended is None and run.process.poll() is not None:
                run.ended = time.monotonic()
        if all(run.ended is not None for run in runs):
            return
        time.sleep(0.5)


def snakemake_command(workdir: Path, configfile: Path, *args) -> list:
    """Snakemake, its status checks at TEST_OPTIONS' pace (tests/slurm/steady_status.py)."""
    return [sys.executable, str(STEADY_STATUS), "--snakefile", str(REPO / "Snakefile"),
            "--directory", str(workdir), "--configfile", str(configfile), *args]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        unavailable("the SLURM test starts slurmd and installs SLURM with apt-get: "
                    "it needs Linux and root (CI has both)")
    try:
        print(ensure_installed())
    except Unavailable as reason:
        unavailable(str(reason))
    started = time.monotonic()
    slurm = LocalSlurm(tmp_path_factory.mktemp("slurm"), partition=PARTITION,
                       cpus=NODE_CPUS).start()
    print(f"SLURM up in {time.monotonic() - started:.1f} s, PIDs {slurm.pids()}, "
          f"{slurm.cpus} CPUs, {slurm.memory_mb} MB; SLURM_CONF={slurm.conf}")
    yield slurm
    print("\n".join(slurm.stop()))


@pytest.fixture(scope="module")
def cluster_runs(cluster, tmp_path_factory):
    """Both cluster runs, started together on the one cluster: the CI-sized demo (as
    docs/cluster.md says, plus TEST_OPTIONS) and the reads demo (reads_cluster_run)."""
    from test_reads import ensure_salmon

    ensure_salmon()
    # The partition comes from sbatch's own variable, read by the profile.
    env = {**cluster.env, "SBATCH_PARTITION": PARTITION}
    workdir = tmp_path_factory.mktemp("cluster")
    reads_workdir = tmp_path_factory.mktemp("cluster_reads")
    runs = {
        "demo": (workdir, Run(snakemake_command(
            workdir, write_config(workdir), "--workflow-profile", str(PROFILE), *TEST_OPTIONS,
            *(f"results/{STUDY}/{target}" for target in TARGETS)),
            workdir / "snakemake.out", env=env)),
        "reads": (reads_workdir, Run(snakemake_command(
            reads_workdir, write_reads_config(reads_workdir), "--workflow-profile",
            str(PROFILE), *TEST_OPTIONS, "--max-threads", str(cluster.cpus),
            *(f"results/{READS_STUDY}/reads/salmon/{run}/quant.sf" for run in READS_RUNS)),
            reads_workdir / "snakemake.out", env=env)),
    }
    try:
        wait_for_all([started for _, started in runs.values()])
        return {name: (folder, *started.result()) for name, (folder, started) in runs.items()}
    finally:
        for _, started in runs.values():
            started.stop()


@pytest.fixture(scope="module")
def cluster_run(cluster, cluster_runs):
    """The CI-sized demo through SLURM up to TARGETS. (Not waiting for ci_run, the local
    run it is compared with: that one is made meanwhile, on another worker.)"""
    workdir, code, output, seconds = cluster_runs["demo"]
    run_id = re.search(r"SLURM run ID: (\S+)", output)
    jobs = cluster.client(["squeue", "--states=all", "--sort=i", "-o", SQUEUE_FORMAT,
                           *(["--name", run_id.group(1)] if run_id else [])]).stdout
    report = workdir / "slurm_jobs.txt"
    report.write_text(f"$ squeue --states=all -o '{SQUEUE_FORMAT}'\n{jobs}\n"
                      f"--- job completion log ({cluster.logs / 'jobcomp.txt'}) ---\n"
                      f"{_read(cluster.logs / 'jobcomp.txt')}")
    print(f"\nSLURM jobs of this run ({report}):\n{jobs}")
    timing = f"SLURM {seconds:.0f} s ({cluster.cpus} CPUs, beside the reads run)"
    assert code == 0, (f"cluster run failed (exit {code})\n{output[-6000:]}\n"
                       f"{_slurm_logs(workdir)}\n{cluster.log_tails()}")
    return workdir, output, jobs, timing


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else "(none)\n"


def _slurm_logs(workdir: Path, lines: int = 30) -> str:
    parts = []
    for path in sorted((workdir / ".snakemake" / "slurm_logs").rglob("*.log")):
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        parts.append(f"--- {path} ---\n" + "\n".join(tail))
    return "\n".join(parts)


def submitted_jobs(output: str) -> tuple[dict, list]:
    """SLURM job id -> what Snakemake asked for; and the rules Snakemake ran locally.

    Reads Snakemake's own log: each job's block (``rule deseq2:`` ... ``threads: 1``,
    ``resources: ..., mem_mb=1000, ..., runtime=20``) and ``Job 7 has been submitted with
    SLURM jobid 3``.
    """
    blocks, current, local = {}, None, []
    submitted = {}
    for line in output.splitlines():
        header = re.match(r"^(local)?(rule|checkpoint) (\w+):$", line)
        if header:
            current = {"rule": header.group(3), "threads": 1, "local": bool(header.group(1))}
            if current["local"]:
                local.append(current["rule"])
            continue
        field = re.match(r"^    (jobid|threads|resources|wildcards): (.*)$", line)
        if current is not None and field:
            key, value = field.groups()
            if key == "resources":
                pairs = (item.split("=", 1) for item in value.split(", ") if "=" in item)
                current["resources"] = dict(pairs)
            elif key in ("jobid", "threads"):
                current[key] = int(value)
            else:
                current[key] = value
            if key == "jobid":
                blocks[current["jobid"]] = current
            continue
        submission = re.search(r"Job (\d+) has been submitted with SLURM jobid (\d+)", line)
        if submission:
            job = blocks[int(submission.group(1))]
            submitted[submission.group(2)] = dict(job)
    return submitted, local


def squeue_rows(table: str) -> dict:
    lines = table.strip().splitlines()
    names = lines[0].split("|")
    return {row["JOBID"]: row for row in (dict(zip(names, line.split("|")))
                                          for line in lines[1:])}


def time_limit(minutes: int) -> str:
    """A runtime in minutes as squeue prints a time limit."""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    text = f"{hours}:{mins:02d}:00" if hours or days else f"{mins}:00"
    return f"{days}-{hours:02d}:{mins:02d}:00" if days else text


def test_every_job_but_local_rules_ran_as_a_slurm_job(cluster_run):
    _, output, jobs, _ = cluster_run
    submitted, local = submitted_jobs(output)
    rows = squeue_rows(jobs)
    print(f"{len(submitted)} SLURM jobs; run locally: {', '.join(local)}")
    assert submitted, output[-3000:]
    assert set(rows) == set(submitted), (sorted(rows), sorted(submitted))
    assert all(row["STATE"] == "COMPLETED" for row in rows.values()), jobs
    assert all(row["NODELIST"] == "localhost" for row in rows.values()), jobs
    # the download rules stay on the submitting machine
    assert set(local) == {"resolve_datasets"}, local
    assert not any("resolve_datasets" in row["COMMENT"] for row in rows.values())
    # every rule that Snakemake ran was a SLURM job: the fits, the VST and a figure among them
    ran = set(re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", output))
    assert ran - set(local) == {job["rule"] for job in submitted.values()}
    assert {"deseq2", "vst", "library_sizes_figure"} <= ran, ran


def test_each_slurm_job_asked_for_its_rules_threads_memory_and_runtime(cluster_run):
    _, output, jobs, _ = cluster_run
    submitted, _ = submitted_jobs(output)
    rows = squeue_rows(jobs)
    for slurm_id, job in submitted.items():
        row, asked = rows[slurm_id], job["resources"]
        seen = (row["CPUS"], row["MIN_MEMORY"], row["TIME_LIMIT"], row["PARTITION"])
        wanted = (str(job["threads"]), f"{asked['mem_mb']}M",
                  time_limit(int(asked["runtime"])), PARTITION)
        assert seen == wanted, (f"SLURM job {slurm_id} ({job['rule']}): CPUs, memory, time, "
                                f"partition {seen} != {wanted}\n{jobs}")
        assert row["COMMENT"].startswith(f"rule_{job['rule']}"), row
        # the partition reached the plugin through the profile (SBATCH_PARTITION)
        assert asked.get("slurm_partition") == PARTITION, asked


def test_cluster_tables_equal_local_tables(cluster_run, ci_run):
    local = ci_run[0] / "results" / STUDY
    cluster = cluster_run[0] / "results" / STUDY
    compared = sorted({path for pattern in COMPARED for path in local.glob(pattern)})
    assert len(compared) >= 7, compared  # two fits (table, summary), VST, samples, genes
    for path in compared:  # each one made by the cluster run, and the same bytes
        other = cluster / path.relative_to(local)
        assert other.read_bytes() == path.read_bytes(), f"{other} differs from {path}"
    for target in TARGETS:
        assert (cluster / target).stat().st_size > 0, target


def test_daemons_are_ours_and_running(cluster):
    """Sanity of the fixture itself: the PIDs it will stop are the cluster's daemons."""
    for name, pid in cluster.pids().items():
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
        assert Path(command).name == name, (name, pid, command)


def test_show_the_slurm_jobs_and_timings(cluster_run, ci_run, capsys):
    """Into the test log even when everything passes (no -s needed): the job table."""
    workdir, _, jobs, timing = cluster_run
    timing = f"wall time, CI-sized demo: local --cores 2 {ci_run.seconds:.0f} s, {timing}"
    (workdir / "timings.txt").write_text(timing + "\n")
    with capsys.disabled():
        print(f"\n--- SLURM jobs of the cluster run (also in {workdir / 'slurm_jobs.txt'}) ---\n"
              f"{jobs}{timing}")


# --- counts from reads on the cluster ------------------------------------------------------
# config/demo_reads.yaml, shrunk (2 replicates, a 100-gene transcriptome, 5,000 reads a run)
# and up to three runs' salmon quantifications: the demo numbers its runs from SRR0900001,
# and the first sample has two (technical replicates), so these are one sample's two runs
# and the next sample's run. Each is a simulate_fastq (local, as the download it stands in
# for) and a salmon_quant SLURM job; salmon_quant asks for 2 threads and 600 MB
# (reads.threads, reads.mem_mb), so a wrong request shows; --max-threads keeps the
# 8-thread index job within this node (a real cluster has the cores).
READS_STUDY = "slurm_reads"
READS_RUNS = ["SRR0900001", "SRR0900002", "SRR0900003"]


def write_reads_config(folder: Path) -> Path:
    import yaml

    config = yaml.safe_load((REPO / "config" / "demo_reads.yaml").read_text())
    config["study"]["name"] = READS_STUDY
    config["simulate"].update(min_replicates=2, max_replicates=2)
    config["reads"].update(threads=2, mem_mb=600,
                           simulate={"genes": 100, "reads_per_sample": 5000})
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def reads_cluster_run(cluster, cluster_runs):
    """config/demo_reads.yaml through the SLURM profile, up to READS_RUNS' quantifications."""
    workdir, code, output, seconds = cluster_runs["reads"]
    run_id = re.search(r"SLURM run ID: (\S+)", output)
    jobs = cluster.client(["squeue", "--states=all", "--sort=i", "-o", SQUEUE_FORMAT,
                           *(["--name", run_id.group(1)] if run_id else [])]).stdout
    (workdir / "slurm_jobs.txt").write_text(jobs)
    print(f"\nSLURM jobs of the reads run ({seconds:.0f} s):\n{jobs}")
    assert code == 0, (f"cluster reads run failed (exit {code})\n{output[-6000:]}\n"
                       f"{_slurm_logs(workdir)}\n{cluster.log_tails()}")
    return workdir, output, jobs


def test_reads_salmon_jobs_ran_on_slurm_downloads_did_not(reads_cluster_run):
    workdir, output, jobs = reads_cluster_run
    submitted, local = submitted_jobs(output)
    rows = squeue_rows(jobs)
    assert set(rows) == set(submitted), (sorted(rows), sorted(submitted))
    assert all(row["STATE"] == "COMPLETED" for row in rows.values()), jobs
    header, *runs = [line.split("\t") for line in
                     (workdir / "results" / READS_STUDY / "runs.tsv").read_text().splitlines()]
    sample = {row[header.index("run")]: row[header.index("sample")] for row in runs}
    assert sample[READS_RUNS[0]] == sample[READS_RUNS[1]] != sample[READS_RUNS[2]], sample
    quants = {job["wildcards"].removeprefix("run="): (slurm_id, job)
              for slurm_id, job in submitted.items() if job["rule"] == "salmon_quant"}
    assert set(quants) == set(READS_RUNS), sorted(quants)
    for run_id, (slurm_id, job) in quants.items():
        row = rows[slurm_id]
        assert (row["CPUS"], row["MIN_MEMORY"]) == ("2", "600M"), (run_id, row)
        assert job["threads"] == 2 and job["resources"]["mem_mb"] == "600", job
        assert row["COMMENT"] == f"rule_salmon_quant_wildcards_{run_id}", row
        quant = workdir / "results" / READS_STUDY / "reads" / "salmon" / run_id / "quant.sf"
        assert quant.stat().st_size > 0
    # the index job's 8 threads were fitted to the node; the run table, the tool check and
    # the FASTQ files (where real data would be downloaded) stayed on the submitting machine
    assert "salmon_index" in {job["rule"] for job in submitted.values()}
    assert {"reads_tools", "read_runs", "resolve_datasets", "simulate_fastq"} <= set(local)
    assert not any(rule in row["COMMENT"] for row in rows.values()
                   for rule in ("reads_tools", "read_runs", "resolve_datasets", "simulate_fastq"))
