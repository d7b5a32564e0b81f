"""Comparison of DE results: pain × stress overlap, depression/anxiety signatures, orthologs,
RRHO2 and pathways."""
