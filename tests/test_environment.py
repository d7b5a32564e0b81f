"""The environments agree with each other and with what CI tests:

* envs/requirements.txt (direct pins of .venv) and envs/constraints.txt (every package of
  .venv, pinned) agree;
* envs/painstress.yaml, the conda environment of every rule, holds exactly the package's
  runtime dependencies and everything they pull in (not snakemake, pytest or the cluster
  plugin), at the versions CI tests.
"""
from importlib.metadata import PackageNotFoundError, distribution

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO


def _pip_pins(lines):
    return {canonicalize_name(line.split("==")[0]): line.split("==")[1].strip()
            for line in (raw.strip() for raw in lines) if line and not line.startswith("#")}


def _conda_pip_section():
    env = yaml.safe_load((REPO / "envs" / "painstress.yaml").read_text())
    return env, next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))


def runtime_closure(root: str = "painstress") -> dict[str, str]:
    """Installed name -> version of everything ``root`` needs at run time (its declared
    dependencies, without extras, and theirs)."""
    seen, todo = {}, [root]
    while todo:
        try:
            dist = distribution(todo.pop())
        except PackageNotFoundError:  # a marker-less optional dependency not installed
            continue
        name = canonicalize_name(dist.metadata["Name"])
        if name in seen:
            continue
        seen[name] = dist.version
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name)
    del seen[canonicalize_name(root)]
    return seen


def test_constraints_agree_with_requirements():
    requirements = _pip_pins((REPO / "envs" / "requirements.txt").read_text().splitlines())
    constraints = _pip_pins((REPO / "envs" / "constraints.txt").read_text().splitlines())
    for name, version in requirements.items():
        assert constraints.get(name) == version, name


def test_rule_environment_is_the_runtime_closure_pinned_as_ci_tests_it():
    env, pip_section = _conda_pip_section()
    assert "python=3.11" in env["dependencies"]
    pins = _pip_pins(line for line in pip_section if "==" in line)
    closure = runtime_closure()
    assert set(pins) == set(closure), (sorted(set(pins) - set(closure)),
                                       sorted(set(closure) - set(pins)))
    assert pins == closure
    constraints = _pip_pins((REPO / "envs" / "constraints.txt").read_text().splitlines())
    assert {name: constraints.get(name) for name in pins} == pins
    assert not {"snakemake", "pytest", "snakemake-executor-plugin-slurm"} & set(pins)
