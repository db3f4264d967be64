"""Unit tests, one module per part of the package."""
