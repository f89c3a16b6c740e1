"""Deterministic normalisation after the model: text folding, actors, dates, counts, places.

Each submodule is pure code with its own tests; none calls a model.
"""
