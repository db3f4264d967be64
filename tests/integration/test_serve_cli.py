"""``recurse serve`` on the command line: bad input ends in one line before any page is served, and
``--space`` writes a Space without touching files already there."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from tests.integration.conftest import run_recurse

pytest.importorskip("gradio", reason='needs Gradio (pip install "recurse-reasoners[demo]")')


def invoke(*arguments: str):
    from recurse.cli.main import cli

    return CliRunner().invoke(cli, ["serve", *arguments], catch_exceptions=False)


def test_a_model_that_cannot_be_loaded_is_one_line_before_serving(tmp_path):
    result = run_recurse("serve", str(tmp_path / "no-such-run"), check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "no-such-run" in lines[0], result.stderr
    assert "http://" not in result.stdout


def test_a_port_in_use_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = invoke("--port", str(port), "--device", "cpu")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (  # notes about loaded models may come before
        f"Error: cannot listen on 127.0.0.1:{port} (in use, or not this machine's address); "
        "choose another with --port or --host"
    )


def test_space_writes_its_files_once(tmp_path):
    first = invoke("--space", str(tmp_path / "space"), "runs/my-run")
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in (tmp_path / "space").iterdir()) == ["README.md", "app.py", "requirements.txt"]
    assert "'runs/my-run'" in (tmp_path / "space" / "app.py").read_text()
    (tmp_path / "space" / "README.md").write_text("my notes")
    again = invoke("--space", str(tmp_path / "space"))
    assert again.exit_code == 1 and "already holds" in again.output and "\n" not in again.output.strip()
    assert (tmp_path / "space" / "README.md").read_text() == "my notes"
