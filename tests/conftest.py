"""Shared fixtures: a small simulated study, paths, and the recovery bar."""
from __future__ import annotations

from pathlib import Path

import pytest

from painstress import simulate

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures" / "geo"

# What a correct analysis must achieve on the planted shared genes (modern definition,
# padj < 0.05 in both models, same direction). Measured on the CI-sized demo: see
# README "What has been verified". A broken analysis (shuffled labels, a reversed
# contrast) falls far below; tests/test_recovery.py checks that it does.
RECOVERY_BAR = {"precision": 0.8, "recall": 0.6}

# A CI-sized demo: same design as config/demo.yaml, fewer genes.
SMALL = simulate.DemoParameters(n_genes=3000, de_genes=60, shared_genes=30)


def meets_bar(score: dict) -> bool:
    return all(score[key] >= value for key, value in RECOVERY_BAR.items())


@pytest.fixture(scope="session")
def small_study() -> dict:
    """The CI-sized simulated study, in memory (see painstress.simulate.simulate_study)."""
    return simulate.simulate_study(SMALL)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"real GEO fixtures not found at {FIXTURES} (shared/ beside the repo)")
    return FIXTURES
