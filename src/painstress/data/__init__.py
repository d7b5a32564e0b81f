"""Data access: the HTTP client, NCBI E-utilities and GEO downloads, and readers of NCBI/GEO
files and of curated gene-set sources."""
