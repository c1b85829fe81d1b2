"""Individual data: ingestion of any file to the canonical long table, and its logged cleaning.

- :mod:`.ingest`: CSV, TSV or XLSX, long or wide, to one validated row per subject x visit;
- :mod:`.clean`: range checks, duplicates, inconsistent and incomplete subjects, every change logged.
"""
