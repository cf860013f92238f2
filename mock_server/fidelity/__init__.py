"""Fidelity: record a stage's traffic into a cassette (record.py), replay it against a sandbox and name every
difference (compare.py), reported like the contract report (report.py). The format is in cassette.py."""
