"""How well a run recovers the demo's planted truth (rule truth_recovery)."""

from __future__ import annotations

import pandas as pd


def score_recovery(truth: pd.DataFrame, found: pd.DataFrame) -> dict[str, float]:
    """Precision and recall of found shared genes against the planted ones.

    Both tables need ``region``, ``GeneID`` and ``direction``; a hit must match all
    three (a gene found with the wrong direction counts as a false positive).
    """
    key = ["region", "GeneID", "direction"]
    planted = set(map(tuple, truth[key].itertuples(index=False)))
    hits = set(map(tuple, found[key].itertuples(index=False)))
    true_pos = len(planted & hits)
    return {"planted": len(planted), "found": len(hits), "true_positives": true_pos,
            "precision": true_pos / len(hits) if hits else 0.0,
            "recall": true_pos / len(planted) if planted else 0.0}
