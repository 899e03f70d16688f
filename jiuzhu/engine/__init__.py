"""The scoring engine: plain Python (and Polars for batches), no Django import.

Dataclasses in, scores with their reasons out. Django feeds it and stores the
results (see the `assessment` app); import-linter keeps the boundary.
"""
