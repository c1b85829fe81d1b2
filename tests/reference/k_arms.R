# References for k >= 2 arms (issue #26), from R 4.2.2 (afex 1.2-1, car 3.1-1, emmeans 1.8.4-1,
# mvtnorm 1.1-3). Run from the repository root: Rscript tests/reference/k_arms.R
#
# 1. carData WeightLoss (trials/weightloss/weightloss.csv, the worked example's copy of the Rdatasets CSV export):
#    3 groups (Diet, DietEx, Control), weight loss at months 1-3. Mixed ANOVA type II and III
#    (afex::aov_ez), and per month lm(wl ~ group) arm contrasts with emmeans: each arm against
#    Control and all pairs, with the adjustments none, holm, bonferroni, tukey and mvt.
# 2. A seeded 3-arm trial with a stratification factor, a baseline visit and a covariate (age),
#    written to tests/data/three_arms_long.csv: ANCOVA at each follow-up visit with the stratum as
#    a main effect and crossed with the arm (car::Anova type 3, emmeans trt.vs.ctrl), and the
#    mixed ANOVA stratum x arm x visit (afex).
#
# emmeans' mvt p values come from mvtnorm's randomized integration with abseps 0.001, so they are
# recomputed here with a tight error bound (p_dunnett and the simultaneous limits): pmvt, and its root, on
# the correlation of the contrasts emmeans reports, GenzBretz(maxpts = 5e6, abseps = 1e-9), seeded.
suppressMessages({library(afex); library(car); library(emmeans); library(mvtnorm)})
out <- "tests/reference/k_arms"
source("tests/reference/families.R")  # dunnett() and family(): emmeans contrasts, every adjustment

anova_table <- function(a) {
  t <- a$anova_table
  data.frame(source = rownames(t), df1 = t$`num Df`, df2 = t$`den Df`, F = t$F, ges = t$ges, p = t$`Pr(>F)`)
}

# 1. WeightLoss
w <- read.csv("trials/weightloss/weightloss.csv")
w$group <- factor(w$group, levels = c("Diet", "DietEx", "Control"))
long <- reshape(w[, c("rownames", "group", "wl1", "wl2", "wl3")], idvar = c("rownames", "group"),
                varying = c("wl1", "wl2", "wl3"), v.names = "wl", timevar = "month", times = 1:3,
                direction = "long")
long$month <- factor(long$month)
for (type in c(2, 3)) {
  a <- aov_ez("rownames", "wl", long, between = "group", within = "month", type = type,
              anova_table = list(correction = "none", es = "ges"))
  gg <- aov_ez("rownames", "wl", long, between = "group", within = "month", type = type,
               anova_table = list(correction = "GG", es = "ges"))
  t <- anova_table(a)
  t$p_gg <- gg$anova_table$`Pr(>F)`
  write.csv(t, file.path(out, sprintf("weightloss_anova_type%d.csv", type)), row.names = FALSE)
}
rows <- list()
for (m in 1:3) {
  fit <- lm(as.formula(sprintf("wl%d ~ group", m)), data = w)
  em <- emmeans(fit, ~ group)
  rows[[length(rows) + 1]] <- family(em, "control", 3, as.character(m))
  rows[[length(rows) + 1]] <- family(em, "pairwise", 3, as.character(m))
}
write.csv(do.call(rbind, rows[seq(2, length(rows), 2)]), file.path(out, "weightloss_contrasts_pairwise.csv"),
          row.names = FALSE)
write.csv(do.call(rbind, rows[seq(1, length(rows), 2)]), file.path(out, "weightloss_contrasts_control.csv"),
          row.names = FALSE)

# 2. a seeded 3-arm trial with a stratum, a baseline visit and age
set.seed(26)
cells <- expand.grid(arm = c("A", "B", "Control"), stratum = c("s1", "s2"), stringsAsFactors = FALSE)
sizes <- c(9, 11, 10, 12, 8, 10)
subj <- do.call(rbind, lapply(seq_len(nrow(cells)), function(i)
  data.frame(arm = cells$arm[i], stratum = cells$stratum[i], k = seq_len(sizes[i]))))
subj$pid <- sprintf("p%02d", seq_len(nrow(subj)))
subj$age <- round(rnorm(nrow(subj), 55, 9))
effect <- c(A = -6, B = -3, Control = 0)
u <- rnorm(nrow(subj), 0, 6)
y0 <- 60 + 4 * (subj$stratum == "s2") + 0.2 * (subj$age - 55) + u + rnorm(nrow(subj), 0, 4)
y1 <- y0 - 5 + effect[subj$arm] + 0.1 * (subj$age - 55) + u * 0.3 + rnorm(nrow(subj), 0, 5)
y2 <- y0 - 8 + 1.5 * effect[subj$arm] + 0.1 * (subj$age - 55) + u * 0.3 + rnorm(nrow(subj), 0, 5)
tl <- rbind(data.frame(subj[, c("pid", "stratum", "arm", "age")], visit = "t0", score = round(y0, 1)),
            data.frame(subj[, c("pid", "stratum", "arm", "age")], visit = "t1", score = round(y1, 1)),
            data.frame(subj[, c("pid", "stratum", "arm", "age")], visit = "t2", score = round(y2, 1)))
