"""Write the simulated demo study into resources/ (rule simulate_demo)."""

from painstress.demo.simulate import DemoParameters, write_demo_study
from painstress.jobs import run_script


def main(snakemake):
    params = DemoParameters(**snakemake.params.settings)
    written = write_demo_study(snakemake.params.outdir, snakemake.params.pain_series,
                               snakemake.params.stress_series, params)
    for path in written.values():
        print(path)


run_script(main, snakemake)  # noqa: F821  (injected by Snakemake)
