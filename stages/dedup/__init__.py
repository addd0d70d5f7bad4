"""Exact and MinHash-LSH near-duplicate removal, distributed on Ray (a barrier stage)."""
