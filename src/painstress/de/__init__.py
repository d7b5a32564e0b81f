"""Differential expression: DESeq2 in named steps, the all-genes inference engine, and
parity with R DESeq2."""
