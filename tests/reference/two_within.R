# Two within factors (issue #26), from R 4.2.2 (afex 1.2-1, car 3.1-1): carData OBrienKaiser
# (trials/obrienkaiser/obrienkaiser.csv, the worked example's copy of the Rdatasets CSV export; O'Brien & Kaiser
# 1985, Psychological Bulletin 97:316-333), the afex documentation's obk.long: treatment
# (control, A, B) x gender between, phase (pre, post, fup) x hour (1-5) within.
# Run from the repository root: Rscript tests/reference/two_within.R
#
# 1. The mixed ANOVA, types II and III (afex::aov_ez), with GG/HF epsilon and Mauchly per term.
# 2. Each treatment against control (Dunnett, exact: families.R), emmeans on afex's multivariate
#    model: at each phase averaged over hour, at each hour averaged over phase, and at each
#    phase x hour cell; averaged over gender with equal weights and within each gender.
#    Checked here against lm() of the subjects' averages, which is the same model.
# 3. The LMM lmer(value ~ gender * treatment * phase * hour + (1 | rownames)), type III F with
#    Satterthwaite df (lmerTest 3.1-3).
suppressMessages({library(afex); library(emmeans); library(mvtnorm); library(lmerTest)})
source("tests/reference/families.R")
out <- "tests/reference/two_within"
w <- read.csv("trials/obrienkaiser/obrienkaiser.csv")
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

# 2. contrasts of each treatment against control
a <- aov_ez("rownames", "value", long, between = c("treatment", "gender"), within = c("phase", "hour"), type = 3)
rows <- list()
add <- function(em, by) {
  rows[[length(rows) + 1]] <<- family(em, "control", 1, by)
}
check <- function(em, y) {
  # the multivariate model's marginal means are lm() of the subjects' averages over the other factor
  f <- lm(y ~ treatment * gender, data = cbind(w, y = y), contrasts = list(treatment = "contr.sum",
                                                                            gender = "contr.sum"))
  ref <- as.data.frame(contrast(emmeans(f, ~ treatment), "trt.vs.ctrl", ref = 1))
  mine <- as.data.frame(contrast(em, "trt.vs.ctrl", ref = 1))
  stopifnot(isTRUE(all.equal(mine$estimate, ref$estimate, tolerance = 1e-12)),
            isTRUE(all.equal(mine$SE, ref$SE, tolerance = 1e-12)))
}
w$treatment <- factor(w$treatment, levels = c("control", "A", "B"))
# afex names numeric within levels as R names (hour 1 is "X1" in its grid)
grid <- function(f, l) if (f == "hour") paste0("X", l) else l
levels_of <- list(phase = c("pre", "post", "fup"), hour = as.character(1:5))
for (f in names(levels_of)) for (l in levels_of[[f]]) {
  at <- setNames(list(grid(f, l)), f)
  y <- rowMeans(w[, grep(if (f == "phase") paste0("^", l, "\\.") else paste0("\\.", l, "$"), names(w))])
  em <- emmeans(a, ~ treatment, at = at)
  check(em, y)
  add(em, sprintf("%s = %s|all", f, l))
  for (g in c("F", "M")) add(emmeans(a, ~ treatment, at = c(at, list(gender = g))), sprintf("%s = %s|%s", f, l, g))
}
for (p in levels_of$phase) for (h in levels_of$hour) {
  em <- emmeans(a, ~ treatment, at = list(phase = p, hour = grid("hour", h)))
  add(em, sprintf("%s.%s|all", p, h))
  for (g in c("F", "M")) add(emmeans(a, ~ treatment, at = list(phase = p, hour = grid("hour", h), gender = g)),
                            sprintf("%s.%s|%s", p, h, g))
}
write.csv(do.call(rbind, rows), file.path(out, "obrienkaiser_contrasts_control.csv"), row.names = FALSE)

# 3. the LMM on every value
m <- lmer(value ~ gender * treatment * phase * hour + (1 | rownames), data = long, REML = TRUE)
an <- as.data.frame(anova(m, type = 3, ddf = "Satterthwaite"))
write.csv(data.frame(source = rownames(an), F = an$`F value`, df1 = an$NumDF, df2 = an$DenDF, p = an$`Pr(>F)`),
          file.path(out, "obrienkaiser_lmm.csv"), row.names = FALSE)
cat("done\n")
