"""How PyTorch's OpenMP threads wait between kernels: asleep, not spinning, unless the user chose.

By default an OpenMP thread that finishes its share of a kernel spins for a while before it sleeps. On a
machine whose cores are busy with other work (a laptop, a shared server) the spinning thread holds the
core that its partner needs to finish, so every small elementwise kernel waits for the scheduler. A
training step of the 9×9 mini recipe on 2 busy cores took 2.5× longer that way (docs/performance.md).
The OpenMP runtime reads the policy once, when torch loads it, so this runs before torch is imported:
the ``recurse`` command line (``recurse.cli.main``, also behind ``python -m recurse`` and torchrun's
``-m recurse.cli``) calls it first thing. ``import recurse`` does not: a library leaves its host
process's environment alone, and a program that imports recurse chooses its own policy (set
``OMP_WAIT_POLICY=PASSIVE`` before importing torch to get the command line's behaviour).
"""

from __future__ import annotations

import os
import sys

POLICY = "OMP_WAIT_POLICY"


def prefer_passive_waiting() -> None:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless it is set already or torch is loaded (too late to matter)."""
    if "torch" not in sys.modules:
        os.environ.setdefault(POLICY, "PASSIVE")
