"""A job pays only for the libraries it uses: the package modules that table-writing jobs
import load neither matplotlib nor scipy until a function that needs them runs."""

import subprocess
import sys

import pytest

# module -> libraries it must not load on import (the jobs that import it do not draw or test)
TABLE_MODULES = {
    # de_figures (the dispersion columns), vst (normalised_counts_table): no model loaded
    "painstress.de.deseq2": ("matplotlib", "scipy", "pydeseq2"),
    # count_sources, methods, signature_sets, pathway_ora: provenance records, no download
    "painstress.data.http": ("requests", "urllib3"),
    "painstress.compare.pathways": ("scipy", "matplotlib"),  # pathway_sets, pathway_themes
    "painstress.summary": ("scipy", "matplotlib"),  # answer, methods
    "painstress.compare.overlap": ("scipy", "matplotlib"),
}


def loaded_after_import(module: str, libraries: tuple[str, ...]) -> list[str]:
    code = (f"import sys, {module}; "
            f"print(' '.join(m for m in {libraries!r} if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


@pytest.mark.parametrize("module", sorted(TABLE_MODULES))
def test_table_modules_load_no_plotting_or_scipy(module):
    assert loaded_after_import(module, TABLE_MODULES[module]) == []


def test_the_heavy_libraries_load_where_they_are_used():
    """The laziness is not a missing import: the drawing and testing functions still work."""
    code = ("import sys, pandas as pd; "
            "from painstress.figures import evidence; from painstress.compare import pathways; "
            "from painstress.data import http; "
            "pathways._bh(__import__('numpy').array([0.01, 0.04])); "
            "evidence._count_axis(__import__('matplotlib.pyplot').pyplot.subplots()[1], "
            "__import__('numpy').array([1.0, 100.0])); "
            "client = http.Client(http.HttpSettings()); "
            "print('scipy' in sys.modules, 'matplotlib' in sys.modules, "
            "type(client.session).__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "requests.sessions"]
