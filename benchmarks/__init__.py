"""Reproducible speed and memory measurements (``python -m benchmarks``)."""
