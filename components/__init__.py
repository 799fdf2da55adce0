"""Reusable Dash layout builders (no callbacks, no data access)."""
