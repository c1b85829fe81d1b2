# Shared by k_arms.R and two_within.R: a family of emmeans contrasts with every adjustment, and
# the exact Dunnett p and critical value (mvtnorm with a tight tolerance, seeded).
# Needs emmeans and mvtnorm loaded.
tight <- GenzBretz(maxpts = 5e6, abseps = 1e-9, releps = 0)

dunnett <- function(ct, level = 0.95) {
  # the exact single-step p and simultaneous critical value of a family of contrasts
  s <- as.data.frame(summary(ct, adjust = "none"))
  v <- vcov(ct)
  r <- cov2cor(v)
  df <- s$df[1]
  set.seed(20261203)
  p <- sapply(abs(s$t.ratio), function(t)
    1 - pmvt(lower = rep(-t, nrow(r)), upper = rep(t, nrow(r)), corr = r, df = round(df), algorithm = tight)[1])
  # qmvt's own root finding stops at about 1e-4; this one at 1e-12
  inside <- function(c) pmvt(lower = rep(-c, nrow(r)), upper = rep(c, nrow(r)), corr = r, df = round(df),
                             algorithm = tight)[1] - level
  crit <- uniroot(inside, c(qt(0.5 + level / 2, df), qt(1 - (1 - level) / (2 * nrow(r)), df) + 1e-6),
                  tol = 1e-12)$root
  list(p = p, crit = crit)
}

family <- function(em, method, ref, by_label) {
  ct <- if (method == "pairwise") contrast(em, "pairwise") else contrast(em, "trt.vs.ctrl", ref = ref)
  s <- as.data.frame(summary(ct, adjust = "none", infer = c(TRUE, TRUE)))
  res <- data.frame(by = by_label, family = method, contrast = as.character(s$contrast), estimate = s$estimate,
                    SE = s$SE, df = s$df, t = s$t.ratio, p_none = s$p.value, lower_none = s$lower.CL,
                    upper_none = s$upper.CL)
  adjs <- if (method == "pairwise") c("holm", "bonferroni", "tukey") else c("holm", "bonferroni", "mvt")
  for (a in adjs) {
    sa <- as.data.frame(summary(ct, adjust = a, infer = c(TRUE, TRUE)))
    res[[paste0("p_", a)]] <- sa$p.value
    res[[paste0("lower_", a)]] <- sa$lower.CL
    res[[paste0("upper_", a)]] <- sa$upper.CL
  }
  if (method != "pairwise") {
    d <- dunnett(ct)
    res$p_dunnett <- d$p
    res$lower_dunnett <- s$estimate - d$crit * s$SE
    res$upper_dunnett <- s$estimate + d$crit * s$SE
  }
  res
}

