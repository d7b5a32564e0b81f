#!/usr/bin/env Rscript
# edgeR quasi-likelihood on one count matrix (a peer in bench/de_speed; another model).
#   Rscript edger.R COUNTS COLDATA DESIGN TEST REFERENCE OUTDIR
# Same inputs as workflow/scripts/deseq2_reference.R. Writes OUTDIR/results.tsv and OUTDIR/timings.tsv
# (seconds of CPU for the fit: normalisation, dispersions, QL fit and test).
suppressPackageStartupMessages(library(edgeR))
args <- commandArgs(trailingOnly = TRUE)
table <- read.delim(args[1], check.names = FALSE, colClasses = c(GeneID = "character"))
counts <- as.matrix(table[, -1, drop = FALSE]); rownames(counts) <- table$GeneID
coldata <- read.delim(args[2], row.names = 1, check.names = FALSE)
coldata$condition <- relevel(factor(coldata$condition), ref = args[5])
design <- model.matrix(as.formula(args[3]), coldata[colnames(counts), , drop = FALSE])
dir.create(args[6], showWarnings = FALSE, recursive = TRUE)
cpu <- function() sum(proc.time()[c("user.self", "sys.self")])
start <- cpu()
y <- calcNormFactors(DGEList(counts))
y <- estimateDisp(y, design)
fit <- glmQLFit(y, design)
res <- topTags(glmQLFTest(fit, coef = ncol(design)), n = Inf, sort.by = "none")$table
seconds <- cpu() - start
write.table(data.frame(GeneID = rownames(res), log2FoldChange = res$logFC,
                       pvalue = res$PValue, padj = res$FDR),
            file.path(args[6], "results.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
write.table(data.frame(step = "fit", seconds = seconds), file.path(args[6], "timings.tsv"),
            sep = "\t", quote = FALSE, row.names = FALSE)
