"""The workflow used as a Snakemake module from a separate folder (the catalog's
"standardized usage"): it must build its DAG with the package installed, not found
through the repository's folders."""
import subprocess
import sys

from conftest import REPO, write_config


def test_workflow_works_as_a_snakemake_module(tmp_path):
    configfile = write_config(tmp_path)
    (tmp_path / "Snakefile").write_text(f'''
configfile: "{configfile}"

module painstress:
    snakefile: "{REPO / "workflow" / "Snakefile"}"
    config: config

use rule * from painstress as painstress_*
''')
    run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "1", "--dry-run"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    jobs = run.stdout + run.stderr
    for rule in ("painstress_simulate_demo", "painstress_deseq2", "painstress_overlap",
                 "painstress_all"):
        assert rule in jobs
    assert not (tmp_path / "results").exists()  # a dry run writes no result
