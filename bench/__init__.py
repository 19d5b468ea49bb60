"""Benchmarks run by `make bench` (scripts/run-bench), and the URLconf their settings select."""
