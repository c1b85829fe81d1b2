# ANCOVA with a further covariate and the stratum as a main effect or crossed with the arm, from
# R 4.2.2 (car 3.1-1, emmeans 1.8.4), for tests/data/shared{1,2}_long.csv joined with
# tests/data/shared{1,2}_covariates.csv (age, one value per subject; make_covariates.py).
# Writes tests/reference/afex/<name>_ref_ancova_cov_{main,interaction}_{type3,contrasts}.csv, and the
# LMM with the covariate (lmerTest 3.1-3) at the end.
# Run from the repository root: Rscript tests/reference/ancova_covariates.R
suppressMessages({library(car); library(emmeans)})
out_dir <- "tests/reference/afex"
for (name in c("shared1", "shared2")) {
  d <- read.csv(sprintf("tests/data/%s_long.csv", name), stringsAsFactors = TRUE)
  cv <- read.csv(sprintf("tests/data/%s_covariates.csv", name))
  lv <- levels(d$visit)
  w <- reshape(d[, c("pid", "lumbar", "exercise", "visit", "score")], idvar = c("pid", "lumbar", "exercise"),
               timevar = "visit", direction = "wide")
  w <- merge(w, cv, by = "pid")
  w$y0 <- w[[paste0("score.", lv[1])]]
  w$y1 <- w[[paste0("score.", lv[length(lv)])]]
  op <- options(contrasts = c("contr.sum", "contr.poly"))
  for (model in c("main", "interaction")) {
    fit <- if (model == "main") lm(y1 ~ y0 + age + lumbar + exercise, data = w) else
      lm(y1 ~ y0 + age + lumbar * exercise, data = w)
    cf <- car::Anova(fit, type = 3)
    write.csv(data.frame(source = rownames(cf), SS = cf$`Sum Sq`, df = cf$Df, F = cf$`F value`, p = cf$`Pr(>F)`),
              file.path(out_dir, sprintf("%s_ref_ancova_cov_%s_type3.csv", name, model)), row.names = FALSE)
    em <- if (model == "main") emmeans(fit, ~ exercise) else emmeans(fit, ~ exercise | lumbar)
    ct <- as.data.frame(confint(contrast(em, "revpairwise")))
    ct$p <- as.data.frame(contrast(em, "revpairwise"))$p.value
    write.csv(ct, file.path(out_dir, sprintf("%s_ref_ancova_cov_%s_contrasts.csv", name, model)), row.names = FALSE)
  }
  options(op)
  cat(name, "done\n")
}

# The LMM with the same covariate, on every observed value (shared2: about 6 % missing), as
# lmerTest 3.1-3 tests it: lmer(score ~ age + lumbar * exercise * visit + (1 | pid)), type III,
# Satterthwaite. Writes tests/reference/afex/<name>_ref_lmm_cov_type3.csv.
suppressMessages(library(lmerTest))
for (name in c("shared1", "shared2")) {
  d <- merge(read.csv(sprintf("tests/data/%s_long.csv", name), stringsAsFactors = TRUE),
             read.csv(sprintf("tests/data/%s_covariates.csv", name)), by = "pid")
  op <- options(contrasts = c("contr.sum", "contr.poly"))
  a <- anova(lmer(score ~ age + lumbar * exercise * visit + (1 | pid), data = d, REML = TRUE), type = 3,
             ddf = "Satterthwaite")
  options(op)
  write.csv(data.frame(source = rownames(a), F = a$`F value`, df1 = a$NumDF, df2 = a$DenDF, p = a$`Pr(>F)`),
            file.path(out_dir, sprintf("%s_ref_lmm_cov_type3.csv", name)), row.names = FALSE)
}
