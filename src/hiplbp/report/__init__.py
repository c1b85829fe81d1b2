"""The report: a parameterized notebook run by papermill, exported as self-contained HTML.

- :mod:`.notebook`: execute the template, strip what varies between runs, export HTML offline;
- :mod:`.html`: escaped Markdown, journal tables, table pages, figures and contents;
- :mod:`.provenance`: data origin, config hash, code version and package versions;
- :mod:`.screen_page`: the page of a screen of many trials.
"""
