suppressMessages(library(tximport))
files <- c(one = "Sample_1.sf", two = "Sample_2.sf")
q <- read.delim(files[1], stringsAsFactors = FALSE)
fields <- strsplit(q$Name, "|", fixed = TRUE)
tx2gene <- data.frame(tx = sub("[.][0-9]+$", "", sapply(fields, `[`, 1)),
                      gene = sub("[.][0-9]+$", "", sapply(fields, `[`, 2)))
txi <- tximport(files, type = "salmon", tx2gene = tx2gene, ignoreTxVersion = TRUE,
                ignoreAfterBar = TRUE, countsFromAbundance = "lengthScaledTPM", dropInfReps = TRUE)
out <- data.frame(gene_id = rownames(txi$counts), txi$counts, check.names = FALSE)
out <- out[order(out$gene_id), ]
write.table(out, "tximport_lengthScaledTPM.tsv", sep = "\t", quote = FALSE, row.names = FALSE)
cat(as.character(packageVersion("tximport")), R.version.string, "\n")
