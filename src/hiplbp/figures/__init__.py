"""Figures, byte-identical from run to run, that say on their face when data are synthetic.

- :mod:`.style`: matplotlib settings, palette and :func:`~hiplbp.figures.style.save`;
- :mod:`.outcome`: mean and 95 % t-interval over visits per stratum x arm;
- :mod:`.sensitivity`: p against the correlation, and where a conclusion flips;
- :mod:`.consort`: the CONSORT flow diagram, from printed counts or the data's own;
- :mod:`.carlisle`: a screen's Carlisle p values across trials.
"""
