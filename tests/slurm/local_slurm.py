"""A real one-node SLURM cluster on this machine, for tests/test_slurm.py.

``ensure_installed()`` installs SLURM and MUNGE with apt-get when they are missing (root and
apt only; otherwise it raises ``Unavailable`` with the reason). ``LocalSlurm(folder)``
starts our own ``munged``, ``slurmctld`` and ``slurmd`` in the foreground as child
processes of this one, with every file (key, socket, config, state, spool, logs) under
``folder``, and stops exactly those processes, by PID, in ``stop()``. LocalSlurm reads
and writes nothing under /etc (an existing /etc/slurm or /etc/munge stays as it is): daemons
get ``-f folder/slurm.conf``, clients ``SLURM_CONF`` through ``LocalSlurm.env``.

Also usable by hand, to poke at the cluster while developing::

    python tests/slurm/local_slurm.py /tmp/myslurm   # starts it, prints SLURM_CONF, waits
"""
from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]
DAEMONS = ["munged", "mungekey", "slurmctld", "slurmd"]
CLIENTS = ["sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel"]
TEMPLATE = Path(__file__).with_name("slurm.conf.in")
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin"])


class Unavailable(Exception):
    """SLURM cannot be had on this machine; the message says why."""


def which(name: str) -> str | None:
    return shutil.which(name, path=SEARCH_PATH)


def missing_programs() -> list[str]:
    return [name for name in DAEMONS + CLIENTS if which(name) is None]


def ensure_installed(timeout: float = 900) -> str:
    """Install SLURM and MUNGE with apt-get if any program is missing; say what was done."""
    missing = missing_programs()
    if not missing:
        return "SLURM and MUNGE already installed"
    if not sys.platform.startswith("linux"):
        raise Unavailable(f"SLURM test needs Linux (missing: {', '.join(missing)})")
    if os.geteuid() != 0:
        raise Unavailable(f"missing {', '.join(missing)}; installing {' '.join(PACKAGES)} "
                          "needs root (CI runs as root)")
    if which("apt-get") is None:
        raise Unavailable(f"missing {', '.join(missing)} and no apt-get to install them")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends",
               "-o", "DPkg::Lock::Timeout=120", *PACKAGES]
    started = time.monotonic()
    before = daemon_pids()
    try:
        done = _run(install, env=env, timeout=timeout)
        if done.returncode != 0:  # stale or empty package lists on a fresh machine
            update = _run(["apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=120"],
                          env=env, timeout=timeout)
            done = _run(install, env=env, timeout=timeout)
            if done.returncode != 0:
                raise Unavailable(f"apt-get install {' '.join(PACKAGES)} failed:\n"
                                  f"{update.stdout[-1500:]}\n{done.stdout[-3000:]}")
    finally:
        # Where no policy-rc.d forbids it, the packages' scripts start system daemons:
        # stop those, by PID, as the install brought them.
        after = daemon_pids()
        stopped = [f"{after[pid]} (PID {_stop_pid(pid)})"
                   for pid in sorted(set(after) - set(before))]
    still = missing_programs()
    if still:
        raise Unavailable(f"after apt-get install, still missing: {', '.join(still)}")
    note = f"; stopped daemons the packages started: {', '.join(stopped)}" if stopped else ""
    return (f"installed {' '.join(PACKAGES)} with apt-get in "
            f"{time.monotonic() - started:.0f} s{note}")


def daemon_pids() -> dict[int, str]:
    """PID -> name of every detached (parent PID 1) munged, slurmctld, slurmd or slurmdbd.

    LocalSlurm's own daemons are children of this process, so never among them.
    """
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if name in ("munged", "slurmctld", "slurmd", "slurmdbd") and parent == 1:
                found[int(entry.name)] = name
    return found


def _stop_pid(pid: int) -> str:
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(40):
            time.sleep(0.25)
            os.kill(pid, 0)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return str(pid)


def _run(command, *, timeout: float, env=None, check=False) -> subprocess.CompletedProcess:
    """A subprocess with a hard timeout; stdout and stderr together in ``.stdout``."""
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"timed out after {timeout} s: {' '.join(map(str, command))}\n"
                           f"{error.output or ''}") from None
    if check and done.returncode != 0:
        raise RuntimeError(f"exit {done.returncode}: {' '.join(map(str, command))}\n"
                           f"{done.stdout}")
    return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _memory_mb() -> int:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


