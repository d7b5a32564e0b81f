"""Reanalysis of public mouse RNA-seq on chronic pain and stress.

The Snakemake workflow in this repository is a thin layer over this package:
each rule reads files, calls one function here, and writes files.

Modules, in data-flow order:
    geo       parse NCBI/GEO files (raw counts, gene annotation, series matrix)
    simulate  the demo study with planted truth, written in GEO/NCBI formats
    samples   infer and validate the sample sheet from series-matrix characteristics
    de        differential expression, one DESeq2 model per region and contrast, in named
              steps (samples -> model input -> fit -> results table)
    de_engine DESeq2's per-gene fits for every gene at once, behind pydeseq2's Inference
    parity    compare the DE step with R DESeq2 (files both sides share, figures)
    overlap   genes changed in the same direction by pain and stress, with statistics
    plots     figures
    config    validate the workflow configuration
"""

__version__ = "0.1.0"


class InputError(ValueError):
    """Bad user input (config, sample sheet, data file).

    The message names the file, key or line, what was expected, and what to do.
    """
