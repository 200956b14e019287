"""protosmith benchmarks: performance claims measured side by side and printed as ratios.

``python -m bench`` runs every benchmark and merges its figures into ``bench/results.json``.
"""
