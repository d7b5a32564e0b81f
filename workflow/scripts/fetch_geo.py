"""Download one GEO series' counts, annotation and series matrix (rule fetch_<dataset>).

Downloading from NCBI is not implemented yet: this stops with a message that says
where to put hand-downloaded files, which the workflow then uses as they are.
"""
import _src  # noqa: F401  (puts src/ on sys.path)
from painstress import InputError
from painstress.files import run_script


def main(snakemake):
    files = "\n  ".join(snakemake.output)
    raise InputError(
        f"Downloading {snakemake.params.series} from NCBI GEO is not available yet "
        "in this version of the workflow.\n"
        "  - To try the whole analysis offline, run `make demo`.\n"
        "  - To analyse the real study now, download these files from GEO by hand "
        f"(series page -> 'Download RNA-seq counts') and put them here:\n  {files}\n"
        "    then run again; files already in place are used as they are.")


run_script(main, snakemake)  # noqa: F821
