"""Check the user's sample sheet against the counts (every sample in them, replicates per
contrast); write the stamp that rule sample_sheet waits for. A failure here stops the run
before Snakemake clears the last good samples.tsv and genes.tsv."""
from painstress import samples
from painstress.data import ncbi_files
from painstress.files import write_text
from painstress.jobs import run_script


def main(snakemake):
    inp, par = snakemake.input, snakemake.params
    source = inp.sheet[0]
    dataset_samples = {d: list(ncbi_files.read_ncbi_counts(path).columns)
                       for d, path in zip(par.datasets, inp.counts)}
    sheet = samples.validate_sample_sheet(
        samples.read_sample_sheet(source), source=source, factors=par.factors,
        contrasts=par.contrasts, dataset_samples=dataset_samples,
        min_replicates=par.min_replicates, datasets=par.dataset_settings)
    write_text(f"{source}: {len(sheet)} samples, checked against the counts of "
               f"{', '.join(par.datasets)}\n", snakemake.output[0])


run_script(main, snakemake)  # noqa: F821
