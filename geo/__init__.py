"""Geospatial helpers: coordinate systems, comuna boundaries, map layers and KMZ."""