class LocalSlurm:
    """munged + slurmctld + slurmd on 127.0.0.1, node ``localhost``, one partition."""

    def __init__(self, folder: Path, partition: str = "pstest", min_job_age: int = 3600,
                 cpus: int | None = None):
        """``cpus``: CPUs the node offers (default: this machine's). More than the machine
        has lets jobs that each ask for several run side by side, as on a real cluster's
        node, rather than queue behind one another (slurmd takes the configured count)."""
        self.folder = Path(folder)
        self.partition = partition
        self.min_job_age = min_job_age
        self.conf = self.folder / "slurm.conf"
        self.logs = self.folder / "logs"
        self.cpus = cpus or len(os.sched_getaffinity(0))
        self.memory_mb = int(_memory_mb() * 0.85)
        self.processes: dict[str, subprocess.Popen] = {}
        self.socket_folder: Path | None = None
        # Clients (sbatch, squeue, ... and the Snakemake plugin) see only our cluster:
        # no inherited job context or sbatch/squeue defaults from the caller's shell.
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "SQUEUE_"))}
        self.env["SLURM_CONF"] = str(self.conf)
        self.bin = self.folder / "bin"
        self.env["PATH"] = os.pathsep.join([str(self.bin), SEARCH_PATH])

    # --- lifecycle -------------------------------------------------------------------

    def start(self, timeout: float = 90) -> LocalSlurm:
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout: float) -> None:
        for sub in ("state", "spool", "run", "logs", "munge"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        munge = self.folder / "munge"
        # munged wants its socket's folder and every folder above it searchable by all,
        # which pytest's private temporary folders are not: a world-searchable folder of
        # our own under the system's temporary folder, removed again by stop().
        self.socket_folder = Path(tempfile.mkdtemp(prefix="painstress-munge-"))
        self.socket_folder.chmod(0o755)
        self.munge_socket = self.socket_folder / "munge.socket"
        key = munge / "munge.key"
        _run([which("mungekey"), "--create", f"--keyfile={key}"], timeout=30, check=True)
        key.chmod(0o600)
        self._spawn("munged", [which("munged"), "--foreground", f"--socket={self.munge_socket}",
                               f"--key-file={key}", f"--pid-file={munge / 'munged.pid'}",
                               f"--log-file={self.logs / 'munged.log'}",
                               f"--seed-file={munge / 'munged.seed'}"])
        self._wait(lambda: self.munge_socket.exists(), "munged socket", 20)

        self.conf.write_text(string.Template(TEMPLATE.read_text()).substitute(
            ctld_port=_free_port(), slurmd_port=_free_port(),
            munge_socket=self.munge_socket, state=self.folder / "state",
            spool=self.folder / "spool", run=self.folder / "run", logs=self.logs,
            min_job_age=self.min_job_age, cpus=self.cpus, memory_mb=self.memory_mb,
            partition=self.partition))
        self._write_srun_shim()
        self._spawn("slurmctld", [which("slurmctld"), "-D", "-f", str(self.conf)])
        self._wait(lambda: " is UP" in self.client(["scontrol", "ping"], check=False).stdout,
                   "slurmctld to answer", timeout)
        # The machine's hostname is not "localhost": name the node explicitly.
        self._spawn("slurmd", [which("slurmd"), "-D", "-N", "localhost", "-f", str(self.conf)])
        self._wait(lambda: self.node_state() == "idle", "node localhost to be idle", timeout)

    def stop(self) -> list[str]:
        """Cancel our jobs, then stop slurmd, slurmctld and munged by PID; say what was done."""
        said = []
        if "slurmctld" in self.processes and self.processes["slurmctld"].poll() is None:
            try:
                self.client(["scancel", f"--user={getpass.getuser()}"], check=False, timeout=30)
                self._wait(lambda: not self.client(
                    ["squeue", "-h", "-t", "PENDING,RUNNING,COMPLETING,CONFIGURING", "-o", "%i"],
                    check=False, timeout=30).stdout.strip(), "jobs to end", 60)
            except Exception as error:  # still stop the daemons
                said.append(f"cancelling jobs: {error}")
        for name in ("slurmd", "slurmctld", "munged"):
            process = self.processes.pop(name, None)
            if process is None:
                continue
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=20)
            said.append(f"{name} (PID {process.pid}) stopped, exit {process.returncode}")
        if self.socket_folder is not None:
            shutil.rmtree(self.socket_folder, ignore_errors=True)
            self.socket_folder = None
        return said

    def __enter__(self) -> LocalSlurm:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- helpers ---------------------------------------------------------------------

    def _write_srun_shim(self) -> None:
        """``srun`` that finds this cluster's config inside a job, first on the PATH.

        Inside a SLURM job, snakemake-executor-plugin-slurm-jobstep (0.6.1) removes every
        SLURM_* variable but the job's identity, SLURM_CONF included, before it calls
        ``srun``; srun then looks for /etc/slurm/slurm.conf. A cluster whose config is
        there does not notice; ours is in a temporary folder, so this puts SLURM_CONF back.
        """
        self.bin.mkdir(exist_ok=True)
        shim = self.bin / "srun"
        shim.write_text("#!/bin/sh\n"
                        "# written by tests/slurm/local_slurm.py: see _write_srun_shim\n"
                        f"SLURM_CONF='{self.conf}'\nexport SLURM_CONF\n"
                        f"exec '{which('srun')}' \"$@\"\n")
        shim.chmod(0o755)

    def _spawn(self, name: str, command: list) -> None:
        out = open(self.logs / f"{name}.out", "w")
        self.processes[name] = subprocess.Popen(
            [str(c) for c in command], stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=self.env, cwd=self.folder)
        out.close()

    def _wait(self, ready, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode} while waiting "
                                       f"for {what}\n{self.log_tails()}")
            if ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"timed out after {timeout} s waiting for {what}\n{self.log_tails()}")

    def client(self, command: list, *, check: bool = True, timeout: float = 30):
        """Run a SLURM client command against this cluster."""
        return _run([which(command[0]) or command[0], *command[1:]], env=self.env,
                    timeout=timeout, check=check)

    def node_state(self) -> str:
        done = self.client(["sinfo", "-h", "-N", "-n", "localhost", "-o", "%T"], check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def log_tails(self, lines: int = 25) -> str:
        parts = []
        for path in sorted(self.logs.glob("*")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name} ---\n" + "\n".join(text))
        return "\n".join(parts)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="slurm-"))
    print(ensure_installed())
    cluster = LocalSlurm(folder).start()
    print(f"export SLURM_CONF={cluster.conf}   # PIDs {cluster.pids()}; Ctrl-C stops them")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\n".join(cluster.stop()))
