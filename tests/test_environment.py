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

from conftest import REPO, installer


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


# ------------------------------------------------------------ envs/install.py: pip -> uv


def test_installer_pin_is_in_the_requirements_and_constraints():
    requirements = _pip_pins((REPO / "envs" / "requirements.txt").read_text().splitlines())
    assert "uv" in requirements
    assert "uv" not in _pip_pins(_conda_pip_section()[1])  # not a rule's package


def test_pip_settings_are_read_as_pip_applies_them_to_install():
    listing = "\n".join([
        "global.index-url='https://mirror.example/simple'",
        "global.timeout='10'",
        "install.timeout='20'",  # [install] overrides [global] for pip install
        ":env:.timeout='30'",  # PIP_TIMEOUT overrides both
        "global.find-links='/opt/wheels /srv/wheels'",
        "download.index-url='https://elsewhere.example/simple'",  # not pip install's
    ])
    assert installer().pip_settings(listing) == {
        "index-url": "https://mirror.example/simple", "timeout": "30",
        "find-links": "/opt/wheels /srv/wheels"}


def test_pip_settings_become_uv_options_and_variables():
    install = installer()
    options, variables = install.uv_options({
        "index-url": "https://mirror.example/simple",
        "extra-index-url": "file:///opt/pypi/simple file:///opt/pypi-more/simple",
        "find-links": "/opt/wheels", "constraint": "/etc/xdg/pip/constraints.txt",
        "trusted-host": "mirror.example", "no-index": "false",
        "cert": "/etc/ssl/certs/ca-certificates.crt", "proxy": "http://proxy:3128",
        "default-timeout": "180", "disable-pip-version-check": "1"})
    assert options == [
        "--index-url", "https://mirror.example/simple",
        "--extra-index-url", "file:///opt/pypi/simple",
        "--extra-index-url", "file:///opt/pypi-more/simple",
        "--find-links", "/opt/wheels", "--constraint", "/etc/xdg/pip/constraints.txt",
        "--allow-insecure-host", "mirror.example"]
    assert variables == {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
                         "HTTPS_PROXY": "http://proxy:3128", "HTTP_PROXY": "http://proxy:3128",
                         "UV_HTTP_TIMEOUT": "180"}
    assert install.uv_options({"no-index": "yes"}) == (["--no-index"], {})


def test_a_pip_setting_uv_cannot_take_leaves_the_install_to_pip():
    import pytest

    install = installer()
    with pytest.raises(install.NoEquivalent, match="only-binary=':all:'"):
        install.uv_options({"only-binary": ":all:"})


def test_real_pip_configuration_is_read(tmp_path):
    """pip's own ``config list`` output, from a config file and a PIP_* variable."""
    import os
    import subprocess
    import sys

    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nextra-index-url = file:///srv/a file:///srv/b\n"
                    "[install]\ntrusted-host = mirror.example\n")
    env = {**os.environ, "PIP_CONFIG_FILE": str(conf), "PIP_FIND_LINKS": "/srv/wheels"}
    listing = subprocess.run([sys.executable, "-m", "pip", "config", "list"], env=env,
                             capture_output=True, text=True, check=True).stdout
    settings = installer().pip_settings(listing)
    assert settings["extra-index-url"] == "file:///srv/a file:///srv/b"
    assert settings["trusted-host"] == "mirror.example"
    assert settings["find-links"] == "/srv/wheels"


def _tiny_wheel(folder):
    """A one-module wheel written by hand (the wheel format: a zip with the module, METADATA,
    WHEEL and RECORD), so that installing it needs no index and no build."""
    import zipfile

    name = "tinypkg-1.0"
    files = {"tinypkg.py": "VALUE = 1\n",
             f"{name}.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n",
             f"{name}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\n"
                                        "Root-Is-Purelib: true\nTag: py3-none-any\n"}
    files[f"{name}.dist-info/RECORD"] = "".join(f"{path},,\n" for path in
                                                [*files, f"{name}.dist-info/RECORD"])
    wheel = folder / "tinypkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as packed:
        for path, text in files.items():
            packed.writestr(path, text)
    return wheel


def test_install_into_uses_uv_and_pip_where_uv_cannot_take_a_setting(tmp_path, monkeypatch):
    """A test environment is filled by uv with pip's settings, and by pip when a setting of
    pip's has no uv equivalent; each records itself as the installer (dist-info/INSTALLER)."""
    import venv

    install = installer()
    wheel = _tiny_wheel(tmp_path)
    for env, expected in (("uv_env", "uv"), ("pip_env", "pip")):
        if expected == "pip":
            monkeypatch.setenv("PIP_ONLY_BINARY", ":all:")  # no uv equivalent
        venv.EnvBuilder(with_pip=False).create(tmp_path / env)
        done = install.install_into(tmp_path / env / "bin" / "python", "--no-index", str(wheel))
        assert done.returncode == 0, done.stderr
        marker = next((tmp_path / env).glob("lib/python*/site-packages/tinypkg-1.0.dist-info"))
        assert (marker / "INSTALLER").read_text().strip() == expected
