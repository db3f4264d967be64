"""Bundled pretrained solvers (package data): one folder per model with config.json, weights and card."""
