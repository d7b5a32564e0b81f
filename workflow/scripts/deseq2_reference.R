#!/usr/bin/env Rscript
# R DESeq2 on one count matrix: the reference side of the parity check (rule parity_r)
# and of the benches (bench/parity, bench/de_speed).
#
#   Rscript deseq2_reference.R COUNTS COLDATA DESIGN TEST REFERENCE OUTDIR [MODE] [ALPHA]
#
# COUNTS   TSV, genes x samples, first column GeneID (already prefiltered by the caller,
#          so both tools see the same genes). COLDATA: TSV, first column sample (same
#          order as the COUNTS columns), then `condition` and any covariates.
# DESIGN   e.g. "~ sex + condition"; `condition` is releveled so REFERENCE is the baseline.
# MODE     "deseq" (default): DESeq() + results(), R's defaults; what the parity compares.
#          "steps": the same pipeline one step at a time, each step timed (bench/de_speed).
# ALPHA    results(alpha=) of a second padj column, `padj_alpha` (pydeseq2's DeseqStats
#          default, 0.05, is what the workflow uses); `padj` is results()'s default (0.1).
#
# Writes OUTDIR/results.tsv, size_factors.tsv, dispersions.tsv, fit.tsv, timings.tsv.
suppressPackageStartupMessages(library(DESeq2))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 6) stop("usage: deseq2_reference.R COUNTS COLDATA DESIGN TEST REFERENCE OUTDIR [MODE] [ALPHA]")
counts_path <- args[1]; coldata_path <- args[2]; design <- as.formula(args[3])
test <- args[4]; reference <- args[5]; outdir <- args[6]
mode <- if (length(args) >= 7) args[7] else "deseq"
alpha2 <- if (length(args) >= 8) as.numeric(args[8]) else 0.05
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)

timings <- data.frame(step = character(), seconds = numeric())
timed <- function(step, expr) {
  start <- sum(proc.time()[c("user.self", "sys.self")])  # CPU seconds
  value <- force(expr)
  timings[nrow(timings) + 1, ] <<- list(step, sum(proc.time()[c("user.self", "sys.self")]) - start)
  value
}

counts <- timed("read", {
  table <- read.delim(counts_path, check.names = FALSE, colClasses = c(GeneID = "character"))
  m <- as.matrix(table[, -1, drop = FALSE])
  storage.mode(m) <- "integer"
  rownames(m) <- table$GeneID
  m
})
coldata <- read.delim(coldata_path, check.names = FALSE, stringsAsFactors = TRUE,
                      colClasses = c(sample = "character"))
rownames(coldata) <- coldata$sample
coldata$sample <- NULL
stopifnot(identical(rownames(coldata), colnames(counts)))
coldata$condition <- relevel(factor(coldata$condition), ref = reference)

dds <- timed("setup", DESeqDataSetFromMatrix(counts, coldata, design))
contrast <- c("condition", test, reference)

if (mode == "deseq") {
  dds <- timed("DESeq", DESeq(dds, quiet = TRUE))
} else if (mode == "steps") {
  # DESeq()'s body for the defaults (Wald, parametric fit, betaPrior = FALSE), step by step.
  dds <- timed("size_factors", estimateSizeFactors(dds))
  dds <- timed("genewise_dispersions", estimateDispersionsGeneEst(dds, quiet = TRUE))
  dds <- timed("trend", estimateDispersionsFit(dds, fitType = "parametric", quiet = TRUE))
  dds <- timed("MAP_dispersions", estimateDispersionsMAP(dds, quiet = TRUE))
  dds <- timed("LFC_and_Wald", nbinomWaldTest(dds, quiet = TRUE))
  dds <- timed("cooks_refit", {
    if (any(DESeq2:::nOrMoreInCell(attr(dds, "modelMatrix"), 7))) {
      DESeq2:::refitWithoutOutliers(dds, test = "Wald", betaPrior = FALSE,
                                    full = design(dds), reduced = ~1, quiet = TRUE,
                                    minReplicatesForReplace = 7, modelMatrix = NULL,
                                    modelMatrixType = "standard")
    } else dds
  })
} else stop("MODE must be 'deseq' or 'steps', not ", mode)

res <- timed("results", results(dds, contrast = contrast))
res2 <- results(dds, contrast = contrast, alpha = alpha2)
shrink <- NA
if (requireNamespace("apeglm", quietly = TRUE)) {
  coef <- paste0("condition_", test, "_vs_", reference)
  shrunk <- timed("lfc_shrink_apeglm", lfcShrink(dds, coef = coef, type = "apeglm", quiet = TRUE))
  shrink <- shrunk$log2FoldChange
}

out <- data.frame(GeneID = rownames(res), baseMean = res$baseMean,
                  log2FoldChange = res$log2FoldChange, lfcSE = res$lfcSE, stat = res$stat,
                  pvalue = res$pvalue, padj = res$padj, padj_alpha = res2$padj,
                  log2FoldChange_shrunk = shrink, check.names = FALSE)
write_tsv <- function(x, name) {
  write.table(x, file.path(outdir, name), sep = "\t", quote = FALSE, row.names = FALSE,
              na = "NA")
}
write_tsv(out, "results.tsv")
write_tsv(data.frame(sample = colnames(dds), size_factor = sizeFactors(dds)),
          "size_factors.tsv")
m <- mcols(dds)
replaced <- if ("replace" %in% names(m)) m$replace else rep(FALSE, nrow(dds))
write_tsv(data.frame(GeneID = rownames(dds), genewise = m$dispGeneEst, fitted = m$dispFit,
                     MAP = m$dispMAP, final = m$dispersion, replaced = replaced),
          "dispersions.tsv")
coefs <- attr(dispersionFunction(dds), "coefficients")
write_tsv(data.frame(
  key = c("engine", "R", "trend_asymptDisp", "trend_extraPois", "prior_disp_var",
          "design", "alpha", "alpha2", "genes", "samples", "replaced_genes"),
  value = c(paste("DESeq2", packageVersion("DESeq2")), paste(R.version$major, R.version$minor, sep = "."),
            coefs[["asymptDisp"]], coefs[["extraPois"]], attr(dispersionFunction(dds), "dispPriorVar"),
            deparse(design), 0.1, alpha2, nrow(dds), ncol(dds), sum(replaced, na.rm = TRUE))),
  "fit.tsv")
write_tsv(timings, "timings.tsv")
