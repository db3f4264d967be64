"""Tests for recurse."""
