"""Demo copies of the curated gene-set sources, in their real file formats, with planted truth.

The workflow reads depression/anxiety gene sets and pathway collections from public files
(:mod:`painstress.data.genesets`). :func:`write_demo_genesets` writes a small copy of each
source, built from a simulated study (:func:`painstress.demo.simulate.simulate_study`), so
that the offline demo can run the gene-set stages and a test can score what they recover.
Every file has the layout of the real download (columns, header lines, compression); the
values are simulated (made-up PubMed ids, MGI ids, Ensembl ids, dates) and each file says
so in a place its format allows (a study title, a ``remark:``/``!`` header line) except
the headerless MGI and DISEASES tables and the GMT files.

Files written (name as downloaded; key in the returned dict)
------------------------------------------------------------
* ``gwas-catalog-associations_ontology-annotated-full.zip`` (``gwas_catalog``): the GWAS
  Catalog "alternative" download, a ZIP holding one TSV
  ``gwas-catalog-download-associations-alt-full.tsv`` (v1.0.2, 38 columns, header row, LF).
* ``MGI_GenePheno.rpt`` (``mgi_genepheno``): headerless, 8 columns; ``mp.obo`` (``mp_obo``).
* ``go-basic.obo`` (``go_obo``) and ``mgi.gaf.gz`` (``mgi_gaf``, GAF 2.2, 17 columns).
* ``mh.all.v2024.1.Mm.symbols.gmt`` (``msigdb_hallmark``) and
  ``m2.cp.reactome.v2024.1.Mm.symbols.gmt`` (``msigdb_reactome``): mouse MSigDB GMT.
* ``human_disease_experiments_filtered.tsv`` (``jensen_experiments``): JensenLab DISEASES
  experiments channel (TIGA), headerless, 7 columns.
* ``truth_genesets.tsv`` (``truth_genesets``): what is planted, see below.

Planted truth and the rules it is written for
---------------------------------------------
``truth_genesets.tsv`` has one row per (source, signature_or_term, mouse GeneID):
``source``, ``signature_or_term``, ``GeneID``, ``symbol`` (mouse), ``role``, ``detail``.
Roles: ``planted`` (a planted shared gene of the study, i.e. changed in the same direction
by pain and stress, that the documented rule selects), ``random`` (selected by the rule but
not planted: unchanged or random genes, the noise every real gene set has), ``decoy`` (in
the file, but the rule must NOT select it for that signature/term; ``detail`` says why;
signature ``any`` = for none of the signatures). The rules:

* GWAS (:data:`GWAS_TRAITS`): rows whose MAPPED_TRAIT_URI list holds one of the
  signature's trait ids and whose P-VALUE <= :data:`GWAS_P_MAX`; genes from MAPPED_GENE
  (``A``, ``A, B``, ``A - B``), human symbols mapped to mouse through the one-to-one
  orthologs of ``gene_orthologs.gz``/``Homo_sapiens.gene_info.gz`` as written by
  :func:`painstress.demo.simulate.write_demo_study`. Every selected mouse gene has a row
  where its SNP lies in the gene, so keeping or dropping flanking genes of intergenic
  SNPs does not change the truth; their other flanking genes are human genes without a
  mouse ortholog (they fall away at ortholog mapping and are not in the truth table).
* MGI (:data:`MP_QUERIES`): genes whose genotypes carry the MP term or a descendant along
  ``is_a`` (planted genes sit on CHILD terms only).
* DISEASES (:data:`JENSEN_DISEASES`): rows of the DOID with score >= :data:`JENSEN_MIN_SCORE`.
* GO: ``P`` annotations without a ``NOT`` qualifier and without ND evidence, on live terms,
  propagated along ``is_a`` and ``part_of`` (not ``regulates``); the truth lists the
  members of every biological-process term except the broad grouping terms of
  :data:`GO_GROUPING` (and the root).
* MSigDB: the GMT members as written.

Real ids and names
------------------
GWAS trait URIs and MAPPED_TRAIT names, MP ids/names, DOIDs and disease names are the real
ones (checked in ``shared/fixtures/genesets``: the EFO_0003761 export, the 2015 v1.0.1
download, ``VOC_MammalianPhenotype.rpt``, ``mp_head.obo``, ``go_head.obo``, the DISEASES
excerpt, ``h.all.v7.0.symbols.gmt``). GO ids/names are real; the themed histone terms
(GO:0016573 histone acetylation, GO:0043966 histone H3 acetylation, GO:0043970 histone
H3-K9 acetylation, GO:0016570 histone modification) were made obsolete by GO in 2023
(geneontology/go-ontology#24294, #24607), so the demo ontology is labelled a 2022
release, when they were live. The is_a/part_of/regulates edges are simplified (each
term sits under one or two nearby ancestors), not GO's or MP's full graphs.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from painstress.data.ncbi_files import GENE_INFO_COLUMNS
from painstress.demo.formats import gzip_bytes, write_bytes

# ------------------------------------------------------------------ file names and rules

GWAS_FILE = "gwas-catalog-associations_ontology-annotated-full.zip"
GWAS_MEMBER = "gwas-catalog-download-associations-alt-full.tsv"
MGI_GENEPHENO_FILE = "MGI_GenePheno.rpt"
MP_FILE = "mp.obo"
GO_FILE = "go-basic.obo"
GAF_FILE = "mgi.gaf.gz"
HALLMARK_FILE = "mh.all.v2024.1.Mm.symbols.gmt"
REACTOME_FILE = "m2.cp.reactome.v2024.1.Mm.symbols.gmt"
JENSEN_FILE = "human_disease_experiments_filtered.tsv"
TRUTH_FILE = "truth_genesets.tsv"
TRUTH_COLUMNS = ["source", "signature_or_term", "GeneID", "symbol", "role", "detail"]

EFO, OBO = "http://www.ebi.ac.uk/efo/", "http://purl.obolibrary.org/obo/"
GWAS_TRAITS = {"depression": ("EFO_0003761", "MONDO_0002009"), "anxiety": ("EFO_0005230",),
               "neuroticism": ("EFO_0007660",)}
GWAS_P_MAX = 5e-8
MP_QUERIES = {"anxiety": ("MP:0001362",), "depression": ("MP:0003360",)}
JENSEN_DISEASES = {"depression": "DOID:1595", "anxiety": "DOID:2030"}
JENSEN_MIN_SCORE = 1.5
HISTONE_ACETYLATION, INFLAMMATORY_RESPONSE = "GO:0016573", "GO:0006954"
GO_CONTROL = "GO:0001501"  # skeletal system development: unchanged genes only
HATS_SET = "REACTOME_HATS_ACETYLATE_HISTONES"
INFLAMMATORY_SET = "HALLMARK_INFLAMMATORY_RESPONSE"
MSIGDB_CONTROL = "HALLMARK_SPERMATOGENESIS"  # unchanged genes only

GWAS_COLUMNS = [
    "DATE ADDED TO CATALOG", "PUBMEDID", "FIRST AUTHOR", "DATE", "JOURNAL", "LINK", "STUDY",
    "DISEASE/TRAIT", "INITIAL SAMPLE SIZE", "REPLICATION SAMPLE SIZE", "REGION", "CHR_ID",
    "CHR_POS", "REPORTED GENE(S)", "MAPPED_GENE", "UPSTREAM_GENE_ID", "DOWNSTREAM_GENE_ID",
    "SNP_GENE_IDS", "UPSTREAM_GENE_DISTANCE", "DOWNSTREAM_GENE_DISTANCE",
    "STRONGEST SNP-RISK ALLELE", "SNPS", "MERGED", "SNP_ID_CURRENT", "CONTEXT", "INTERGENIC",
    "RISK ALLELE FREQUENCY", "P-VALUE", "PVALUE_MLOG", "P-VALUE (TEXT)", "OR or BETA",
    "95% CI (TEXT)", "PLATFORM [SNPS PASSING QC]", "CNV", "MAPPED_TRAIT", "MAPPED_TRAIT_URI",
    "STUDY ACCESSION", "GENOTYPING TECHNOLOGY"]

# GWAS studies: key -> (DISEASE/TRAIT, MAPPED_TRAIT, trait URIs)
_GWAS_STUDIES = {
    "depression": ("Depression", "unipolar depression", (EFO + "EFO_0003761",)),
    "mdd": ("Major depressive disorder", "major depressive disorder",
            (OBO + "MONDO_0002009",)),
    "anxiety": ("Anxiety", "anxiety", (EFO + "EFO_0005230",)),
    "neuroticism": ("Neuroticism", "neuroticism measurement", (EFO + "EFO_0007660",)),
    "depression_neuroticism": ("Depression and neuroticism (multi-trait analysis)",
                               "unipolar depression, neuroticism measurement",
                               (EFO + "EFO_0003761", EFO + "EFO_0007660")),
    "height": ("Height", "body height", (EFO + "EFO_0004339",)),
    "bmi_height": ("Body mass index and height (multi-trait analysis)",
                   "body mass index, body height", (EFO + "EFO_0004340", EFO + "EFO_0004339")),
    "trd": ("Treatment resistant depression",
            "treatment resistant depression, response to antidepressant",
            (EFO + "EFO_0009854", OBO + "GO_0036276")),
}

# Mammalian Phenotype: (id, name, is_a parents, alt_ids); ids/names from MGI's
# VOC_MammalianPhenotype.rpt and mp_head.obo (fixtures), edges as in MP (simplified).
_MP_TERMS = [
    ("MP:0000001", "mammalian phenotype", (), ()),
    ("MP:0005386", "behavior/neurological phenotype", ("MP:0000001",), ()),
    ("MP:0004924", "abnormal behavior", ("MP:0005386",), ()),
    ("MP:0002572", "abnormal emotion/affect behavior", ("MP:0004924",), ()),
    ("MP:0002065", "abnormal fear/anxiety-related behavior", ("MP:0002572",), ()),
    ("MP:0001362", "abnormal anxiety-related response", ("MP:0002065",), ()),
    ("MP:0001363", "increased anxiety-related response", ("MP:0001362",), ()),
    ("MP:0001364", "decreased anxiety-related response", ("MP:0001362",), ()),
    ("MP:0003106", "abnormal fear-related response", ("MP:0002065",), ()),
    ("MP:0003459", "increased fear-related response", ("MP:0003106",), ()),
    ("MP:0003460", "decreased fear-related response", ("MP:0003106",), ()),
    ("MP:0003360", "abnormal depression-related behavior", ("MP:0002572",), ()),
    ("MP:0002573", "behavioral despair", ("MP:0003360",), ()),
    ("MP:0009710", "anhedonia", ("MP:0003360",), ()),
    ("MP:0001186", "pigmentation phenotype", ("MP:0000001",), ()),
    ("MP:0001188", "hyperpigmentation", ("MP:0001186",), ()),
    ("MP:0002075", "abnormal coat/hair pigmentation", ("MP:0001186",), ("MP:0000368",)),
]
_MP_OBSOLETE = ("MP:0000002", "obsolete Morphology")

# Gene Ontology: id -> (name, aspect, "rel parent; rel parent"). Real ids and names;
# edges simplified. Obsolete: GO:1904578 (obsoleted 2022, go-announcements#349).
_GO_TERMS = {
    "GO:0008150": ("biological_process", "P", ""),
    "GO:0003674": ("molecular_function", "F", ""),
    "GO:0005575": ("cellular_component", "C", ""),
    "GO:0009987": ("cellular process", "P", "is_a GO:0008150"),
    "GO:0008152": ("metabolic process", "P", "is_a GO:0008150"),
    "GO:0065007": ("biological regulation", "P", "is_a GO:0008150"),
    "GO:0050789": ("regulation of biological process", "P",
                   "is_a GO:0065007; regulates GO:0008150"),
    "GO:0050794": ("regulation of cellular process", "P",
                   "is_a GO:0050789; regulates GO:0009987"),
    "GO:0050896": ("response to stimulus", "P", "is_a GO:0008150"),
    "GO:0051716": ("cellular response to stimulus", "P", "is_a GO:0050896; is_a GO:0009987"),
    "GO:0006950": ("response to stress", "P", "is_a GO:0050896"),
    "GO:0006952": ("defense response", "P", "is_a GO:0006950"),
    "GO:0002376": ("immune system process", "P", "is_a GO:0008150"),
    "GO:0032502": ("developmental process", "P", "is_a GO:0008150"),
    "GO:0048856": ("anatomical structure development", "P", "is_a GO:0032502"),
    "GO:0051179": ("localization", "P", "is_a GO:0008150"),
    "GO:0006810": ("transport", "P", "is_a GO:0051179"),
    "GO:0016043": ("cellular component organization", "P", "is_a GO:0009987"),
    "GO:0019538": ("protein metabolic process", "P", "is_a GO:0008152"),
    "GO:0036211": ("protein modification process", "P", "is_a GO:0019538"),
    "GO:0023052": ("signaling", "P", "is_a GO:0008150"),
    "GO:0007154": ("cell communication", "P", "is_a GO:0009987"),
    "GO:0007610": ("behavior", "P", "is_a GO:0008150"),
    "GO:0048511": ("rhythmic process", "P", "is_a GO:0008150"),
    "GO:0007600": ("sensory perception", "P", "is_a GO:0008150"),
    "GO:0006935": ("chemotaxis", "P", "is_a GO:0050896"),
    # themed terms
    "GO:0006473": ("protein acetylation", "P", "is_a GO:0036211"),
    "GO:0016570": ("histone modification", "P", "is_a GO:0036211"),
    "GO:0016573": ("histone acetylation", "P", "is_a GO:0016570; is_a GO:0006473"),
    "GO:0043966": ("histone H3 acetylation", "P", "is_a GO:0016573"),
    "GO:0043970": ("histone H3-K9 acetylation", "P", "is_a GO:0043966"),
    "GO:0006954": ("inflammatory response", "P", "is_a GO:0006952"),
    "GO:0002526": ("acute inflammatory response", "P", "is_a GO:0006954"),
    "GO:0050727": ("regulation of inflammatory response", "P",
                   "is_a GO:0050789; regulates GO:0006954"),
    "GO:0001501": ("skeletal system development", "P", "is_a GO:0048856"),
    # the multiple-testing burden: random genes
    "GO:0007165": ("signal transduction", "P",
                   "is_a GO:0050794; is_a GO:0023052; part_of GO:0051716"),
    "GO:0007186": ("G protein-coupled receptor signaling pathway", "P", "is_a GO:0007165"),
    "GO:0000165": ("MAPK cascade", "P", "is_a GO:0007165"),
    "GO:0016055": ("Wnt signaling pathway", "P", "is_a GO:0007165"),
    "GO:0007219": ("Notch signaling pathway", "P", "is_a GO:0007165"),
    "GO:0007179": ("transforming growth factor beta receptor signaling pathway", "P",
                   "is_a GO:0007165"),
    "GO:0019221": ("cytokine-mediated signaling pathway", "P", "is_a GO:0007165"),
    "GO:0006955": ("immune response", "P", "is_a GO:0002376; is_a GO:0050896"),
    "GO:0045087": ("innate immune response", "P", "is_a GO:0006955; is_a GO:0006952"),
    "GO:0002250": ("adaptive immune response", "P", "is_a GO:0006955"),
    "GO:0042110": ("T cell activation", "P", "is_a GO:0002376"),
    "GO:0030593": ("neutrophil chemotaxis", "P", "is_a GO:0006935"),
    "GO:0032496": ("response to lipopolysaccharide", "P", "is_a GO:0050896"),
    "GO:0001666": ("response to hypoxia", "P", "is_a GO:0006950"),
    "GO:0006979": ("response to oxidative stress", "P", "is_a GO:0006950"),
    "GO:0034976": ("response to endoplasmic reticulum stress", "P", "is_a GO:0006950"),
    "GO:0009611": ("response to wounding", "P", "is_a GO:0006950"),
    "GO:0006281": ("DNA repair", "P", "is_a GO:0006950"),
    "GO:0006915": ("apoptotic process", "P", "is_a GO:0009987"),
    "GO:0042981": ("regulation of apoptotic process", "P",
                   "is_a GO:0050794; regulates GO:0006915"),
    "GO:0043065": ("positive regulation of apoptotic process", "P",
                   "is_a GO:0042981; positively_regulates GO:0006915"),
    "GO:0043066": ("negative regulation of apoptotic process", "P",
                   "is_a GO:0042981; negatively_regulates GO:0006915"),
    "GO:0007049": ("cell cycle", "P", "is_a GO:0009987"),
    "GO:0051726": ("regulation of cell cycle", "P", "is_a GO:0050794; regulates GO:0007049"),
    "GO:0051301": ("cell division", "P", "is_a GO:0009987"),
    "GO:0006260": ("DNA replication", "P", "is_a GO:0008152"),
    "GO:0006366": ("transcription by RNA polymerase II", "P", "is_a GO:0008152"),
    "GO:0045944": ("positive regulation of transcription by RNA polymerase II", "P",
                   "is_a GO:0050794; positively_regulates GO:0006366"),
    "GO:0000122": ("negative regulation of transcription by RNA polymerase II", "P",
                   "is_a GO:0050794; negatively_regulates GO:0006366"),
    "GO:0006412": ("translation", "P", "is_a GO:0019538"),
    "GO:0006397": ("mRNA processing", "P", "is_a GO:0008152"),
    "GO:0008380": ("RNA splicing", "P", "is_a GO:0008152"),
    "GO:0006364": ("rRNA processing", "P", "is_a GO:0008152"),
    "GO:0006457": ("protein folding", "P", "is_a GO:0009987"),
    "GO:0006508": ("proteolysis", "P", "is_a GO:0019538"),
    "GO:0016567": ("protein ubiquitination", "P", "is_a GO:0036211"),
    "GO:0006468": ("protein phosphorylation", "P", "is_a GO:0036211"),
    "GO:0006470": ("protein dephosphorylation", "P", "is_a GO:0036211"),
    "GO:0006629": ("lipid metabolic process", "P", "is_a GO:0008152"),
    "GO:0006631": ("fatty acid metabolic process", "P", "is_a GO:0006629"),
    "GO:0005975": ("carbohydrate metabolic process", "P", "is_a GO:0008152"),
    "GO:0006096": ("glycolytic process", "P", "is_a GO:0005975"),
    "GO:0006119": ("oxidative phosphorylation", "P", "is_a GO:0008152"),
    "GO:0055085": ("transmembrane transport", "P", "is_a GO:0006810"),
    "GO:0006886": ("intracellular protein transport", "P", "is_a GO:0006810"),
    "GO:0016192": ("vesicle-mediated transport", "P", "is_a GO:0006810"),
    "GO:0006897": ("endocytosis", "P", "is_a GO:0016192"),
    "GO:0006887": ("exocytosis", "P", "is_a GO:0016192"),
    "GO:0007010": ("cytoskeleton organization", "P", "is_a GO:0016043"),
    "GO:0030036": ("actin cytoskeleton organization", "P", "is_a GO:0007010"),
    "GO:0000226": ("microtubule cytoskeleton organization", "P", "is_a GO:0007010"),
    "GO:0006338": ("chromatin remodeling", "P", "is_a GO:0016043"),
    "GO:0006914": ("autophagy", "P", "is_a GO:0009987"),
    "GO:0007155": ("cell adhesion", "P", "is_a GO:0009987"),
    "GO:0016477": ("cell migration", "P", "is_a GO:0009987"),
    "GO:0030154": ("cell differentiation", "P", "is_a GO:0032502"),
    "GO:0007399": ("nervous system development", "P", "is_a GO:0048856"),
    "GO:0030182": ("neuron differentiation", "P", "is_a GO:0030154"),
    "GO:0042063": ("gliogenesis", "P", "is_a GO:0032502"),
    "GO:0007409": ("axonogenesis", "P", "is_a GO:0032502"),
    "GO:0007411": ("axon guidance", "P", "is_a GO:0006935; part_of GO:0007409"),
    "GO:0001525": ("angiogenesis", "P", "is_a GO:0048856"),
    "GO:0007517": ("muscle organ development", "P", "is_a GO:0048856"),
    "GO:0007268": ("chemical synaptic transmission", "P", "is_a GO:0007154"),
    "GO:0050804": ("modulation of chemical synaptic transmission", "P",
                   "is_a GO:0050794; regulates GO:0007268"),
    "GO:0007611": ("learning or memory", "P", "is_a GO:0007610"),
    "GO:0007612": ("learning", "P", "is_a GO:0007611"),
    "GO:0007613": ("memory", "P", "is_a GO:0007611"),
    "GO:0007623": ("circadian rhythm", "P", "is_a GO:0048511"),
    "GO:0019233": ("sensory perception of pain", "P", "is_a GO:0007600"),
    "GO:0007596": ("blood coagulation", "P", "is_a GO:0008150"),
    # other aspects (rows a biological-process reader must ignore)
    "GO:0004402": ("histone acetyltransferase activity", "F", "is_a GO:0003674"),
    "GO:0005515": ("protein binding", "F", "is_a GO:0003674"),
    "GO:0005634": ("nucleus", "C", "is_a GO:0005575"),
    "GO:0005886": ("plasma membrane", "C", "is_a GO:0005575"),
}
_GO_ALT_IDS = {"GO:0008150": ("GO:0000004", "GO:0007582"), "GO:0003674": ("GO:0005554",),
               "GO:0005575": ("GO:0008372",)}
_GO_OBSOLETE = ("GO:1904578", "obsolete response to thapsigargin", "GO:0034976")
# broad terms left out of the truth table (their members are nearly everything)
GO_GROUPING = frozenset({
    "GO:0009987", "GO:0008152", "GO:0065007", "GO:0050789", "GO:0050794", "GO:0050896",
    "GO:0051716", "GO:0006950", "GO:0006952", "GO:0002376", "GO:0032502", "GO:0048856",
    "GO:0051179", "GO:0006810", "GO:0016043", "GO:0019538", "GO:0036211", "GO:0023052",
    "GO:0007154", "GO:0007610", "GO:0048511", "GO:0007600", "GO:0006935"})
_GO_THEMED = frozenset({"GO:0006473", "GO:0016570", "GO:0016573", "GO:0043966", "GO:0043970",
                        "GO:0006954", "GO:0002526", "GO:0050727", GO_CONTROL})
_NAMESPACES = {"P": "biological_process", "F": "molecular_function",
               "C": "cellular_component"}

# MSigDB mouse hallmark names (as in h.all.v7.0.symbols.gmt) and Reactome-style names
HALLMARK_SETS = (
    "TNFA_SIGNALING_VIA_NFKB", "HYPOXIA", "CHOLESTEROL_HOMEOSTASIS", "MITOTIC_SPINDLE",
    "WNT_BETA_CATENIN_SIGNALING", "TGF_BETA_SIGNALING", "IL6_JAK_STAT3_SIGNALING",
    "DNA_REPAIR", "G2M_CHECKPOINT", "APOPTOSIS", "NOTCH_SIGNALING", "ADIPOGENESIS",
    "ESTROGEN_RESPONSE_EARLY", "ESTROGEN_RESPONSE_LATE", "ANDROGEN_RESPONSE", "MYOGENESIS",
    "PROTEIN_SECRETION", "INTERFERON_ALPHA_RESPONSE", "INTERFERON_GAMMA_RESPONSE",
    "APICAL_JUNCTION", "APICAL_SURFACE", "HEDGEHOG_SIGNALING", "COMPLEMENT",
    "UNFOLDED_PROTEIN_RESPONSE", "PI3K_AKT_MTOR_SIGNALING", "MTORC1_SIGNALING",
    "E2F_TARGETS", "MYC_TARGETS_V1", "MYC_TARGETS_V2", "EPITHELIAL_MESENCHYMAL_TRANSITION",
    "INFLAMMATORY_RESPONSE", "XENOBIOTIC_METABOLISM", "FATTY_ACID_METABOLISM",
    "OXIDATIVE_PHOSPHORYLATION", "GLYCOLYSIS", "REACTIVE_OXYGEN_SPECIES_PATHWAY",
    "P53_PATHWAY", "UV_RESPONSE_UP", "UV_RESPONSE_DN", "ANGIOGENESIS", "HEME_METABOLISM",
    "COAGULATION", "IL2_STAT5_SIGNALING", "BILE_ACID_METABOLISM", "PEROXISOME",
    "ALLOGRAFT_REJECTION", "SPERMATOGENESIS", "KRAS_SIGNALING_UP", "KRAS_SIGNALING_DN",
    "PANCREAS_BETA_CELLS")
REACTOME_SETS = (
    "HATS_ACETYLATE_HISTONES", "HDACS_DEACETYLATE_HISTONES", "CHROMATIN_MODIFYING_ENZYMES",
    "SIGNALING_BY_GPCR", "GPCR_LIGAND_BINDING", "NEURONAL_SYSTEM",
    "TRANSMISSION_ACROSS_CHEMICAL_SYNAPSES", "AXON_GUIDANCE", "INTERLEUKIN_1_SIGNALING",
    "SIGNALING_BY_INTERLEUKINS", "CELL_CYCLE", "DNA_REPAIR", "TRANSLATION",
    "METABOLISM_OF_LIPIDS", "MRNA_SPLICING", "EXTRACELLULAR_MATRIX_ORGANIZATION",
    "INNATE_IMMUNE_SYSTEM", "ADAPTIVE_IMMUNE_SYSTEM", "HEMOSTASIS", "SIGNALING_BY_WNT",
    "SIGNALING_BY_NOTCH", "SIGNALING_BY_TGFB_FAMILY_MEMBERS",
    "RESPIRATORY_ELECTRON_TRANSPORT", "GLYCOLYSIS", "APOPTOSIS", "POTASSIUM_CHANNELS",
    "NEUROTRANSMITTER_RECEPTORS_AND_POSTSYNAPTIC_SIGNAL_TRANSMISSION", "CIRCADIAN_CLOCK",
    "MAPK1_MAPK3_SIGNALING", "INTERFERON_SIGNALING", "PROTEIN_FOLDING", "AUTOPHAGY")

# JensenLab DISEASES: DOID -> name (real, from the experiments excerpt)
_DISEASES = {"DOID:1595": "Endogenous depression", "DOID:2030": "Anxiety disorder",
             "DOID:535": "Sleep disorder", "DOID:1094": "Attention deficit hyperactivity disorder",
             "DOID:0050589": "Inflammatory bowel disease"}

# ------------------------------------------------------------------ the study's genes


def demo_signatures(study: dict[str, pd.DataFrame], seed: int) -> dict[str, bytes]:
    """External signatures for the demo, with planted truth, in the real file formats.

    Human genes: the mouse genes whose symbols are not Gm/Rik placeholders get a human
    ortholog (upper-case symbol, made-up GeneID); 2 % of them a second one (one-to-many,
    dropped by the default one-to-one mapping); 150 human genes have no mouse ortholog.
    Written as NCBI Gene's ``gene_orthologs.gz`` and ``Homo_sapiens.gene_info.gz``.

    Signatures (user-file formats of :mod:`painstress.compare.signatures`):

    * ``depression_human.tsv``: signed, human symbols; up to 24 of the planted shared genes
      (60 % of those with a one-to-one human ortholog) with their direction, 66 genes
      unchanged in the demo with random directions, 10 human genes without a mouse ortholog;
    * ``anxiety_mouse.gmt``: MSigDB-style UP/DN sets, mouse symbols; up to 16 other planted
      shared genes, 8 planted pain-only genes, 40 unchanged genes;
    * ``random_control.gmt``: undirected, 100 unchanged genes: a negative control.

    Returns file name -> bytes, including ``truth_signatures.tsv`` (signature, GeneID,
    symbol, role). A separate random stream, so the counts do not depend on it.
    """
    rng = np.random.default_rng(seed)
    genes = study["genes"]
    placeholder = genes["Symbol"].str.match(r"^Gm\d+$|Rik$|^\d")
    with_human = genes[~placeholder].reset_index(drop=True)
    # room for the one-to-many paralogs (2 %) and the 150 human-only genes, never shared
    # (the demo's sizes keep the 400 of its random stream)
    spare = max(400, len(with_human) // 50 + 152)
    human_ids = rng.choice(np.arange(1, 200_000), size=len(with_human) + spare, replace=False)
    pairs = pd.DataFrame({"human": human_ids[: len(with_human)], "mouse": with_human["GeneID"],
                          "symbol": with_human["Symbol"].str.upper()})
    extra = pairs.sample(frac=0.02, random_state=rng.integers(2**31))  # one-to-many
    paralogs = pd.DataFrame({"human": human_ids[len(with_human): len(with_human) + len(extra)],
                             "mouse": extra["mouse"].to_numpy(),
                             "symbol": extra["symbol"].to_numpy() + "B"})
    human_only = pd.DataFrame({"human": human_ids[-150:], "mouse": 0,
                               "symbol": [f"HSA{k:04d}" for k in range(150)]})
    orthologs = pd.concat([pairs, paralogs]).sort_values(["human", "mouse"])
    ortholog_text = "#tax_id\tGeneID\trelationship\tOther_tax_id\tOther_GeneID\n" + "".join(
        f"9606\t{h}\tOrtholog\t10090\t{m}\n" for h, m in zip(orthologs["human"],
                                                            orthologs["mouse"]))
    everyone = pd.concat([pairs, paralogs, human_only]).sort_values("human")
    info = pd.DataFrame({column: "-" for column in GENE_INFO_COLUMNS}, index=range(len(everyone)))
    info["#tax_id"], info["GeneID"] = 9606, everyone["human"].to_numpy()
    info["Symbol"] = info["Symbol_from_nomenclature_authority"] = everyone["symbol"].to_numpy()
    info["description"] = "simulated human gene (painstress demo study)"
    info["type_of_gene"], info["Nomenclature_status"] = "protein-coding", "O"
    info["Modification_date"] = "20260101"

    one_to_one = pairs[~pairs["mouse"].isin(extra["mouse"])]
    shared = (study["shared_truth"].drop_duplicates("GeneID")
              .set_index("GeneID")["direction"])
    de = study["de_truth"]
    pain_only = sorted(set(de.loc[de["model"] == "pain", "GeneID"]) - set(shared.index))
    changed = set(de["GeneID"])
    unchanged = one_to_one[~one_to_one["mouse"].isin(changed)]
    symbol = dict(zip(genes["GeneID"], genes["Symbol"]))
    human_symbol = dict(zip(one_to_one["mouse"], one_to_one["symbol"]))
    eligible = [g for g in shared.index if g in human_symbol]
    in_depression = list(rng.choice(eligible, size=min(24, int(0.6 * len(eligible))),
                                     replace=False))
    rest = [g for g in shared.index if g not in in_depression]
    in_anxiety = list(rng.choice(rest, size=min(16, len(rest)), replace=False))
    calm = rng.choice(unchanged["mouse"].to_numpy(), size=206, replace=False)
    sign = lambda: rng.choice(["up", "down"])  # noqa: E731
    truth = []

    depression = [(human_symbol[g], shared[g]) for g in in_depression]
    truth += [("depression_human", g, "shared") for g in in_depression]
    depression += [(human_symbol[g], sign()) for g in calm[:66]]
    truth += [("depression_human", g, "unchanged") for g in calm[:66]]
    depression += [(s, sign()) for s in human_only["symbol"][:10]]
    depression_text = (
        f"# source: simulated by painstress.demo.simulate (demo): {len(in_depression)} planted "
        "pain-and-stress genes, 66 unchanged genes, 10 human genes without a mouse ortholog\n"
        "# citation: none (simulated demo signature)\n# organism: human\n"
        "# id_type: symbol\n# description: demo depression signature, human symbols\n"
        "gene\tdirection\n" + "".join(f"{g}\t{d}\n" for g, d in depression))

    anxiety = {"up": [], "down": []}
    for g in in_anxiety:
        anxiety[shared[g]].append(symbol[g])
        truth.append(("anxiety_mouse", g, "shared"))
    pain_de = de[de["model"] == "pain"].drop_duplicates("GeneID").set_index("GeneID")["log2FC"]
    for g in rng.choice(pain_only, size=8, replace=False):
        anxiety["up" if pain_de[g] > 0 else "down"].append(symbol[g])
        truth.append(("anxiety_mouse", g, "pain_only"))
    for g in calm[66:106]:
        anxiety[sign()].append(symbol[g])
        truth.append(("anxiety_mouse", g, "unchanged"))
    anxiety_text = (
        f"# source: simulated by painstress.demo.simulate (demo): {len(in_anxiety)} planted "
        "pain-and-stress genes, 8 planted pain-only genes, 40 unchanged genes\n"
        "# citation: none (simulated demo signature)\n# organism: mouse\n# id_type: symbol\n"
        + "".join(f"ANXIETY_DEMO_{label}\tdemo anxiety genes, {d}\t" + "\t".join(anxiety[d])
                  + "\n" for d, label in (("up", "UP"), ("down", "DN"))))
    control_text = (
        "# source: simulated by painstress.demo.simulate (demo): 100 unchanged genes, a negative "
        "control\n# organism: mouse\n# id_type: symbol\n"
        "RANDOM_CONTROL\tdemo negative control\t"
        + "\t".join(symbol[g] for g in calm[106:206]) + "\n")
    truth += [("random_control", g, "unchanged") for g in calm[106:206]]
    truth_table = pd.DataFrame(truth, columns=["signature", "GeneID", "role"])
    truth_table.insert(2, "symbol", truth_table["GeneID"].map(symbol))
    return {"gene_orthologs.gz": gzip_bytes(ortholog_text),
            "Homo_sapiens.gene_info.gz": gzip_bytes(info.to_csv(sep="\t", index=False,
                                                                 lineterminator="\n")),
            "depression_human.tsv": depression_text.encode(),
            "anxiety_mouse.gmt": anxiety_text.encode(),
            "random_control.gmt": control_text.encode(),
            "truth_signatures.tsv": truth_table.to_csv(sep="\t", index=False,
                                                       lineterminator="\n").encode()}



def human_orthologs(study: dict[str, pd.DataFrame], seed: int) -> pd.DataFrame:
    """The human genes :func:`demo_signatures` writes for
    ``study`` and ``seed`` (its ``gene_orthologs.gz`` and ``Homo_sapiens.gene_info.gz``),
    read back from those bytes so the two can never disagree.

    Out: one row per human gene, sorted by ``human_GeneID``: ``human_GeneID``,
    ``human_symbol``, ``mouse_GeneID`` (0 = no mouse ortholog) and ``one_to_one`` (the
    pair is the only one of both genes: what the default ortholog mapping keeps).
    """
    files = demo_signatures(study, seed)
    pairs = pd.read_csv(io.BytesIO(files["gene_orthologs.gz"]), sep="\t", compression="gzip")
    info = pd.read_csv(io.BytesIO(files["Homo_sapiens.gene_info.gz"]), sep="\t",
                       compression="gzip", usecols=["GeneID", "Symbol"])
    single = ~pairs["GeneID"].duplicated(keep=False) & ~pairs["Other_GeneID"].duplicated(
        keep=False)
    mouse = dict(zip(pairs["GeneID"], pairs["Other_GeneID"]))
    table = pd.DataFrame({"human_GeneID": info["GeneID"], "human_symbol": info["Symbol"]})
    table["mouse_GeneID"] = table["human_GeneID"].map(mouse).fillna(0).astype(np.int64)
    table["one_to_one"] = table["human_GeneID"].isin(set(pairs.loc[single, "GeneID"]))
    return table.sort_values("human_GeneID").reset_index(drop=True)


@dataclass
class _Demo:
    """What every source draws on; ``truth`` collects the truth-table rows."""

    rng: np.random.Generator
    symbol: dict[int, str]
    shared: list[int]          # planted shared genes (GeneID), sorted
    unchanged: list[int]       # DE in neither model, sorted
    human: dict[int, tuple[int, str]]  # mouse GeneID -> one-to-one human (GeneID, symbol)
    human_only: list[tuple[int, str]]  # human genes without a mouse ortholog
    mgi: dict[int, str]        # mouse GeneID -> made-up MGI marker id
    truth: list[tuple] = field(default_factory=list)

    def shuffled(self, genes: Sequence[int]) -> list[int]:
        return [int(g) for g in self.rng.permutation(np.asarray(genes, dtype=np.int64))]

    def add(self, source: str, name: str, genes: Iterable[int], role: str,
            detail: str = "") -> None:
        self.truth += [(source, name, int(g), role, detail) for g in genes]


def _demo(study: dict[str, pd.DataFrame], rng: np.random.Generator,
          orthologs: pd.DataFrame) -> _Demo:
    genes = study["genes"]
    symbol = dict(zip(genes["GeneID"].astype(int), genes["Symbol"]))
    shared = sorted(int(g) for g in study["shared_truth"]["GeneID"].unique())
    changed = set(study["de_truth"]["GeneID"].astype(int))
    unchanged = sorted(g for g in symbol if g not in changed)
    one = orthologs[orthologs["one_to_one"] & orthologs["mouse_GeneID"].isin(symbol)]
    human = {int(m): (int(h), s) for h, s, m in zip(one["human_GeneID"], one["human_symbol"],
                                                    one["mouse_GeneID"])}
    alone = orthologs[orthologs["mouse_GeneID"] == 0]
    human_only = [(int(h), s) for h, s in zip(alone["human_GeneID"], alone["human_symbol"])]
    ids = 87_000 + rng.choice(5_900_000, size=len(genes), replace=False)
    mgi = {int(g): f"MGI:{int(i)}" for g, i in zip(genes["GeneID"], ids)}
    return _Demo(rng, symbol, shared, unchanged, human, human_only, mgi)


def _take(pool: list[int], n: int) -> list[int]:
    """Pop up to ``n`` genes from the front of ``pool``."""
    out = pool[:n]
    del pool[:n]
    return out


# ------------------------------------------------------------------ GWAS Catalog


def _p_text(mantissa: int, exponent: int) -> tuple[str, float]:
    return f"{mantissa}E-{exponent}", mantissa * 10.0 ** -exponent


class _GwasWriter:
    """Rows of the GWAS Catalog table; genes as (human symbol, Ensembl gene id)."""

    def __init__(self, demo: _Demo):
        self.demo = demo
        self.rows: list[list[str]] = []
        self.studies: dict[str, list[str]] = {}
        self.snps = iter(1_000_000 + demo.rng.choice(149_000_000, size=20_000, replace=False))

    def gene(self, mouse: int) -> tuple[str, str]:
        human_id, name = self.demo.human[mouse]
        return name, f"ENSG{100_000 + human_id:011d}"

    def lonely(self) -> tuple[str, str]:
        """A human gene without a mouse ortholog (a lncRNA/pseudogene stand-in)."""
        human_id, name = self.demo.human_only[int(self.demo.rng.integers(
            len(self.demo.human_only)))]
        return name, f"ENSG{100_000 + human_id:011d}"

    def study(self, key: str) -> list[str]:
        if key not in self.studies:
            rng, k = self.demo.rng, len(self.studies) + 1
            trait, mapped, uris = _GWAS_STUDIES[key]
            pmid = str(int(rng.integers(30_000_000, 39_000_000)))
            year = 2016 + k % 8
            cases, controls = (int(x) for x in rng.integers(5_000, 200_000, size=2))
            self.studies[key] = [
                f"{year + 1}-0{1 + k % 9}-1{k % 10}", pmid, f"Demo {chr(64 + k)}",
                f"{year}-1{k % 3}-0{1 + k % 9}", "Demo J (simulated)",
                f"www.ncbi.nlm.nih.gov/pubmed/{pmid}",
                f"Simulated genome-wide association study of {trait.lower()} "
                "(painstress demo, not real data).",
                trait, f"{cases:,} European ancestry cases, {controls:,} European ancestry "
                "controls", "NA", mapped, ", ".join(uris), f"GCST9{90_000 + k:06d}"]
        return self.studies[key]

    def row(self, key: str, form: str, genes: Sequence[tuple[str, str]],
            p: tuple[str, float]) -> None:
        """One association. ``form``: ``gene`` (SNP in genes[0]), ``overlap`` (``A, B``),
        ``intergenic`` (``A - B``), ``none`` (``No mapped genes``), ``empty``."""
        rng = self.demo.rng
        meta = self.study(key)
        chrom = int(rng.integers(1, 23))
        pos = int(rng.integers(1_000_000, 150_000_000))
        snp = int(next(self.snps))
        names = [g[0] for g in genes]
        up = down = snp_genes = up_dist = down_dist = ""
        if form == "gene":
            mapped, snp_genes, context, intergenic = names[0], genes[0][1], "intron_variant", "0"
        elif form == "overlap":
            mapped, context, intergenic = ", ".join(names), "intron_variant", "0"
            snp_genes = ", ".join(g[1] for g in genes)
        elif form == "intergenic":
            mapped, context, intergenic = " - ".join(names), "intergenic_variant", "1"
            up, down = genes[0][1], genes[1][1]
            up_dist, down_dist = (str(int(x)) for x in rng.integers(2_000, 150_000, size=2))
        else:
            mapped = "No mapped genes" if form == "none" else ""
            context, intergenic = "intergenic_variant", "1"
        options = ["NR", ", ".join(names)] if names else ["NR"]
        reported = str(rng.choice(options + ["intergenic"] if intergenic == "1" else options))
        p_text, p_value = p
        odds = rng.uniform(1.01, 1.25)
        self.rows.append([
            *meta[:9], meta[9], f"{chrom}{rng.choice(['p', 'q'])}{rng.integers(11, 37)}."
            f"{rng.integers(1, 4)}", str(chrom), str(pos), reported, mapped, up, down,
            snp_genes, up_dist, down_dist, f"rs{snp}-{rng.choice(list('ACGT'))}", f"rs{snp}",
            "0", str(snp), context, intergenic, f"{rng.uniform(0.05, 0.95):.3f}", p_text,
            repr(-math.log10(p_value)), "", f"{odds:.3f}",
            f"[{odds - 0.02:.2f}-{odds + 0.02:.2f}]", "Illumina [8000000] (imputed)", "N",
            meta[10], meta[11], meta[12], "Genome-wide genotyping array"])


def _significant(rng: np.random.Generator) -> tuple[str, float]:
    exponent = int(rng.integers(8, 31))
    mantissa = int(rng.integers(1, 6 if exponent == 8 else 10))
    return _p_text(mantissa, exponent)


def _gwas(demo: _Demo) -> bytes:
    """The GWAS Catalog download (ZIP of one TSV) and its truth rows."""
    rng, gw = demo.rng, _GwasWriter(demo)
    eligible = demo.shuffled([g for g in demo.shared if g in demo.human])
    n = len(eligible)
    n_dep, n_anx = max(1, round(0.4 * n)), max(1, round(0.2 * n))
    n_neu, n_both = max(1, round(0.1 * n)), max(1, round(0.1 * n))
    planted = {"depression": _take(eligible, n_dep), "anxiety": _take(eligible, n_anx),
               "neuroticism": _take(eligible, n_neu), "both": _take(eligible, n_both)}
    pool = demo.shuffled([g for g in demo.unchanged if g in demo.human])
    noise = {k: _take(pool, round(1.5 * len(v))) for k, v in planted.items()}

    def selected(key: str, genes: list[int], boundary: bool = False) -> None:
        """In-gene rows for every gene (some as "A, B"), plus intergenic rows next to a
        gene without a mouse ortholog for some; ``boundary``: one row at exactly 5E-8."""
        genes = demo.shuffled(genes)
        k = 0
        while k < len(genes):
            p = _p_text(5, 8) if boundary and k == 0 else _significant(rng)
            if k + 1 < len(genes) and rng.random() < 0.25:
                gw.row(key, "overlap", [gw.gene(genes[k]), gw.gene(genes[k + 1])], p)
                k += 2
                continue
            gw.row(key, "gene", [gw.gene(genes[k])], p)
            if rng.random() < 0.3:
                pair = [gw.gene(genes[k]), gw.lonely()]
                gw.row(key, "intergenic", pair if rng.random() < 0.5 else pair[::-1],
                       _significant(rng))
            k += 1

    def decoys(key: str, genes: list[int]) -> None:
        """Sub-threshold rows in all gene forms, one just above the threshold."""
        forms = [("gene", 1, _p_text(1, 6)), ("overlap", 2, _p_text(1, 6)),
                 ("intergenic", 2, _p_text(2, 7)), ("gene", 1, _p_text(6, 8))]
        k = 0
        for form, width, p in forms * len(genes):
            if k + width > len(genes):
                break
            gw.row(key, form, [gw.gene(g) for g in genes[k:k + width]], p)
            k += width

    split = (2 * (len(planted["depression"]) + len(noise["depression"]))) // 3
    depression = planted["depression"] + noise["depression"]
    order = demo.shuffled(depression)
    selected("depression", order[:split], boundary=True)
    selected("mdd", order[split:])
    gw.row("depression", "none", [], _significant(rng))
    gw.row("mdd", "empty", [], _significant(rng))
    selected("depression_neuroticism", planted["both"] + noise["both"])
    selected("anxiety", planted["anxiety"] + noise["anxiety"])
    selected("neuroticism", planted["neuroticism"] + noise["neuroticism"])
    for signature, genes in (("depression", planted["depression"] + planted["both"]),
                             ("anxiety", planted["anxiety"]),
                             ("neuroticism", planted["neuroticism"] + planted["both"])):
        demo.add("gwas_catalog", signature, genes, "planted")
    for signature, genes in (("depression", noise["depression"] + noise["both"]),
                             ("anxiety", noise["anxiety"]),
                             ("neuroticism", noise["neuroticism"] + noise["both"])):
        demo.add("gwas_catalog", signature, genes, "random")

    for key, signature, n_decoys in (("depression", "depression", 6), ("mdd", "depression", 3),
                                     ("anxiety", "anxiety", 6)):
        genes = _take(pool, n_decoys)
        decoys(key, genes)
        demo.add("gwas_catalog", signature, genes, "decoy", f"P-VALUE > {GWAS_P_MAX:g}")
    for key, n_decoys in (("height", 6), ("bmi_height", 3), ("trd", 3)):
        genes = _take(pool, n_decoys)
        selected(key, genes)
        uris = _GWAS_STUDIES[key][2]
        demo.add("gwas_catalog", "any", genes, "decoy",
                 "other trait " + ", ".join(u.rsplit("/", 1)[1] for u in uris))

    text = "\t".join(GWAS_COLUMNS) + "\n" + "".join("\t".join(r) + "\n" for r in gw.rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        info = zipfile.ZipInfo(GWAS_MEMBER, date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type, info.create_system = zipfile.ZIP_DEFLATED, 3
        info.external_attr = 0o644 << 16
        z.writestr(info, text.encode())
    return buffer.getvalue()


# ------------------------------------------------------------------ MGI and MP

_LABS = ("Jfm", "Rsky", "Mrl", "Tyj", "Brd", "Lex", "Sjm", "Kjb", "Ehs", "Pgr")
_BACKGROUNDS = ("involves: 129S2/SvPas * C57BL/6J", "C57BL/6J",
                "involves: 129S7/SvEvBrd * C57BL/6", "involves: 129S4/SvJae * C57BL/6J",
                "B6.129S4-{allele}/J")


def _mgi(demo: _Demo) -> tuple[bytes, bytes]:
    """``MGI_GenePheno.rpt`` and ``mp.obo``, and their truth rows."""
    rng = demo.rng
    shared = demo.shuffled(demo.shared)
    n_anx = max(1, round(0.25 * len(shared)))
    n_dep = max(1, round(0.2 * len(shared)))
    planted = {"anxiety": _take(shared, n_anx), "depression": _take(shared, n_dep)}
    pool = demo.shuffled(demo.unchanged)
    noise = {k: _take(pool, 2 * len(v)) for k, v in planted.items()}
    fear, pigment = _take(pool, 8), _take(pool, 8)
    children = {"anxiety": ("MP:0001363", "MP:0001364"),
                "depression": ("MP:0002573", "MP:0009710")}
    ids = iter(rng.choice(2_000_000, size=4 * len(demo.symbol) + 100, replace=False))
    rows: list[list[str]] = []

    def genotype(gene: int, terms: list[str]) -> None:
        symbol, lab = demo.symbol[gene], _LABS[int(rng.integers(len(_LABS)))]
        allele = f"{symbol}<tm{int(rng.integers(1, 3))}{lab}>"
        allele_id, genotype_id = f"MGI:{6_000_000 + next(ids)}", f"MGI:{8_000_000 + next(ids)}"
        if rng.random() < 0.25:
            composition, alleles = f"{allele}/{symbol}<+>", f"{allele}|{symbol}<+>"
        else:
            composition, alleles = f"{allele}/{allele}", allele
        background = _BACKGROUNDS[int(rng.integers(len(_BACKGROUNDS)))].format(allele=allele)
        pmids = "|".join(str(int(x)) for x in rng.integers(10_000_000, 38_000_000,
                                                           size=1 + int(rng.random() < 0.2)))
        for term in terms:
            rows.append([composition, alleles, allele_id, background, term, pmids,
                         demo.mgi[gene], genotype_id])

    for signature in ("anxiety", "depression"):
        query = MP_QUERIES[signature][0]
        for genes, role in ((planted[signature], "planted"), (noise[signature], "random")):
            for k, gene in enumerate(genes):
                # planted genes only on child terms; random genes also on the query term
                terms = list(children[signature]) if role == "planted" else \
                    [*children[signature], query]
                first = [terms[k % len(terms)]]
                extra = ["MP:0001188"] if rng.random() < 0.2 else []
                genotype(gene, first + extra)
                if rng.random() < 0.3:
                    genotype(gene, [terms[(k + 1) % len(terms)]])
            demo.add("mgi", signature, genes, role, f"annotated below {query}")
    for k, gene in enumerate(fear):
        genotype(gene, [("MP:0003459", "MP:0003460", "MP:0003106")[k % 3]])
    demo.add("mgi", "anxiety", fear, "decoy", "fear-related response (sibling branch)")
    for k, gene in enumerate(pigment):
        genotype(gene, [("MP:0000368", "MP:0002075", "MP:0001188")[k % 3]])
    demo.add("mgi", "any", pigment, "decoy", "pigmentation terms only")
    rows.sort(key=lambda r: (int(r[6].split(":")[1]), r[7], r[4]))
    report = "".join("\t".join(r) + "\n" for r in rows).encode()

    lines = ["format-version: 1.2", "data-version: releases/2024-06-01",
             "default-namespace: MPheno.ontology", "ontology: mp",
             "remark: simulated by painstress.demo.genesets for the offline demo: real MP ids "
             "and names, simplified is_a edges, a few terms only; not a copy of mp.obo", ""]
    names = {t[0]: t[1] for t in _MP_TERMS}
    for term, name, parents, alt_ids in sorted(_MP_TERMS + [(*_MP_OBSOLETE, (), ())]):
        lines += ["[Term]", f"id: {term}", f"name: {name}"]
        lines += [f"alt_id: {a}" for a in alt_ids]
        lines += [f"is_a: {p} ! {names[p]}" for p in parents]
        if term == _MP_OBSOLETE[0]:
            lines.append("is_obsolete: true")
        lines.append("")
    return report, "\n".join(lines).encode()


# ------------------------------------------------------------------ Gene Ontology


def _go_parents() -> dict[str, list[tuple[str, str]]]:
    parents = {}
    for term, (_, _, edges) in _GO_TERMS.items():
        parents[term] = [tuple(e.split()) for e in edges.split("; ") if e]
    return parents


def go_ancestors(term: str, relations: Sequence[str] = ("is_a", "part_of")) -> set[str]:
    """``term`` and every term above it in the demo ``go-basic.obo`` along ``relations``."""
    parents = _go_parents()
    seen, stack = {term}, [term]
    while stack:
        for relation, parent in parents.get(stack.pop(), ()):
            if relation in relations and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _go_obo() -> bytes:
    lines = ["format-version: 1.2", "data-version: releases/2022-11-03",
             'subsetdef: goslim_generic "Generic GO slim"',
             'synonymtypedef: systematic_synonym "Systematic synonym" EXACT',
             "default-namespace: gene_ontology",
             "remark: simulated by painstress.demo.genesets for the offline demo: real GO ids "
             "and names as of 2022, simplified edges, a few terms only; not a copy of "
             "go-basic.obo", "ontology: go",
             'property_value: owl:versionInfo "2022-11-03" xsd:string', ""]
    parents = _go_parents()
    for term in sorted([*_GO_TERMS, _GO_OBSOLETE[0]]):
        if term == _GO_OBSOLETE[0]:
            lines += ["[Term]", f"id: {term}", f"name: {_GO_OBSOLETE[1]}",
                      "namespace: biological_process", "is_obsolete: true",
                      f"consider: {_GO_OBSOLETE[2]}", ""]
            continue
        name, aspect, _ = _GO_TERMS[term]
        lines += ["[Term]", f"id: {term}", f"name: {name}", f"namespace: {_NAMESPACES[aspect]}"]
        lines += [f"alt_id: {a}" for a in _GO_ALT_IDS.get(term, ())]
        edges = parents[term]
        lines += [f"is_a: {p} ! {_GO_TERMS[p][0]}" for r, p in edges if r == "is_a"]
        lines += [f"relationship: {r} {p} ! {_GO_TERMS[p][0]}" for r, p in edges
                  if r != "is_a"]
        lines.append("")
    for typedef, name, xref, extra in (
            ("negatively_regulates", "negatively regulates", "RO:0002212", "is_a: regulates"),
            ("part_of", "part of", "BFO:0000050", "is_transitive: true"),
            ("positively_regulates", "positively regulates", "RO:0002213", "is_a: regulates"),
            ("regulates", "regulates", "RO:0002211", "is_transitive: true")):
        lines += ["[Typedef]", f"id: {typedef}", f"name: {name}", "namespace: external",
                  f"xref: {xref}", extra, ""]
    return "\n".join(lines).encode()


def _go(demo: _Demo) -> tuple[bytes, bytes]:
    """``go-basic.obo`` and ``mgi.gaf.gz`` (GAF 2.2), and their truth rows."""
    rng = demo.rng
    genes = sorted(demo.symbol)
    annotations: list[tuple[int, str, str, str]] = []  # (gene, GO id, qualifier, evidence)
    planted_at: dict[str, set[int]] = defaultdict(set)  # term -> planted genes annotated

    def annotate(members: Iterable[int], terms: Sequence[str], weights=None,
                 planted: bool = False, qualifier: str = "involved_in") -> None:
        for gene in members:
            term = terms[int(rng.choice(len(terms), p=weights))]
            evidence = str(rng.choice(["IDA", "IMP", "ISO", "IBA", "IEA"]))
            annotations.append((gene, term, qualifier, evidence))
            if rng.random() < 0.15:  # the same annotation from a second source
                annotations.append((gene, term, qualifier, "ISO"))
            if planted:
                planted_at[term].add(gene)

    shared = demo.shuffled(demo.shared)
    pool = demo.shuffled(demo.unchanged)
    n_hist = min(20, max(1, round(0.5 * len(shared))))
    histone = _take(shared, n_hist)
    inflammatory = _take(shared, max(1, round(0.2 * len(demo.shared))))
    histone_terms = ("GO:0043966", "GO:0043970", HISTONE_ACETYLATION)
    annotate(histone, histone_terms, (0.5, 0.3, 0.2), planted=True)
    annotate(_take(pool, 5), histone_terms, (0.5, 0.3, 0.2))
    for gene in histone[: max(1, len(histone) // 2)]:
        annotations.append((gene, "GO:0004402", "enables", "IDA"))
        annotations.append((gene, "GO:0005634", "located_in", "IDA"))
    inflammation_terms = (INFLAMMATORY_RESPONSE, "GO:0002526")
    annotate(inflammatory, inflammation_terms, (0.7, 0.3), planted=True)
    annotate(_take(pool, 40 - len(inflammatory)), inflammation_terms, (0.7, 0.3))
    annotate(_take(pool, 30), (GO_CONTROL,))
    not_histone, not_inflammatory = _take(pool, 3), _take(pool, 2)
    annotate(not_histone, (HISTONE_ACETYLATION,), qualifier="NOT|involved_in")
    annotate(not_inflammatory, (INFLAMMATORY_RESPONSE,), qualifier="NOT|involved_in")
    regulators = _take(pool, 12)
    annotate(regulators, ("GO:0050727",))
    obsolete = _take(pool, 4)
    annotate(obsolete, (_GO_OBSOLETE[0],))
    burden = sorted(t for t, (_, aspect, _) in _GO_TERMS.items() if aspect == "P"
                    and t not in GO_GROUPING | _GO_THEMED | {"GO:0008150"})
    top = max(10, min(200, len(genes) // 15))
    for term in burden:
        size = int(round(math.exp(rng.uniform(math.log(10), math.log(top)))))
        annotate(demo.shuffled(genes)[:size], (term,))
    for gene in demo.shuffled(genes)[:40]:  # "no biological data available"
        annotations.append((gene, "GO:0008150", "involved_in", "ND"))
    for gene in demo.shuffled(genes)[:200]:
        annotations.append((gene, str(rng.choice(["GO:0005634", "GO:0005886"])), "located_in",
                            "IDA"))
        annotations.append((gene, "GO:0005515", "enables", "IPI"))

    # truth: members after propagation along is_a and part_of
    ancestors = {t: go_ancestors(t) for t in _GO_TERMS}
    ancestors[_GO_OBSOLETE[0]] = {_GO_OBSOLETE[0]}
    members: dict[str, set[int]] = defaultdict(set)
    for gene, term, qualifier, evidence in annotations:
        if qualifier.startswith("NOT") or evidence == "ND" or term == _GO_OBSOLETE[0]:
            continue
        if _GO_TERMS[term][1] == "P":
            for above in ancestors[term]:
                members[above].add(gene)
    planted_members: dict[str, set[int]] = defaultdict(set)
    for term, planted_genes in planted_at.items():
        for above in ancestors[term]:
            planted_members[above] |= planted_genes
    for term in sorted(members):
        if term in GO_GROUPING or term == "GO:0008150":
            continue
        planted = planted_members.get(term, set())
        demo.add("go", term, sorted(members[term] & planted), "planted", _GO_TERMS[term][0])
        demo.add("go", term, sorted(members[term] - planted), "random", _GO_TERMS[term][0])
    for term, decoys, why in ((HISTONE_ACETYLATION, not_histone, "NOT qualifier"),
                              (INFLAMMATORY_RESPONSE, not_inflammatory, "NOT qualifier"),
                              (INFLAMMATORY_RESPONSE, regulators,
                               "GO:0050727 regulates it (not propagated)")):
        kept = sorted(set(decoys) - members[term])
        demo.add("go", term, kept, "decoy", why)
    demo.add("go", _GO_OBSOLETE[0], sorted(obsolete), "decoy", "obsolete term")

    # GAF 2.2 rows
    rows = []
    for gene, term, qualifier, evidence in sorted(set(annotations)):
        aspect = "P" if term == _GO_OBSOLETE[0] else _GO_TERMS[term][1]
        symbol = demo.symbol[gene]
        if evidence == "ISO":
            reference, with_from, by, kind = ("GO_REF:0000096",
                                              f"RGD:{int(rng.integers(1_000, 1_600_000))}",
                                              "MGI", "gene_product")
        elif evidence == "IBA":
            reference, with_from, by, kind = ("GO_REF:0000033",
                                              f"PANTHER:PTN{int(rng.integers(1, 3_000_000)):09d}",
                                              "GO_Central", "protein")
        elif evidence == "IEA":
            reference, with_from, by, kind = ("GO_REF:0000002",
                                              f"InterPro:IPR{int(rng.integers(1, 45_000)):06d}",
                                              "InterPro", "protein")
        elif evidence == "ND":
            reference, with_from, by, kind = "GO_REF:0000015", "", "MGI", "gene_product"
        else:
            reference, with_from, by, kind = (f"PMID:{int(rng.integers(8_000_000, 36_000_000))}",
                                              "", "UniProt", "protein")
        date = f"{int(rng.integers(2005, 2023))}{int(rng.integers(1, 13)):02d}" \
               f"{int(rng.integers(1, 29)):02d}"
        rows.append(["MGI", demo.mgi[gene], symbol, qualifier, term, reference, evidence,
                     with_from, aspect, f"{symbol} gene product (simulated)", "", kind,
                     "taxon:10090", date, by, "", ""])
    rows.sort(key=lambda r: (int(r[1].split(":")[1]), r[4], r[6], r[5]))
    header = ["!gaf-version: 2.2", "!", "!generated-by: GOC", "!",
              "!date-generated: 2022-11-03T02:05", "!",
              "!Header from mgi source association file:", "!=================================",
              "!Date Generated: 2022-11-01",
              "!Generated by: painstress.demo.genesets (simulated demo file, not MGI data)"]
    text = "\n".join(header) + "\n" + "".join("\t".join(r) + "\n" for r in rows)
    return _go_obo(), gzip_bytes(text)


# ------------------------------------------------------------------ MSigDB


def _msigdb(demo: _Demo) -> tuple[bytes, bytes]:
    """Hallmark-like and Reactome-like mouse GMT files, and their truth rows."""
    rng = demo.rng
    genes = sorted(demo.symbol)
    shared = demo.shuffled(demo.shared)
    pool = demo.shuffled(demo.unchanged)
    hats = _take(shared, max(1, round(0.5 * len(shared))))
    inflammation = _take(shared, max(1, round(0.2 * len(demo.shared))))
    special = {f"REACTOME_{REACTOME_SETS[0]}": (hats, _take(pool, 10)),
               INFLAMMATORY_SET: (inflammation, _take(pool, 40 - len(inflammation))),
               MSIGDB_CONTROL: ([], _take(pool, 60))}
    top = max(20, min(200, len(genes) // 15))

    def collection(prefix: str, names: Sequence[str], low: int) -> bytes:
        lines = []
        for short in names:
            name = f"{prefix}_{short}"
            if name in special:
                planted, others = special[name]
                members = demo.shuffled(planted + others)
                demo.add("msigdb", name, sorted(planted), "planted")
                role_detail = "negative control: unchanged genes" if not planted else ""
                demo.add("msigdb", name, sorted(others), "random", role_detail)
            else:
                size = int(round(math.exp(rng.uniform(math.log(low), math.log(top)))))
                members = demo.shuffled(genes)[:size]
                demo.add("msigdb", name, sorted(members), "random")
            url = f"http://www.gsea-msigdb.org/gsea/msigdb/mouse/geneset/{name}"
            lines.append("\t".join([name, url, *(demo.symbol[g] for g in members)]) + "\n")
        return "".join(lines).encode()

    return collection("HALLMARK", HALLMARK_SETS, 30), collection("REACTOME", REACTOME_SETS, 10)


# ------------------------------------------------------------------ JensenLab DISEASES


def _jensen(demo: _Demo) -> bytes:
    """``human_disease_experiments_filtered.tsv`` (TIGA channel) and its truth rows."""
    rng = demo.rng
    eligible = demo.shuffled([g for g in demo.shared if g in demo.human])
    pool = demo.shuffled([g for g in demo.unchanged if g in demo.human])
    rows: list[tuple[str, str, str, int]] = []  # (protein id, symbol, DOID, MeanRankScore)

    def add_rows(genes: Iterable[int], doid: str, low: int, high: int) -> None:
        for gene in genes:
            human_id, name = demo.human[gene]
            rows.append((f"ENSP{300_000 + human_id:011d}", name, doid,
                         int(rng.integers(low, high + 1))))

    for signature, share in (("depression", 0.3), ("anxiety", 0.15)):
        doid = JENSEN_DISEASES[signature]
        planted = _take(eligible, max(1, round(share * (len(demo.shared)))))
        noise = _take(pool, 2 * len(planted))
        low_score = _take(pool, 6)
        add_rows(planted + noise, doid, 72, 96)     # score 1.62-2.01
        add_rows(low_score, doid, 3, 45)            # score 0.50-1.18
        demo.add("jensen_diseases", signature, planted, "planted", doid)
        demo.add("jensen_diseases", signature, noise, "random", doid)
        demo.add("jensen_diseases", signature, low_score, "decoy",
                 f"score < {JENSEN_MIN_SCORE:g}")
        for _, name in demo.human_only[:3]:
            rows.append((name, name, doid, int(rng.integers(72, 96))))  # no Ensembl protein
    other = _take(pool, 20)
    for k, gene in enumerate(other):
        add_rows([gene], ("DOID:535", "DOID:1094", "DOID:0050589")[k % 3], 10, 96)
    demo.add("jensen_diseases", "any", other, "decoy", "other disease")
    lines = []
    for protein, name, doid, rank in sorted(rows):
        score = 0.45 + 0.0162 * rank + rng.uniform(-0.01, 0.01)
        lines.append(f"{protein}\t{name}\t{doid}\t{_DISEASES[doid]}\tTIGA\t"
                     f"MeanRankScore = {rank}\t{score:.3f}\n")
    return "".join(lines).encode()


# ------------------------------------------------------------------ the writer


def write_demo_genesets(study: dict[str, pd.DataFrame], outdir: str | Path, seed: int, *,
                        ortholog_seed: int | None = None) -> dict[str, Path]:
    """Write demo copies of the gene-set sources, in their real formats, under ``outdir``.

    In: ``study`` as :func:`painstress.demo.simulate.simulate_study` returns it (not
    changed); ``outdir`` (created if needed); ``seed`` for this module's own random stream
    (the study's counts and files do not depend on it); ``ortholog_seed``: the seed
    :func:`painstress.demo.simulate.write_demo_study` gave
    :func:`demo_signatures` (``DemoParameters.seed + 2``), so the
    human genes of the GWAS and DISEASES files are those of its ``gene_orthologs.gz`` and
    ``Homo_sapiens.gene_info.gz``; default ``seed - 1``, right when ``seed`` is
    ``DemoParameters.seed + 3``.

    Out: key -> path of each file written (see the module doc for names and keys). The
    same inputs give the same bytes (gzip and ZIP with fixed timestamps).
    """
    outdir = Path(outdir)
    orthologs = human_orthologs(study, seed - 1 if ortholog_seed is None else ortholog_seed)
    demo = _demo(study, np.random.default_rng(seed), orthologs)
    files: dict[str, tuple[str, bytes]] = {"gwas_catalog": (GWAS_FILE, _gwas(demo))}
    genepheno, mp = _mgi(demo)
    files["mgi_genepheno"], files["mp_obo"] = (MGI_GENEPHENO_FILE, genepheno), (MP_FILE, mp)
    go_obo, gaf = _go(demo)
    files["go_obo"], files["mgi_gaf"] = (GO_FILE, go_obo), (GAF_FILE, gaf)
    hallmark, reactome = _msigdb(demo)
    files["msigdb_hallmark"] = (HALLMARK_FILE, hallmark)
    files["msigdb_reactome"] = (REACTOME_FILE, reactome)
    files["jensen_experiments"] = (JENSEN_FILE, _jensen(demo))

    truth = pd.DataFrame(demo.truth, columns=["source", "signature_or_term", "GeneID", "role",
                                              "detail"])
    rank = truth["role"].map({"planted": 0, "random": 1, "decoy": 2})
    truth = (truth.assign(rank=rank)
             .sort_values(["source", "signature_or_term", "GeneID", "rank"], kind="stable")
             .drop_duplicates(["source", "signature_or_term", "GeneID"]))
    clash = truth.merge(pd.DataFrame(demo.truth, columns=truth.columns[:5]),
                        on=["source", "signature_or_term", "GeneID"])
    if ((clash["role_x"] != "decoy") & (clash["role_y"] == "decoy")).any():
        raise RuntimeError("demo gene sets: a gene is both selected and a decoy")
    truth.insert(3, "symbol", truth["GeneID"].map(demo.symbol))
    truth = truth[TRUTH_COLUMNS].sort_values(["source", "signature_or_term", "role", "GeneID"])
    files["truth_genesets"] = (TRUTH_FILE, truth.to_csv(sep="\t", index=False,
                                                        lineterminator="\n").encode())
    written = {}
    for key, (name, data) in files.items():
        written[key] = outdir / name
        write_bytes(written[key], data)
    return written
