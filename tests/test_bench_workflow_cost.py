"""bench/workflow_cost: an earlier commit with a venv of its own runs in it, with none of
this checkout's package on its path; one without runs in this venv with its src/ first."""
import sys

from bench.workflow_cost import run


def test_variant_with_its_own_venv_runs_in_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere/else")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    assert run.own_venv(tmp_path)
    assert run.variant_python(tmp_path) == str(tmp_path / ".venv" / "bin" / "python")
    assert "PYTHONPATH" not in run.variant_env(tmp_path)


def test_variant_without_a_venv_runs_here_with_its_src_first(tmp_path):
    assert not run.own_venv(tmp_path)
    assert run.variant_python(tmp_path) == sys.executable
    assert run.variant_env(tmp_path)["PYTHONPATH"] == str(tmp_path / "src")


def test_this_checkout_runs_in_this_venv():
    assert not run.own_venv(run.REPO)
    assert run.variant_python(run.REPO) == sys.executable
