"""``import recurse`` asks OpenMP threads to sleep between kernels, unless the user chose or torch came first."""

from __future__ import annotations

import os
import subprocess
import sys

SHOW = "import os; {imports}; print(os.environ.get('OMP_WAIT_POLICY'))"


def policy_after(imports: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | env
    result = subprocess.run(
        [sys.executable, "-c", SHOW.format(imports=imports)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_passive_by_default():
    assert policy_after("import recurse") == "PASSIVE"


def test_the_users_choice_wins():
    assert policy_after("import recurse", OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"


def test_left_alone_when_torch_is_already_loaded():
    assert policy_after("import torch; import recurse") == "None"
