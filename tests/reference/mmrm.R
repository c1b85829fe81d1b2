# References for the MMRM (issue #26, point 4), from R 4.2.2 (nlme 3.1-162, emmeans 1.8.4-1,
# lmerTest 3.1-3, numDeriv 2016.8-1.1). Run from the repository root: Rscript tests/reference/mmrm.R
#
# 1. A seeded 3-arm trial with drop-out, written to tests/data/mmrm_dropout.csv: 90 subjects,
#    a baseline column (base) and age, 4 visits, an unstructured true covariance; after each visit
#    a subject leaves with a probability that rises with their last value (missing at random).
# 2. nlme::gls(y ~ base + age + arm * visit, REML) with each covariance structure the pipeline
#    offers: unstructured (corSymm + varIdent), heterogeneous CS (corCompSymm + varIdent),
#    CS (corCompSymm), AR(1) (corAR1). For each: the REML log-likelihood, the fitted covariance,
#    emmeans(~ arm | visit, mode = "satterthwaite") means and trt.vs.ctrl contrasts (estimate, SE,
#    df, t, p, 95 % CI), and for the unstructured model the type III F tests: F from
#    emmeans::joint_tests, and df2 by Fai & Cornelius (lmerTest's rule) from emmeans' own
#    Satterthwaite df of each direction of lmerTest's type III hypothesis rows.
#
# 3. A categorical covariate (site, 3 levels) with age and the baseline, in every model: the ANCOVA at
#    each visit (car::Anova type 3 with sum contrasts, emmeans trt.vs.ctrl), the random-intercept
#    LMM (lmerTest type 3, Satterthwaite) and the unstructured MMRM (as above).
#
# 4. A stratification factor as a main effect (the seeded stratified 3-arm trial of k_arms.R), unstructured.
#
# Two numerical steps of nlme are tightened, because the Satterthwaite df are sensitive to them:
# * gls's optimiser stops about 1e-9 short of the REML optimum in the deviance (nlminb's default
#   relative tolerance); the fit is polished by Newton steps on nlme's own REML log-likelihood
#   (numDeriv gradient and Hessian) and refitted from there.
# * nlme's apVar (the covariance of the variance parameters, which the df rest on) comes from a
#   finite-difference Hessian (fdHess) that is here 0.7 % off; it is replaced by numDeriv's
#   Richardson Hessian of the same log-likelihood, in the same parameters.
# With nlme's own apVar, emmeans' df differ from these by up to 1 %; with the polished fit and the
# accurate Hessian they are reproducible to 1e-7.
suppressMessages({library(nlme); library(emmeans); library(numDeriv); library(lmerTest); library(car)})
out <- "tests/reference/mmrm"
dir.create(out, showWarnings = FALSE)

set.seed(20261208)
n <- 90; visits <- c("w2", "w4", "w8", "w12"); arms <- c("Placebo", "Low", "High")
arm <- factor(rep(arms, length.out = n), levels = arms)
base <- round(rnorm(n, 50, 8), 1); age <- round(runif(n, 25, 70))
S <- matrix(c(36, 20, 16, 12, 20, 49, 28, 22, 16, 28, 64, 36, 12, 22, 36, 81), 4)
eff <- cbind(Placebo = c(0, 0, 0, 0), Low = c(-1, -2, -3, -4), High = c(-2, -4, -5, -7))
Lc <- chol(S)
d <- do.call(rbind, lapply(1:n, function(i) {
  e <- as.vector(rnorm(4) %*% Lc)
  y <- 0.6 * base[i] + 0.05 * age[i] + 20 + eff[, as.character(arm[i])] + c(0, -1, -2, -2.5) + e
  data.frame(subject = sprintf("s%03d", i), arm = arm[i], base = base[i], age = age[i], visit = visits, y = round(y, 1))
}))
keep <- rep(TRUE, nrow(d))
for (i in 1:n) {
  rows <- which(d$subject == sprintf("s%03d", i)); gone <- FALSE
  for (j in 1:3) {
    if (!gone && runif(1) < plogis(-3.2 + 0.04 * (d$y[rows[j]] - 50))) gone <- TRUE
    if (gone) keep[rows[j + 1]] <- FALSE
  }
}
d <- d[keep, ]
# a categorical covariate, drawn after everything above so that the data's other columns do not depend on it
site <- sample(c("north", "south", "west"), n, replace = TRUE)
d$site <- site[as.integer(sub("s", "", d$subject))]
write.csv(d, "tests/data/mmrm_dropout.csv", row.names = FALSE)

d <- read.csv("tests/data/mmrm_dropout.csv")
d$visit <- factor(d$visit, levels = visits); d$arm <- factor(d$arm, levels = arms)
d$vnum <- as.integer(d$visit)
d$site <- factor(d$site)
form <- y ~ base + age + arm * visit
ctl <- glsControl(tolerance = 1e-14, msTol = 1e-14, maxIter = 1000, msMaxIter = 1000, natural = FALSE)

