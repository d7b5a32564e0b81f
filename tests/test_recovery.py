"""The planted-truth check can fail: a broken analysis does not meet the recovery bar.

Runs the DE and overlap code (as the workflow does) on one region of the small simulated
study three times: correctly, with shuffled group labels, and with the stress contrast
reversed. Only the correct analysis may meet RECOVERY_BAR.
"""
import numpy as np
import pytest

from conftest import RECOVERY_BAR, meets_bar
from painstress.compare import overlap
from painstress.de import deseq2
from painstress.demo.recovery import score_recovery
from painstress.settings import DESettings

REGION = "mPFC"


def _shared_genes(study, sheet, stress_test="CUS", stress_reference="control"):
    symbols = study["genes"].set_index("GeneID")["Symbol"]
    fit = {model: deseq2.run_contrast(study["counts"], sheet, region=REGION, test=t,
                                      reference=r, symbols=symbols, n_cpus=2,
                                      settings=DESettings.defaults())[0]
           for model, t, r in (("pain", "SNI", "sham"),
                               ("stress", stress_test, stress_reference))}
    genes, _ = overlap.overlap_tables({REGION: (fit["pain"], fit["stress"])},
                                      definitions=("modern",))
    return genes


@pytest.fixture(scope="module")
def setting(small_study):
    sheet = small_study["samples"].rename(columns={"model": "dataset"})
    truth = small_study["shared_truth"]
    return sheet, truth[truth.region == REGION]


def test_correct_analysis_meets_the_bar(small_study, setting):
    sheet, truth = setting
    score = score_recovery(truth, _shared_genes(small_study, sheet))
    assert meets_bar(score), f"{score} below {RECOVERY_BAR}"


def test_shuffled_labels_fail_the_bar(small_study, setting):
    sheet, truth = setting
    shuffled = sheet.copy()
    rng = np.random.default_rng(0)
    for dataset in ("pain", "stress"):  # shuffle within each series and region
        for region in shuffled.region.unique():
            rows = (shuffled.dataset == dataset) & (shuffled.region == region)
            shuffled.loc[rows, "group"] = rng.permutation(shuffled.loc[rows, "group"].to_numpy())
    score = score_recovery(truth, _shared_genes(small_study, shuffled))
    assert not meets_bar(score), score


def test_reversed_contrast_fails_the_bar(small_study, setting):
    sheet, truth = setting
    score = score_recovery(truth, _shared_genes(small_study, sheet, "control", "CUS"))
    assert not meets_bar(score), score
    assert score["true_positives"] == 0
