"""The package and the workflow outside this development environment.

* A built wheel holds the config schema: installed alone (with the two libraries config
  checking needs), ``python -m painstress.config`` validates against it, and stops loudly
  when the schema is missing instead of passing an incomplete config.
* A Python holding only Snakemake (the Snakemake catalog's usage: rules get their
  environments with --sdm conda) lints and dry-runs the workflow: it finds the package in
  its own source tree, and nothing imported while the job graph is built needs pandas,
  numpy, scipy or matplotlib.
* The sample sheet's JSON Schema accepts the sheet config/README.md shows and refuses a
  broken one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO, installer
from painstress import InputError
from painstress.config import schema_file
from painstress.samples import check_sample_sheet_file, read_sample_sheet

PIP_INDEX_QUIET = ["--disable-pip-version-check", "-q"]
CONSTRAINTS = REPO / "envs" / "constraints.txt"


def _venv(path: Path) -> Path:
    """A new virtual environment, without pip of its own (seeding pip costs seconds; the
    packages go in from here: _install); its python."""
    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    return path / "bin" / "python"


def _install(python: Path, *args: str, compile_bytecode: bool = False) -> None:
    """``pip install args`` into ``python``'s environment, as make installs .venv's (uv with
    pip's settings, else pip)."""
    done = installer().install_into(python, *args, compile_bytecode=compile_bytecode)
    assert done.returncode == 0, done.stderr[-3000:]


def _run(command, cwd=REPO, timeout=300):
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    done.output = done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the sources (the build leaves nothing in the repo)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src",
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    done = _run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                 *PIP_INDEX_QUIET, "-w", tmp / "dist", source])
    assert done.returncode == 0, done.output[-3000:]
    return next((tmp / "dist").glob("painstress-*.whl"))


@pytest.mark.workflow  # a new environment
@pytest.mark.xdist_group("wheel")  # one worker: the wheel built once
def test_installed_package_validates_configs_with_its_own_schema(wheel, tmp_path):
    python = _venv(tmp_path / "env")
    # config checking needs only jsonschema and PyYAML (the rest is imported when used)
    _install(python, "--no-deps", str(wheel))
    _install(python, "-c", str(CONSTRAINTS), "jsonschema", "pyyaml")
    where = _run([python, "-c", "import painstress; print(painstress.__file__)"])
    assert str(tmp_path / "env") in where.stdout, where.output  # not the source tree

    done = _run([python, "-m", "painstress.config", "config/demo.yaml"])
    assert done.returncode == 0, done.output
    assert done.stdout.strip() == "config/demo.yaml: ok"

    partial = tmp_path / "partial.yaml"
    partial.write_text("study: {name: mine, organism: Mus musculus}\n")
    done = _run([python, "-m", "painstress.config", partial])
    assert done.returncode == 1
    for key in ("source", "datasets", "contrasts", "overlap"):
        assert f"key '{key}' is missing" in done.stderr

    # a package without its schema stops, naming what is missing (it never skips the check)
    installed = Path(where.stdout.strip()).parent / "schemas" / "config.schema.yaml"
    installed.unlink()
    done = _run([python, "-m", "painstress.config", "config/demo.yaml"])
    assert done.returncode == 1
    assert "ok" not in done.stdout
    assert f"the config schema {installed} is missing" in done.stderr


@pytest.mark.xdist_group("wheel")
def test_wheel_ships_both_schemas_once(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    schemas = sorted(n for n in names if n.endswith(".schema.yaml"))
    assert schemas == ["painstress/schemas/config.schema.yaml",
                       "painstress/schemas/samples.schema.yaml"]
    # the workflow reads the package's copy: no second one in the source tree
    in_tree = sorted(p.relative_to(REPO).as_posix() for p in REPO.glob("**/*.schema.yaml")
                     if not {".venv", "results", "resources", ".snakemake"} & set(p.parts))
    assert in_tree == ["src/painstress/schemas/config.schema.yaml",
                       "src/painstress/schemas/samples.schema.yaml"]


@pytest.mark.workflow  # installs Snakemake into a new environment
def test_workflow_parses_in_an_environment_holding_only_snakemake(tmp_path):
    pins = (REPO / "envs" / "requirements.txt").read_text()
    snakemake_pin = re.search(r"^snakemake==\S+", pins, re.M).group(0)
    python = _venv(tmp_path / "env")
    # compiled: Snakemake starts four times below
    _install(python, "-c", str(CONSTRAINTS), snakemake_pin, compile_bytecode=True)
    for library in ("painstress", "pandas", "numpy", "scipy", "matplotlib"):
        done = _run([python, "-c", f"import {library}"])
        assert done.returncode != 0, f"{library} is importable: not a Snakemake-only env"

    snakemake = [tmp_path / "env" / "bin" / "snakemake", "--configfile", "config/demo.yaml",
                 "--directory", tmp_path / "run"]
    done = _run([*snakemake, "--lint"])
    assert done.returncode == 0, done.output[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in done.output
    done = _run([*snakemake, "-n"])
    assert done.returncode == 0, done.output[-3000:]
    assert "simulate_demo" in done.output and "This was a dry-run" in done.output
    assert "<TBD>" in done.output  # inputs behind checkpoint resolve_datasets

    # once the checkpoint has run (here by the full environment), Snakemake reads its table
    # to build the rest of the graph: still without pandas
    done = _run([sys.executable, "-m", "snakemake", *snakemake[1:], "--cores", "1",
                 "--until", "resolve_datasets"])
    assert done.returncode == 0, done.output[-3000:]
    done = _run([*snakemake, "-n"])
    assert done.returncode == 0, done.output[-3000:]
    assert "<TBD>" not in done.output and "rule deseq2" in done.output


# -------------------------------------------------------------------- sample sheet schema

def _documented_sheet() -> str:
    """The sample sheet config/README.md shows."""
    text = (REPO / "config" / "README.md").read_text()
    return re.search(r"A sample sheet \(.*?```\n(.*?)```", text, re.S).group(1)


def _validate(path):
    from snakemake.utils import validate

    validate(read_sample_sheet(path), str(schema_file("samples")), set_default=False)


def test_sample_sheet_schema_accepts_the_documented_sheet_and_extra_factors(tmp_path):
    sheet = tmp_path / "samples.tsv"
    sheet.write_text(_documented_sheet())
    _validate(sheet)
    sheet.write_text("sample\tregion\tgroup\tsex\n"  # dataset left out, one more factor
                     "GSM1\tNAc\tsham\tmale\nGSM2\tNAc\tSNI\tfemale\n")
    _validate(sheet)


@pytest.mark.parametrize("text", [
    "sample\tdataset\tregion\nGSM1\tpain\tNAc\n",  # no group column
    "sample\tdataset\tregion\tgroup\nGSM1\tpain\t\tsham\n",  # no region
])
def test_sample_sheet_schema_refuses_a_broken_sheet(tmp_path, text):
    from snakemake.exceptions import WorkflowError

    sheet = tmp_path / "samples.tsv"
    sheet.write_text(text)
    with pytest.raises(WorkflowError, match="Error validating row 0"):
        _validate(sheet)
    # the workflow's own check comes first, with the file and what to do
    with pytest.raises(InputError, match=str(sheet)):
        check_sample_sheet_file(sheet)

