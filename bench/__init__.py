"""`make bench`: GET /info/ under load, the project's stack against the blog's design and a bare route.

variants.py says what runs, run.py how it is measured, load.py drives wrk, report.py writes the
results under reports/.
"""
