"""What printed tables leave open, carried through every statistic recomputed from them.

A reanalysis from a paper's tables rests on quantities the tables do not fix: the correlation
between a patient's visits, the rounding of every printed mean and SD, which patients each printed
cell describes when the n differs between visits, and cells the paper did not print at all. This
package turns each into bounds and carries them through each statistic:

- :mod:`.box`: where the complete cases' means and SDs can lie (rounding and overlap);
- :mod:`.anova`: every F of the mixed ANOVA;
- :mod:`.effects`: within-group changes (paired t) and baseline-adjusted treatment effects (ANCOVA);
- :mod:`.correlation`: the correlation range, narrowed by what the paper prints;
- :mod:`.adjusted`: the range a covariate-adjusted effect can take, given the baseline imbalance;
- :mod:`.table`: one table per outcome with every band, what dominates it and where the
  conclusion flips;
- :mod:`.published`: that table from a trial folder's printed tables (what the rule `band` runs).
"""

from .anova import BAND_COLUMNS, f_band, printed_band
from .box import Box, Limits, OpenQuantities, complete_case_box

__all__ = ["BAND_COLUMNS", "Box", "Limits", "OpenQuantities", "complete_case_box", "f_band", "printed_band"]
