"""The conda environment and the pip requirements pin the same packages and versions."""
import yaml
from conftest import REPO


def _pip_pins(lines):
    return {line.split("==")[0].lower(): line.split("==")[1]
            for line in (l.strip() for l in lines) if line and not line.startswith("#")}


def test_conda_env_matches_requirements():
    requirements = _pip_pins((REPO / "envs" / "requirements.txt").read_text().splitlines())
    env = yaml.safe_load((REPO / "envs" / "painstress.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pip_pins(pip_section) == requirements
    assert "python=3.11" in env["dependencies"]


def test_constraints_agree_with_requirements():
    requirements = _pip_pins((REPO / "envs" / "requirements.txt").read_text().splitlines())
    constraints = _pip_pins((REPO / "envs" / "constraints.txt").read_text().splitlines())
    for name, version in requirements.items():
        assert constraints.get(name) == version, name
