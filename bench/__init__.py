"""Benchmarks (`make bench`): figures printed as a table and saved to bench/results/."""