structures <- list(
  unstructured = list(cor = function(v, fixed) if (is.null(v)) corSymm(form = ~ vnum | subject) else corSymm(value = v, form = ~ vnum | subject, fixed = fixed), het = TRUE),
  heterogeneous_cs = list(cor = function(v, fixed) if (is.null(v)) corCompSymm(form = ~ vnum | subject) else corCompSymm(value = v, form = ~ vnum | subject, fixed = fixed), het = TRUE),
  compound_symmetry = list(cor = function(v, fixed) if (is.null(v)) corCompSymm(form = ~ vnum | subject) else corCompSymm(value = v, form = ~ vnum | subject, fixed = fixed), het = FALSE),
  ar1 = list(cor = function(v, fixed) if (is.null(v)) corAR1(form = ~ vnum | subject) else corAR1(value = v, form = ~ vnum | subject, fixed = fixed), het = FALSE)
)

fit_structure <- function(st) {
  w0 <- if (st$het) varIdent(form = ~ 1 | visit) else NULL
  fit <- gls(form, data = d, correlation = st$cor(NULL, FALSE), weights = w0, method = "REML", control = ctl)
  cst <- fit$modelStruct$corStruct; vst <- fit$modelStruct$varStruct
  nc <- length(coef(cst)); nv <- if (st$het) length(coef(vst)) else 0
  natural <- function(u) {
    c1 <- cst; coef(c1) <- u[seq_len(nc)]
    v1 <- NULL
    if (nv) { v1 <- vst; coef(v1) <- u[nc + seq_len(nv)] }
    list(cor = coef(c1, unconstrained = FALSE), var = if (nv) coef(v1, unconstrained = FALSE) else NULL)
  }
  profiled <- function(u) {
    nat <- natural(u)
    wf <- if (nv) varIdent(form = ~ 1 | visit, fixed = as.list(nat$var)) else NULL
    g <- gls(form, data = d, correlation = st$cor(nat$cor, TRUE), weights = wf, method = "REML")
    c(ll = as.numeric(logLik(g)), s2 = g$sigma^2)
  }
  u <- coef(fit$modelStruct)
  for (i in 1:4) {
    f <- function(v) -profiled(v)[["ll"]]
    u <- u - solve(hessian(f, u), grad(f, u))
  }
  nat <- natural(u)
  wf <- if (nv) varIdent(value = nat$var, form = ~ 1 | visit) else NULL
  # the formula written into the call: emmeans re-evaluates call$model
  cs <- st$cor(nat$cor, FALSE)
  fit <- if (nv) eval(bquote(gls(.(form), data = d, correlation = cs, weights = wf, method = "REML", control = ctl))) else
    eval(bquote(gls(.(form), data = d, correlation = cs, method = "REML", control = ctl)))
  N <- fit$dims$N; P <- fit$dims$p
  full <- function(w) {
    k <- length(w); pr <- profiled(w[-k]); ls <- w[k]
    # the REML log-likelihood at sigma = exp(ls), from the profiled one at sigma-hat
    pr[["ll"]] - 0.5 * ((N - P) * (2 * ls - log(pr[["s2"]])) + (N - P) * (pr[["s2"]] / exp(2 * ls) - 1))
  }
  w <- c(coef(fit$modelStruct), log(fit$sigma))
  A <- solve(-hessian(full, w))
  attr(A, "Pars") <- setNames(w, names(attr(fit$apVar, "Pars")))
  cat(sprintf("apVar of nlme vs numDeriv: largest relative difference %.3g\n", max(abs(A - fit$apVar)) / max(abs(A))))
  fit$apVar <- A
  fit
}

# emmeans' arm comparisons with control at each visit, written to `file`; returns the emmGrid
write_contrasts <- function(fit, file) {
  emm <- emmeans(fit, ~ arm | visit, mode = "satterthwaite", data = d)
  ct <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", adjust = "none"), infer = c(TRUE, TRUE)))
  write.csv(data.frame(visit = ct$visit, comparison = gsub(" ", "", ct$contrast), estimate = ct$estimate, se = ct$SE,
                       df = ct$df, t = ct$t.ratio, p = ct$p.value, ci_low = ct$lower.CL, ci_high = ct$upper.CL),
            file, row.names = FALSE)
  invisible(emm)
}

