"""Make the painstress package (src/) importable from workflow scripts.

Snakemake puts this folder on a script's sys.path; importing this module adds src/,
so scripts work without installing the package (also under --sdm conda or on a cluster).
"""
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