tl <- tl[order(tl$pid, tl$visit), ]
write.csv(tl, "tests/data/three_arms_long.csv", row.names = FALSE)

d <- read.csv("tests/data/three_arms_long.csv")
d$arm <- factor(d$arm, levels = c("A", "B", "Control"))
d$stratum <- factor(d$stratum)
wide <- reshape(d[, c("pid", "stratum", "arm", "age", "visit", "score")], idvar = c("pid", "stratum", "arm", "age"),
                timevar = "visit", direction = "wide")
op <- options(contrasts = c("contr.sum", "contr.poly"))
terms <- list(); effects <- list()
for (v in c("t1", "t2")) {
  wide$y0 <- wide$score.t0
  wide$y1 <- wide[[paste0("score.", v)]]
  for (model in c("main", "interaction")) {
    fit <- if (model == "main") lm(y1 ~ y0 + age + stratum + arm, data = wide) else
      lm(y1 ~ y0 + age + stratum * arm, data = wide)
    cf <- car::Anova(fit, type = 3)
    terms[[length(terms) + 1]] <- data.frame(visit = v, model = model, source = rownames(cf), SS = cf$`Sum Sq`,
                                             df = cf$Df, F = cf$`F value`, p = cf$`Pr(>F)`)
    em <- emmeans(fit, ~ arm)  # with stratum x arm: averaged over strata with equal weights
    effects[[length(effects) + 1]] <- cbind(model = model, family(em, "control", 3, v))
    if (model == "interaction") {
      for (s in levels(wide$stratum)) {
        es <- emmeans(fit, ~ arm, at = list(stratum = s))
        effects[[length(effects) + 1]] <- cbind(model = paste0("interaction|", s), family(es, "control", 3, v))
      }
    }
  }
}
write.csv(do.call(rbind, terms), file.path(out, "three_arms_ancova_terms.csv"), row.names = FALSE)
write.csv(do.call(rbind, effects), file.path(out, "three_arms_ancova_effects.csv"), row.names = FALSE)
options(op)
for (type in c(2, 3)) {
  a <- aov_ez("pid", "score", d, between = c("stratum", "arm"), within = "visit", type = type, observed = "stratum",
              anova_table = list(correction = "none", es = "ges"))
  write.csv(anova_table(a), file.path(out, sprintf("three_arms_anova_type%d.csv", type)), row.names = FALSE)
}
cat("done\n")

# 3. P(max |T_i| < c) of a multivariate t, for the integration itself (two and three comparisons)
cases <- list(list(c = 2.3, df = 30, r = c(0.5)), list(c = 2.3, df = 7, r = c(-0.3)), list(c = 1.7, df = 12, r = c(0.8)),
              list(c = 2.3, df = 30, r = c(0.5, 0.4, 0.45)), list(c = 2.6, df = 54, r = c(0.52, 0.49, 0.5)),
              list(c = 1.9, df = 9, r = c(0.2, 0.6, 0.3)))
probs <- do.call(rbind, lapply(cases, function(k) {
  m <- if (length(k$r) == 1) 2 else 3
  R <- diag(m)
  R[lower.tri(R)] <- k$r
  R[upper.tri(R)] <- t(R)[upper.tri(R)]
  set.seed(1)
  p <- pmvt(lower = rep(-k$c, m), upper = rep(k$c, m), corr = R, df = k$df, algorithm = tight)
  data.frame(m = m, c = k$c, df = k$df, r12 = k$r[1], r13 = if (m == 3) k$r[2] else NA,
             r23 = if (m == 3) k$r[3] else NA, prob = p[1], error = attr(p, "error"))
}))
write.csv(probs, file.path(out, "max_t_probabilities.csv"), row.names = FALSE)

# 4. the LMM of the 3-arm trial with age, on every visit: lmer(score ~ age + stratum * arm * visit + (1 | pid))
suppressMessages(library(lmerTest))
op <- options(contrasts = c("contr.sum", "contr.poly"))
a <- anova(lmer(score ~ age + stratum * arm * visit + (1 | pid), data = d, REML = TRUE), type = 3,
           ddf = "Satterthwaite")
options(op)
write.csv(data.frame(source = rownames(a), F = a$`F value`, df1 = a$NumDF, df2 = a$DenDF, p = a$`Pr(>F)`),
          file.path(out, "three_arms_lmm_age.csv"), row.names = FALSE)
