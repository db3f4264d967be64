"""Bounds on settings that no sensible run exceeds, shared by the config and the halting settings.

A value beyond them is a typo or a hostile file (``halting.max_steps: 1e9`` would hang an evaluation), so
it is refused before anything is built.
"""

MAX_RECURSION = 10_000  # supervision steps, latent steps, recursions, layers

# Verified solving gives a puzzle's exact search up to this many nodes and seconds (each of the guided search
# and its plain baseline), then reports that it gave up. The hardest of 2,840 tdoku 9×9 puzzles needs under
# 2,000 guided nodes (docs/results.md); a minimal puzzle a few.
DEFAULT_VERIFY_NODES = 10_000
DEFAULT_VERIFY_SECONDS = 0.5
