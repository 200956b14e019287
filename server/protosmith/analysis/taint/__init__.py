"""Taint analysis for Python: untrusted input followed through a module to dangerous sinks.

``analyze_module(tree, text, path)`` returns grounded security findings; each names where the
input entered (related location) and the flow that carried it to the sink.
"""

from protosmith.analysis.taint.module import analyze_module

__all__ = ["analyze_module"]
