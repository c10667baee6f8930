"""Benchmarks: the project measured against plain baselines on the same machine, as ratios."""
