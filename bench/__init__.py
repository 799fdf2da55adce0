"""Benchmark suite: targets live here, measured over HTTP against a running app (see README)."""
