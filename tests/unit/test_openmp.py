"""The command line asks OpenMP threads to sleep between kernels (unless the user chose or torch came
first); ``import recurse`` alone leaves the process environment as it is."""

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


def test_importing_the_library_changes_no_environment():
    assert policy_after("import recurse; import recurse.solver") == "None"


def test_the_command_line_sets_passive_before_torch_loads():
    assert policy_after("import recurse.cli.main") == "PASSIVE"


def test_the_users_choice_wins():
    assert policy_after("import recurse.cli.main", OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"


def test_left_alone_when_torch_is_already_loaded():
    assert policy_after("import torch; import recurse.cli.main") == "None"
