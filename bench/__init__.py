"""Benchmarks: scripts, not tests. Run them all with `make bench` (see BENCHMARKS.md)."""
