"""Hosting capacity for engineers: EG criteria per distribution transformer, PMGD indicators per feeder,
nearest network to a point. All figures are indicative, never a substitute for the connection study.

Modules: ``criteria`` (thresholds and their sources), ``calc`` (pure, vectorised formulas over
DataFrames), ``queries`` (Session -> input frames -> results), ``spatial`` (STRtree per process,
keyed by a data version), ``point`` (parsing of lat/lon, UTM or client number), ``layers`` (map
colouring), ``export`` (CSV, XLSX, GeoJSON). Kept import-light: ``settings`` imports ``criteria``.
"""
