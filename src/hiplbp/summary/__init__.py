"""Statistics from printed summaries alone: the paper's analysis replayed, and what it depends on.

- :mod:`.anova`: the mixed ANOVA from cell sizes, means and SDs at any correlation (exact);
- :mod:`.ttest`: paired t of a printed change at an assumed correlation, and its threshold;
- :mod:`.sensitivity`: every test over correlations and assumed cells, and where each flips;
- :mod:`.replay`: the paper's claims and printed tests against their recomputation.
"""