# type III F of each term on lmerTest's rows of the same lm formula, and its Fai-Cornelius df2 from
# emmeans' Satterthwaite df of each eigen-direction (lmerTest's rule)
type3 <- function(fit) {
  rg <- ref_grid(fit, mode = "satterthwaite", data = d)
  Ls <- lmerTest:::get_contrasts_type3(lm(form, data = d))
  fc <- function(L) {
    e <- eigen(L %*% vcov(fit) %*% t(L), symmetric = TRUE)
    nu <- sapply(seq_len(nrow(L)), function(m) rg@dffun(as.vector(t(e$vectors[, m]) %*% L), rg@dfargs))
    if (length(nu) == 1) return(nu)
    if (all(abs(diff(nu)) < 1e-8)) return(mean(nu))
    if (any(nu <= 2)) return(2)
    E <- sum(nu / (nu - 2)); 2 * E / (E - length(nu))
  }
  fstat <- function(L) { b <- L %*% coef(fit); as.numeric(t(b) %*% solve(L %*% vcov(fit) %*% t(L), b)) / nrow(L) }
  data.frame(source = names(Ls), F = sapply(Ls, fstat), df1 = sapply(Ls, nrow), df2 = sapply(Ls, fc))
}

for (name in names(structures)) {
  fit <- fit_structure(structures[[name]])
  emm <- write_contrasts(fit, file.path(out, paste0(name, "_contrasts.csv")))
  means <- as.data.frame(summary(emm))
  write.csv(data.frame(visit = means$visit, arm = means$arm, emmean = means$emmean, se = means$SE, df = means$df),
            file.path(out, paste0(name, "_means.csv")), row.names = FALSE)
  V <- unclass(getVarCov(fit, individual = "s001"))
  write.csv(data.frame(structure = name, loglik = as.numeric(logLik(fit)), t(as.vector(V))),
            file.path(out, paste0(name, "_fit.csv")), row.names = FALSE)
  if (name == "unstructured") {
    jt <- as.data.frame(joint_tests(fit, mode = "satterthwaite", data = d))
    t3 <- type3(fit)
    write.csv(cbind(t3, F_joint_tests = jt$F.ratio[match(t3$source, jt$`model term`)]),
              file.path(out, "unstructured_type3.csv"), row.names = FALSE)
  }
}

# 3. the categorical covariate site
options(contrasts = c("contr.sum", "contr.poly"))
anc_terms <- NULL; anc_eff <- NULL
for (v in visits) {
  w <- d[d$visit == v, ]
  fit <- lm(y ~ base + age + site + arm, data = w)
  a <- Anova(fit, type = 3)
  anc_terms <- rbind(anc_terms, data.frame(visit = v, source = rownames(a), SS = a$`Sum Sq`, df = a$Df, F = a$`F value`, p = a$`Pr(>F)`))
  ct <- as.data.frame(summary(contrast(emmeans(fit, ~ arm), "trt.vs.ctrl", adjust = "none"), infer = c(TRUE, TRUE)))
  anc_eff <- rbind(anc_eff, data.frame(visit = v, comparison = gsub(" ", "", ct$contrast), estimate = ct$estimate, se = ct$SE,
                                       df = ct$df, p = ct$p.value, ci_low = ct$lower.CL, ci_high = ct$upper.CL))
}
write.csv(anc_terms, file.path(out, "site_ancova_terms.csv"), row.names = FALSE)
write.csv(anc_eff, file.path(out, "site_ancova_effects.csv"), row.names = FALSE)
lmm <- lmer(y ~ base + age + site + arm * visit + (1 | subject), data = d, REML = TRUE,
            control = lmerControl(optCtrl = list(ftol_abs = 1e-14, xtol_abs = 1e-14)))
a <- anova(lmm, type = 3, ddf = "Satterthwaite")
write.csv(data.frame(source = rownames(a), F = a$`F value`, df1 = a$NumDF, df2 = a$DenDF, p = a$`Pr(>F)`),
          file.path(out, "site_lmm_type3.csv"), row.names = FALSE)
options(contrasts = c("contr.treatment", "contr.poly"))
form <- y ~ base + age + site + arm * visit
fit <- fit_structure(structures$unstructured)
write_contrasts(fit, file.path(out, "site_mmrm_contrasts.csv"))
write.csv(type3(fit), file.path(out, "site_mmrm_type3.csv"), row.names = FALSE)

# 4. A stratification factor: the seeded stratified 3-arm trial of k_arms.R (tests/data/three_arms_long.csv),
#    the baseline visit t0 as the covariate, age, the stratum as a main effect; the unstructured MMRM.
k <- read.csv("tests/data/three_arms_long.csv")
base <- setNames(k$score[k$visit == "t0"], k$pid[k$visit == "t0"])
d <- k[k$visit != "t0", ]
d$base <- base[d$pid]; d$subject <- d$pid; d$y <- d$score
d$visit <- factor(d$visit, levels = c("t1", "t2")); d$vnum <- as.integer(d$visit)
d$arm <- factor(d$arm, levels = c("Control", "A", "B")); d$stratum <- factor(d$stratum)
visits <- c("t1", "t2")
form <- y ~ base + age + stratum + arm * visit
fit <- fit_structure(structures$unstructured)
write_contrasts(fit, file.path(out, "stratum_mmrm_contrasts.csv"))
write.csv(type3(fit), file.path(out, "stratum_mmrm_type3.csv"), row.names = FALSE)
