# Two within factors (issue #26), from R 4.2.2 (afex 1.2-1, car 3.1-1): carData OBrienKaiser
# (tests/data/obrienkaiser.csv, copied unchanged from the Rdatasets CSV export; O'Brien & Kaiser
# 1985, Psychological Bulletin 97:316-333), the afex documentation's obk.long: treatment
# (control, A, B) x gender between, phase (pre, post, fup) x hour (1-5) within.
# Run from the repository root: Rscript tests/reference/two_within.R
suppressMessages(library(afex))
out <- "tests/reference/two_within"
w <- read.csv("tests/data/obrienkaiser.csv")
cols <- grep("^(pre|post|fup)\\.", names(w), value = TRUE)
long <- reshape(w, idvar = "rownames", varying = cols, v.names = "value", timevar = "cell", times = cols,
                direction = "long")
long$phase <- factor(sub("\\..*", "", long$cell), levels = c("pre", "post", "fup"))
long$hour <- factor(sub(".*\\.", "", long$cell))
long$treatment <- factor(long$treatment, levels = c("control", "A", "B"))
for (type in c(2, 3)) {
  fit <- function(correction) aov_ez("rownames", "value", long, between = c("treatment", "gender"),
                                     within = c("phase", "hour"), type = type, observed = "gender",
                                     anova_table = list(correction = correction, es = "ges"))
  none <- fit("none")
  t <- none$anova_table
  res <- data.frame(source = rownames(t), df1 = t$`num Df`, df2 = t$`den Df`, F = t$F, ges = t$ges,
                    p = t$`Pr(>F)`)
  res$p_gg <- fit("GG")$anova_table$`Pr(>F)`
  res$p_hf <- fit("HF")$anova_table$`Pr(>F)`
  s <- summary(none$Anova, multivariate = FALSE)
  eps <- as.data.frame(unclass(s$pval.adjustments))
  eps$source <- rownames(s$pval.adjustments)
  sph <- as.data.frame(unclass(s$sphericity.tests))
  sph$source <- rownames(s$sphericity.tests)
  res <- merge(res, data.frame(source = eps$source, eps_gg = eps$`GG eps`, eps_hf = eps$`HF eps`), all.x = TRUE,
               sort = FALSE)
  res <- merge(res, data.frame(source = sph$source, mauchly_w = sph$`Test statistic`, mauchly_p = sph$`p-value`),
               all.x = TRUE, sort = FALSE)
  res <- res[match(rownames(t), res$source), ]
  write.csv(res, file.path(out, sprintf("obrienkaiser_anova_type%d.csv", type)), row.names = FALSE)
}
cat("done\n")
