"""Models on individual data (real or reconstructed), each equal to an independent R reference.

- :mod:`.anova`: mixed (split-plot) ANOVA, types II and III, sphericity (Mauchly, GG, HF);
- :mod:`.ancova`: each follow-up visit adjusted for baseline;
- :mod:`.lmm`: linear mixed model on all observed values (REML, Satterthwaite type III F);
- :mod:`.contrasts`: arm contrasts per visit and in change from baseline, model-based;
- :mod:`.describe`: descriptive statistics per design cell with t intervals;
- :mod:`.effects`: standardized effect sizes (Hedges' g, d_z) with confidence intervals.
"""
