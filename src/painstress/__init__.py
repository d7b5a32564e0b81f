"""Reanalysis of public mouse RNA-seq on chronic pain and stress.

The Snakemake workflow in this repository is a thin layer over this package:
each rule reads files, calls one function here, and writes files.

Layout, in data-flow order:
    config             validate the workflow configuration and fill in its defaults
    schemas/           JSON Schemas of the config and the sample sheet (package data, read by
                       config and by the workflow)
    data/              data access: http (retrying client, provenance), ncbi_fetch (E-utilities,
                       GEO and NCBI downloads), ncbi_files (readers of NCBI/GEO files),
                       genesets (readers of curated gene-set sources)
    samples            infer and validate the sample sheet from series-matrix characteristics
    de/                differential expression: deseq2 (one model per region and contrast, in
                       named steps), engine (DESeq2's per-gene fits for every gene at once,
                       behind pydeseq2's Inference), parity (comparison with R DESeq2)
    compare/           overlap (pain x stress), signatures (gene-set files), orthologs
                       (human -> mouse), rrho (RRHO2 maps), pathways (ORA and GSEA)
    figures/           one module per stage; each function returns a Figure
    demo/              simulate (the demo study with planted truth), recovery (scoring it)
    files, jobs        safe reading and writing; running a workflow script
"""

import importlib
import sys
import types

__version__ = "0.1.0"


class _LazyModule(types.ModuleType):
    """A module imported at its first use (see :func:`lazy_module`)."""

    def __getattr__(self, attr):
        try:
            module = importlib.import_module(self.__name__)
        except ModuleNotFoundError as error:
            raise ModuleNotFoundError(
                f"{error.name} is needed here but is not installed in {sys.executable}: "
                "install the painstress package in this environment (pip install . in the "
                "workflow's folder)", name=error.name) from None
        self.__dict__.update(module.__dict__)  # later uses are plain attribute reads
        return getattr(module, attr)


def lazy_module(name: str) -> types.ModuleType:
    """Module ``name``, imported when one of its attributes is first used. Snakemake imports
    parts of this package while it builds the job graph, in an environment that may hold
    only Snakemake's own libraries (the jobs get theirs with --sdm conda): the numerical
    libraries load only where a job or a check needs them."""
    return _LazyModule(name)


class InputError(ValueError):
    """Bad user input (config, sample sheet, data file).

    The message names the file, key or line, what was expected, and what to do.
    """


class OutputError(Exception):
    """An output could not be written (disk full, folder read-only, a file in the way of a
    folder). The message names the path and what to do; :func:`painstress.jobs.run_script`
    prints it as one line, without a traceback."""
