"""Deterministic demo-network generator: ``generate(profile, seed, as_of)`` -> frames per table."""
