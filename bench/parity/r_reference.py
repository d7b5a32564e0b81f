"""R DESeq2 for the benches: workflow/scripts/deseq2_reference.R (the parity rule's R side)
run with Rscript on a model's input folder (painstress.de.parity.write_model_input)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from painstress.de import parity

REPO = Path(__file__).resolve().parents[2]
R_SCRIPT = REPO / "workflow" / "scripts" / "deseq2_reference.R"
RSCRIPT = parity.rscript()
deseq2_version = parity.r_deseq2_version


def command(model_dir: Path, out_dir: Path, test: str, reference: str, mode: str = "deseq",
            alpha: float = 0.05) -> list[str]:
    """The Rscript command line for one model's input folder."""
    model_dir = Path(model_dir)
    return [RSCRIPT, "--vanilla", str(R_SCRIPT), str(model_dir / "counts.tsv"),
            str(model_dir / "coldata.tsv"), (model_dir / "design.txt").read_text().strip(),
            test, reference, str(out_dir), mode, str(alpha)]


def run(model_dir: Path, out_dir: Path, test: str, reference: str, mode: str = "deseq",
        alpha: float = 0.05) -> dict:
    """R DESeq2 on the model in ``model_dir``; its fit (painstress.de.parity.read_fit)."""
    if shutil.which(RSCRIPT) is None:
        raise SystemExit(parity.R_INSTALL_HINT)
    done = subprocess.run(command(model_dir, out_dir, test, reference, mode, alpha),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"R DESeq2 failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return parity.read_fit(out_dir)
