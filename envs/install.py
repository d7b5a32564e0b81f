"""Install .venv's packages: the pinned set (envs/requirements.txt within
envs/constraints.txt), then this package, editable. Run with the venv's own Python
(``make`` does: ``.venv/bin/python envs/install.py``).

uv installs them, pinned in envs/requirements.txt and brought by pip first: it downloads,
unpacks and byte-compiles in parallel, about a quarter of pip's time for this set. uv does
not read pip's configuration, so pip's (``pip config list``: its files and PIP_* variables,
where a mirror, a proxy or a company certificate is set) is passed on as uv's options. A
pip setting uv has no equivalent for, a failed uv, or ``--installer pip``: pip installs, as
it always did.
"""
from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
from pathlib import Path

ENVS = Path(__file__).resolve().parent
REPO = ENVS.parent
PINS = ["-r", str(ENVS / "requirements.txt"), "-c", str(ENVS / "constraints.txt")]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]

TRUE = {"1", "true", "yes", "on"}
# pip settings with no bearing on what uv installs from where
IGNORED = {"disable-pip-version-check", "no-input", "quiet", "verbose", "progress-bar",
           "no-color", "root-user-action", "require-virtualenv", "cache-dir", "no-cache-dir",
           "retries", "log", "no-python-version-warning", "break-system-packages",
           "use-feature", "use-deprecated"}
# pip setting -> uv option (one per value; pip separates several values by spaces)
OPTIONS = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
           "find-links": "--find-links", "constraint": "--constraint",
           "trusted-host": "--allow-insecure-host"}
# pip setting -> the environment variables uv reads for it
VARIABLES = {"cert": ["SSL_CERT_FILE"], "client-cert": ["SSL_CLIENT_CERT"],
             "proxy": ["HTTPS_PROXY", "HTTP_PROXY"], "timeout": ["UV_HTTP_TIMEOUT"],
             "default-timeout": ["UV_HTTP_TIMEOUT"]}


class NoEquivalent(Exception):
    """A pip setting uv cannot be given."""


def pip_settings(listing: str) -> dict[str, str]:
    """Setting -> value as pip applies them to ``pip install``, from ``pip config list``
    (lines ``global.index-url='…'``, ``install.…``, ``:env:.…`` for PIP_* variables):
    the install section overrides global, variables override both."""
    rank = {"global": 0, "install": 1, ":env:": 2}
    found: list[tuple[int, str, str]] = []
    for line in listing.splitlines():
        name, _, value = line.partition("=")
        section, _, key = name.rpartition(".")
        if section in rank and value:
            found.append((rank[section], key.replace("_", "-"), ast.literal_eval(value)))
    return {key: value for _, key, value in sorted(found, key=lambda item: item[0])}


def uv_options(settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """pip's settings as uv's command-line options and environment variables; raises
    :class:`NoEquivalent` naming a setting uv cannot be given."""
    options, variables = [], {}
    for key, value in settings.items():
        if key in IGNORED:
            continue
        if key in OPTIONS:
            options += [part for item in value.split() for part in (OPTIONS[key], item)]
        elif key in VARIABLES:
            variables.update(dict.fromkeys(VARIABLES[key], value))
        elif key == "no-index":
            options += ["--no-index"] if value.lower() in TRUE else []
        else:
            raise NoEquivalent(f"{key}={value!r}")
    return options, variables


def run(command: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.run(command, env=env).returncode


def install_with_pip() -> None:
    for command in ([*PIP, "install", "--quiet", *PINS],
                    [*PIP, "install", "--quiet", "--no-deps", "-e", str(REPO)]):
        if run(command):
            sys.exit(f"installing the pinned packages failed: {' '.join(command)}")


def uv_install(python: str | Path) -> tuple[list[str], dict[str, str]] | str:
    """``uv pip install`` into ``python``'s environment with pip's settings (its command and
    environment), or why uv cannot be given them. uv itself must be importable here."""
    listing = subprocess.run([*PIP, "config", "list"], capture_output=True, text=True)
    if listing.returncode:
        return "pip's configuration could not be read"
    try:
        options, variables = uv_options(pip_settings(listing.stdout))
    except NoEquivalent as setting:
        return f"pip setting {setting} has no uv equivalent"
    # like pip, every index is searched for the best version (uv's default stops at the
    # first index that has the package, and pip's mirrors often hold only some versions)
    return ([sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python),
             "--index-strategy", "unsafe-best-match", *options], {**os.environ, **variables})


def install_into(python: str | Path, *arguments: str, compile_bytecode: bool = False,
                 timeout: float = 900) -> subprocess.CompletedProcess:
    """``pip install arguments`` into another environment (``python``, e.g. a test's
    virtual environment without pip): by uv with pip's settings when it can, else by this
    environment's pip. Compiled up front only if asked (worth it for a program started
    several times where Python may not write its bytecode: PYTHONDONTWRITEBYTECODE).
    Output captured."""
    uv = uv_install(python)
    if not isinstance(uv, str):
        done = subprocess.run([*uv[0], *(["--compile-bytecode"] if compile_bytecode else []),
                               *arguments], env=uv[1], capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode == 0:
            return done
    return subprocess.run([*PIP, "--python", str(python), "install", "--quiet",
                           *([] if compile_bytecode else ["--no-compile"]), *arguments],
                          capture_output=True, text=True, timeout=timeout)


def install_with_uv() -> bool:
    """True when uv installed everything; False (having said why) to let pip do it."""
    uv_pin = next(line.strip() for line in (ENVS / "requirements.txt").read_text().splitlines()
                  if line.startswith("uv=="))
    if run([*PIP, "install", "--quiet", uv_pin]):
        print(f"{uv_pin} could not be installed: installing with pip")
        return False
    uv = uv_install(sys.executable)
    if isinstance(uv, str):
        print(f"{uv}: installing with pip")
        return False
    command, env = uv
    for arguments in (["--compile-bytecode", *PINS], ["--no-deps", "-e", str(REPO)]):
        if run([*command, *arguments], env):
            print("uv failed (above): installing with pip")
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--installer", choices=["uv", "pip"], default="uv")
    if parser.parse_args().installer == "pip" or not install_with_uv():
        install_with_pip()


if __name__ == "__main__":
    main()
