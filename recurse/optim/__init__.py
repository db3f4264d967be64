"""Optimisers: AdamATan2 for dense parameters and SignSGD for sparse puzzle embeddings."""
