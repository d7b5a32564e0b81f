"""Write the small NCBI Gene fixtures of this folder (see README.md): run from anywhere.

The rows are written by hand in the exact layout of NCBI's files; gzip with mtime 0 so
the bytes are the same on every run.
"""

import gzip
from pathlib import Path

HERE = Path(__file__).resolve().parent
T = "\t"

ORTHOLOGS = [
    ["#tax_id", "GeneID", "relationship", "Other_tax_id", "Other_GeneID"],
    ["9606", "276", "Ortholog", "10090", "11722"],     # AMY1A -> Amy1  } three human
    ["9606", "277", "Ortholog", "10090", "11722"],     # AMY1B -> Amy1  } genes, one
    ["9606", "278", "Ortholog", "10090", "11722"],     # AMY1C -> Amy1  } mouse gene
    ["9606", "627", "Ortholog", "10090", "12064"],     # BDNF -> Bdnf
    ["9606", "627", "Ortholog", "10116", "24225"],     # BDNF -> rat Bdnf (other taxon)
    ["9606", "1392", "Ortholog", "10090", "12918"],    # CRH -> Crh
    ["9606", "2289", "Ortholog", "10090", "14229"],    # FKBP5 -> Fkbp5
    ["9606", "2936", "Ortholog", "10090", "14782"],    # GSR -> Gsr
    ["9606", "3064", "Ortholog", "10090", "15194"],    # HTT -> Htt
    ["9606", "6532", "Ortholog", "10090", "15567"],    # SLC6A4 -> Slc6a4
    ["10090", "14815", "Ortholog", "9606", "2908"],    # Nr3c1 <- NR3C1, mouse-first row
    ["10090", "12064", "Ortholog", "9606", "627"],     # Bdnf <- BDNF again, reversed
]

GENE_INFO_HEADER = ["#tax_id", "GeneID", "Symbol", "LocusTag", "Synonyms", "dbXrefs",
                    "chromosome", "map_location", "description", "type_of_gene",
                    "Symbol_from_nomenclature_authority",
                    "Full_name_from_nomenclature_authority", "Nomenclature_status",
                    "Other_designations", "Modification_date", "Feature_type"]


def info(tax, gene_id, symbol, synonyms, xrefs, chrom, band, description, designations):
    return [tax, gene_id, symbol, "-", synonyms, xrefs, chrom, band, description,
            "protein-coding", symbol, description, "O", designations, "20250101", "-"]


HUMAN = [GENE_INFO_HEADER,
         info("9606", "276", "AMY1A", "AMY1", "HGNC:HGNC:474", "1", "1p21.1",
              "amylase alpha 1A", "alpha-amylase 1|salivary alpha-amylase"),
         info("9606", "277", "AMY1B", "AMY1", "HGNC:HGNC:475", "1", "1p21.1",
              "amylase alpha 1B", "alpha-amylase 1"),
         info("9606", "278", "AMY1C", "AMY1", "HGNC:HGNC:476", "1", "1p21.1",
              "amylase alpha 1C", "alpha-amylase 1"),
         info("9606", "627", "BDNF", "ANON2|BULN2", "MIM:113505|HGNC:HGNC:1033", "11",
              "11p14.1", "brain derived neurotrophic factor",
              "brain-derived neurotrophic factor|abrineurin|neurotrophin"),
         info("9606", "1392", "CRH", "CRF|CRH1", "HGNC:HGNC:2355", "8", "8q13.1",
              "corticotropin releasing hormone", "corticoliberin|corticotropin-releasing factor"),
         info("9606", "2289", "FKBP5", "AIG6|FKBP51|FKBP54|P54|PPIase|Ptg-10",
              "HGNC:HGNC:3721", "6", "6p21.31", "FKBP prolyl isomerase 5",
              "peptidyl-prolyl cis-trans isomerase FKBP5|51 kDa FK506-binding protein"),
         info("9606", "2908", "NR3C1", "GCCR|GCR|GCRST|GR|GRL", "HGNC:HGNC:7978", "5",
              "5q31.3", "nuclear receptor subfamily 3 group C member 1",
              "glucocorticoid receptor"),
         info("9606", "2936", "GSR", "GR|GRD1|HEL-75|HEL-S-122m", "HGNC:HGNC:4623", "8",
              "8p12", "glutathione-disulfide reductase", "glutathione reductase"),
         info("9606", "3064", "HTT", "HD|IT15|LOMARS", "HGNC:HGNC:4851", "4", "4p16.3",
              "huntingtin", "huntingtin|huntington disease protein"),
         info("9606", "6532", "SLC6A4", "5-HTT|5HTT|HTT|OCD1|SERT|SERT1|hSERT",
              "HGNC:HGNC:11050", "17", "17q11.2", "solute carrier family 6 member 4",
              "sodium-dependent serotonin transporter|serotonin transporter 1"),
         info("9606", "89832", "CHRFAM7A", "CHRNA7-DR1|D-10", "HGNC:HGNC:15781", "15",
              "15q13.2", "CHRNA7 (exons 5-10) and FAM7A (exons A-E) fusion",
              "CHRNA7-FAM7A fusion protein")]

MOUSE = [GENE_INFO_HEADER,
         info("10090", "11722", "Amy1", "Amy-1|Amy-1a", "MGI:MGI:88019", "3", "3 G1",
              "amylase 1, salivary", "alpha-amylase 1"),
         info("10090", "12064", "Bdnf", "-", "MGI:MGI:88145", "2", "2 E3",
              "brain derived neurotrophic factor", "brain-derived neurotrophic factor"),
         info("10090", "12918", "Crh", "CRF", "MGI:MGI:88496", "3", "3 A1",
              "corticotropin releasing hormone", "corticoliberin"),
         info("10090", "14229", "Fkbp5", "Dit1|FKBP51", "MGI:MGI:104670", "17", "17 A3.3",
              "FK506 binding protein 5", "peptidyl-prolyl cis-trans isomerase FKBP5"),
         info("10090", "14782", "Gsr", "Gr-1|Gr1", "MGI:MGI:95743", "8", "8 A2",
              "glutathione reductase", "glutathione reductase, mitochondrial"),
         info("10090", "14815", "Nr3c1", "GR|Grl|Grl-1|Grl1", "MGI:MGI:95824", "18", "18 B3",
              "nuclear receptor subfamily 3, group C, member 1", "glucocorticoid receptor"),
         info("10090", "15194", "Htt", "Hd|Hdh|IT15", "MGI:MGI:96067", "5", "5 B3",
              "huntingtin", "huntingtin|huntington disease gene homolog"),
         info("10090", "15567", "Slc6a4", "5-HTT|5HTT|Htt|SERT|Sert1", "MGI:MGI:96285", "11",
              "11 B5", "solute carrier family 6 member 4",
              "sodium-dependent serotonin transporter")]


def write(name, rows):
    text = "".join(T.join(r) + "\n" for r in rows)
    with open(HERE / name, "wb") as fh:
        with gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz:
            gz.write(text.encode("utf-8"))


if __name__ == "__main__":
    write("gene_orthologs.gz", ORTHOLOGS)
    write("Homo_sapiens.gene_info.gz", HUMAN)
    write("Mus_musculus.gene_info.gz", MOUSE)
