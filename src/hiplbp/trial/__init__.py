"""The trial as data: the tables a paper prints, read exactly as printed, and the design it describes.

- :mod:`.tables`: a trial folder's tables (format 1), validated before anything runs;
- :mod:`.published`: the printed numbers with their precision (decimals, rounding, groups, n);
- :mod:`.cells`: every group x visit cell as a target, printed or filled from an explicit assumption;
- :mod:`.design`: :class:`~hiplbp.trial.design.Design`, the design every stage reads.
"""
