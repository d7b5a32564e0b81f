"""Safe table writing, script error handling, and the figures' content."""
import gzip
import logging
import types

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from painstress import InputError
from painstress.figures.de import volcano
from painstress.figures.samples import pca
from painstress.files import read_tsv, write_tsv
from painstress.jobs import run_script
from painstress.settings import Thresholds


def test_write_tsv_is_deterministic_and_leaves_no_temporary_file(tmp_path):
    table = pd.DataFrame({"GeneID": [1, 2], "x": [0.123456789, np.nan]})
    write_tsv(table, tmp_path / "a.tsv.gz")
    first = (tmp_path / "a.tsv.gz").read_bytes()
    write_tsv(table, tmp_path / "a.tsv.gz")
    assert (tmp_path / "a.tsv.gz").read_bytes() == first  # gzip without a timestamp
    assert first[3] & 0x08 == 0  # nor a file name (once the temporary one, with a PID)
    assert gzip.decompress(first).decode() == "GeneID\tx\n1\t0.123457\n2\t\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.tsv.gz"]
    assert read_tsv(tmp_path / "a.tsv.gz")["GeneID"].tolist() == [1, 2]


def test_interrupted_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "t.tsv"
    write_tsv(pd.DataFrame({"a": [1]}), path)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError):
        write_tsv(pd.DataFrame({"a": [2]}), path)
    assert path.read_text() == "a\n1\n"


def test_run_script_reports_input_errors_without_traceback(tmp_path, capsys):
    log = tmp_path / "job.log"
    job = types.SimpleNamespace(log=[str(log)])

    def main(_):
        raise InputError("samples.tsv: line 3: bad group")

    with pytest.raises(SystemExit) as exit_info:
        run_script(main, job)
    logging.shutdown()
    assert exit_info.value.code == 1
    assert "samples.tsv: line 3: bad group" in log.read_text()
    assert "Traceback" not in log.read_text()


def _de_table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    lfc = rng.normal(0, 0.6, n)
    p = np.clip(np.exp(-np.abs(lfc) * 8 * rng.random(n)), 1e-20, 1)
    table = pd.DataFrame({"GeneID": np.arange(1, n + 1), "symbol": [f"G{i}" for i in range(n)],
                          "baseMean": rng.lognormal(5, 2, n), "log2FoldChange": lfc,
                          "log2FoldChange_shrunk": lfc / 2, "pvalue": p, "padj": p * 10})
    table["sig_paper"] = (table.pvalue < 0.05) & (table.log2FoldChange.abs() >= np.log2(1.3))
    table["sig_modern"] = table.padj < 0.05
    return table.sort_values("pvalue").reset_index(drop=True)


def test_volcano_legend_counts_and_labels():
    table = _de_table()
    fig = volcano(table, title="NAc: SNI vs sham", thresholds=Thresholds.defaults(), n_labels=10)
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    modern = int(table.sig_modern.sum())
    paper_only = int((table.sig_paper & ~table.sig_modern).sum())
    assert legend[2].endswith(f"({modern})") and legend[1].endswith(f"({paper_only})")
    labels = [t.get_text() for t in ax.texts]
    assert labels and labels[0] == "G" + str(table.GeneID[0] - 1)  # strongest gene first
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    plt.close(fig)


def test_pca_separates_groups_with_planted_difference():
    rng = np.random.default_rng(1)
    vst = pd.DataFrame(rng.normal(8, 0.2, (600, 8)), columns=[f"s{i}" for i in range(8)])
    vst.iloc[:100, 4:] += 2.0  # group B differs in 100 genes
    sheet = pd.DataFrame({"sample": vst.columns, "group": ["A"] * 4 + ["B"] * 4})
    fig = pca(vst, sheet, title="t", group_order=["B", "A"])
    ax = fig.axes[0]
    assert "PC1 (" in ax.get_xlabel() and "% of variance" in ax.get_xlabel()
    first, second = (c.get_offsets()[:, 0] for c in ax.collections)
    assert first.min() > second.max() or second.min() > first.max()  # PC1 separates
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["B (n=4)", "A (n=4)"]
    plt.close(fig)
