# Reference results from R 4.2.2 (afex 1.2-1 type III/II + GG, lmerTest 3.1-3 LMM, car 3.1-1 ANCOVA +
# emmeans 1.8.4) for the trials tests/data/*_long.csv; writes tests/reference/afex/*_ref_*.csv.
# Run from the repository root: Rscript tests/reference/reference.R
# (R is not a dependency of the pipeline or of the tests: the outputs are committed.)
suppressMessages({library(afex); library(lmerTest); library(emmeans)})
afex_options(check_contrasts = TRUE)
out_dir <- "tests/reference/afex"
for (f in list.files("tests/data", pattern = "_long.csv$", full.names = TRUE)) {
  d <- read.csv(f, stringsAsFactors = TRUE)
  name <- sub("_long.csv$", "", basename(f))
  # complete cases (subjects with every visit)
  nv <- length(unique(d$visit))
  comp <- d[!is.na(d$score), ]
  keep <- names(which(table(comp$pid) == nv))
  dc <- droplevels(comp[comp$pid %in% keep, ])
  for (ty in c(3, 2)) {
    a <- aov_ez("pid", "score", dc, between = c("lumbar", "exercise"), within = "visit", type = ty,
                anova_table = list(correction = "none", es = "pes"))
    g <- aov_ez("pid", "score", dc, between = c("lumbar", "exercise"), within = "visit", type = ty,
                anova_table = list(correction = "GG", es = "pes"))
    un <- as.data.frame(a$anova_table); gg <- as.data.frame(g$anova_table)
    s <- summary(a$Anova, multivariate = FALSE)
    out <- data.frame(source = rownames(un), df1 = un$`num Df`, df2 = un$`den Df`, F = un$F, p = un$`Pr(>F)`,
                      p_gg = gg$`Pr(>F)`, df1_gg = gg$`num Df`, pes = un$pes)
    eps <- s$pval.adjustments
    out$eps_gg <- NA
    if (!is.null(eps)) for (r in rownames(eps)) out$eps_gg[out$source == r] <- eps[r, "GG eps"]
    write.csv(out, file.path(out_dir, sprintf("%s_ref_anova_type%d.csv", name, ty)), row.names = FALSE)
    if (ty == 3) {
      # Mauchly's test of every within-subject term (car's summary, as afex prints it)
      sph <- s$sphericity.tests
      write.csv(data.frame(source = rownames(sph), W = sph[, "Test statistic"], p = sph[, "p-value"]),
                file.path(out_dir, sprintf("%s_ref_mauchly.csv", name)), row.names = FALSE)
    }
  }
  # LMM on all available data
  m <- lmer(score ~ lumbar * exercise * visit + (1 | pid), data = d, REML = TRUE)
  an <- as.data.frame(anova(m, type = 3, ddf = "Satterthwaite"))
  write.csv(data.frame(source = rownames(an), F = an$`F value`, df1 = an$NumDF, df2 = an$DenDF, p = an$`Pr(>F)`),
            file.path(out_dir, sprintf("%s_ref_lmm_type3.csv", name)), row.names = FALSE)
  # ANCOVA: last visit adjusted for first visit
  lv <- levels(d$visit); w <- reshape(d[, c("pid","lumbar","exercise","visit","score")], idvar = c("pid","lumbar","exercise"),
                                       timevar = "visit", direction = "wide")
  y0 <- w[[paste0("score.", lv[1])]]; y1 <- w[[paste0("score.", lv[length(lv)])]]
  w$y0 <- y0; w$y1 <- y1
  op <- options(contrasts = c("contr.sum", "contr.poly"))
  fit <- lm(y1 ~ y0 + lumbar * exercise, data = w)
  cf <- car::Anova(fit, type = 3)
  write.csv(data.frame(source = rownames(cf), SS = cf$`Sum Sq`, df = cf$Df, F = cf$`F value`, p = cf$`Pr(>F)`),
            file.path(out_dir, sprintf("%s_ref_ancova_type3.csv", name)), row.names = FALSE)
  em <- emmeans(fit, ~ exercise | lumbar)
  ct <- as.data.frame(confint(contrast(em, "revpairwise")))
  write.csv(ct, file.path(out_dir, sprintf("%s_ref_ancova_contrasts.csv", name)), row.names = FALSE)
  options(op)
  cat(name, "done\n")
}
