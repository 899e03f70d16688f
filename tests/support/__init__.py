"""Helpers shared by test modules that are not fixtures: builders of form posts,
spreadsheets, API requests and browser steps, and hypothesis strategies. Test
modules import from here (or tests.factories), never from one another
(tests/test_layout.py checks it); fixtures live in the conftest.py files."""
