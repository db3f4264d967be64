"""Bounds on settings that no sensible run exceeds, shared by the config and the halting settings.

A value beyond them is a typo or a hostile file (``halting.max_steps: 1e9`` would hang an evaluation), so
it is refused before anything is built.
"""

MAX_RECURSION = 10_000  # supervision steps, latent steps, recursions, layers
