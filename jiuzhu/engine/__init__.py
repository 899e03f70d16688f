"""The scoring engine: plain Python (and Polars for batches), no Django import.

Dataclasses in, scores with their reasons out. Django feeds it and stores the
results (see the `assessment` app); import-linter keeps the boundary.
"""

from .alkire_foster import alkire_foster as alkire_foster  # the function shadows its module
from .elderly import elderly_ability as elderly_ability
