"""Synthetic patients reconstructed from printed summaries (always labelled synthetic).

- :mod:`.patients`: patients whose every printed mean and SD is reproduced to the printed digit;
- :mod:`.sampler`: integer or fixed-step samples with given rounded moments and correlations;
- :mod:`.replicates`: many reconstructions, and how far each statistic moves between them.
"""
