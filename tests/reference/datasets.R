# Export the R data sets whose published results are worked examples in the tests
# (tests/reference/integrity/README.md), so that the tests need no R.
# Run from the repository root: Rscript tests/reference/datasets.R
suppressMessages({library(emmeans); library(lme4); library(lmerTest)})
out <- "tests/reference/data"
write.csv(emmeans::fiber, file.path(out, "fiber.csv"), row.names = FALSE)        # emmeans 1.8.4
write.csv(lme4::cake, file.path(out, "cake.csv"), row.names = FALSE)             # lme4
load(system.file("testdata", "potdata.RData", package = "lmerTest"))
write.csv(potdata, file.path(out, "potdata.csv"), row.names = FALSE)             # lmerTest 3.1-3 testdata
