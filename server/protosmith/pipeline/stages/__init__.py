"""The stages of a generation, one module each, in the order a run meets them.

``architecture`` designs the components; per component ``interface``, ``implementation``,
``testing``, ``verify`` (with its repair loop) and ``review`` are graph tasks, then
``integration`` runs them together; ``documentation`` writes the docs from whatever was built.
"""
