"""`make bench`: GET /info/ under load, the project's stack against the blog's design, the minimal
hop (the limit of the design) and a bare route; then where each app's CPU goes, layer by layer.

variants.py says what runs (minimal.py is the minimal hop), run.py how it is measured, load.py
drives wrk, report.py writes the results and the targets under reports/; profile.py profiles each
app per layer, by the table in layers.py.
"""
