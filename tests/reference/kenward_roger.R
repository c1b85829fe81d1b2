# Kenward-Roger references for the MMRM (issue #26, point 4), from R 4.2.2 (lme4 1.1-31,
# pbkrtest 0.5.2, lmerTest 3.1-3, emmeans 1.8.4-1). Run from the repository root:
# Rscript tests/reference/kenward_roger.R
#
# The compound-symmetry MMRM with a positive correlation is the random-intercept LMM
# lmer(y ~ base + age + arm * visit + (1 | subject)), whose covariance is linear in its two
# parameters (between- and within-subject variance): Kenward & Roger's adjusted covariance and df
# are pbkrtest's. On the drop-out trial tests/data/mmrm_dropout.csv (written by mmrm.R):
# - contrasts.csv: emmeans(~ arm | visit, lmer.df = "kenward-roger") trt.vs.ctrl: estimate, SE from
#   the adjusted covariance (pbkrtest::vcovAdj), KR df;
# - type3.csv: for each term, lmerTest's type III hypothesis rows, pbkrtest::KRmodcomp: F (scaled
#   by KR's lambda), F unscaled, df1, df2, the scaling;
# - fit.csv: the REML log-likelihood and the two variances (the gls CS fit's, checked here).
suppressMessages({library(lme4); library(pbkrtest); library(lmerTest); library(emmeans); library(nlme)})
out <- "tests/reference/kenward_roger"
visits <- c("w2", "w4", "w8", "w12"); arms <- c("Placebo", "Low", "High")
d <- read.csv("tests/data/mmrm_dropout.csv")
d$visit <- factor(d$visit, levels = visits); d$arm <- factor(d$arm, levels = arms)
form <- y ~ base + age + arm * visit
m <- lme4::lmer(update(form, . ~ . + (1 | subject)), data = d, REML = TRUE,
                control = lmerControl(optimizer = "nloptwrap", optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14)))
vc <- as.data.frame(VarCorr(m))
cs <- gls(form, data = d, correlation = corCompSymm(form = ~ 1 | subject), method = "REML",
          control = glsControl(tolerance = 1e-14, msTol = 1e-14))
stopifnot(abs(as.numeric(logLik(cs)) - as.numeric(logLik(m))) < 1e-6)
write.csv(data.frame(loglik = as.numeric(logLik(m)), tau2 = vc$vcov[1], sigma2 = vc$vcov[2]),
          file.path(out, "fit.csv"), row.names = FALSE)

emm <- emmeans(m, ~ arm | visit, lmer.df = "kenward-roger")
mm <- as.data.frame(summary(emm))
write.csv(data.frame(visit = mm$visit, arm = mm$arm, emmean = mm$emmean, se = mm$SE, df = mm$df),
          file.path(out, "means.csv"), row.names = FALSE)
ct <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", adjust = "none"), infer = c(TRUE, TRUE)))
write.csv(data.frame(visit = ct$visit, comparison = gsub(" ", "", ct$contrast), estimate = ct$estimate, se = ct$SE,
                     df = ct$df, t = ct$t.ratio, p = ct$p.value),
          file.path(out, "contrasts.csv"), row.names = FALSE)

Ls <- lmerTest:::get_contrasts_type3(lm(form, data = d))
rows <- lapply(names(Ls), function(term) {
  kr <- KRmodcomp(m, Ls[[term]])
  s <- kr$stats
  data.frame(source = term, F = s$Fstat, F_unscaled = s$FstatU, df1 = s$ndf, df2 = s$ddf, scaling = s$F.scaling,
             p = s$p.value)
})
write.csv(do.call(rbind, rows), file.path(out, "type3.csv"), row.names = FALSE)
cat("done\n")
