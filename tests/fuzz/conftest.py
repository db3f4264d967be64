"""The fuzz suite's shared parts: a tiny checkpoint, an in-process CLI driver and a tally of every generated
bad input, printed at the end of the session (and written as JSON where RECURSE_FUZZ_REPORT names a file)."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.integration.conftest import make_checkpoint

TRIED: Counter = Counter()  # suite → generated bad inputs tried
BAD: Counter = Counter()  # suite → inputs that ended badly (traceback, wrong exception, silent acceptance, stray file)
EXAMPLES = 25  # per test in the default run; the wide variants under the ``slow`` marker try many more
WIDE_EXAMPLES = 400


def record(suite: str, problem: str | None) -> None:
    """Count one generated input, and fail with ``problem`` when it ended badly."""
    TRIED[suite] += 1
    if problem:
        BAD[suite] += 1
        pytest.fail(problem)


def pytest_terminal_summary(terminalreporter) -> None:
    if not TRIED:
        return
    total, bad = sum(TRIED.values()), sum(BAD.values())
    per_suite = ", ".join(f"{suite} {TRIED[suite]}" for suite in sorted(TRIED))
    terminalreporter.write_line(f"fuzz: {total} generated bad inputs ({per_suite}), {bad} ended badly")
    target = os.environ.get("RECURSE_FUZZ_REPORT")
    if target:
        Path(target).write_text(
            json.dumps({"tried": dict(TRIED), "bad": dict(BAD), "total": total, "ended_badly": bad}, indent=2)
        )


@pytest.fixture(scope="session")
def fuzz_checkpoint(tmp_path_factory) -> Path:
    return make_checkpoint(tmp_path_factory.mktemp("fuzz") / "ckpt")


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time, to detect any write."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()
    }


@contextmanager
def scratch_dir():
    with tempfile.TemporaryDirectory(prefix="recurse-fuzz-") as folder:
        yield Path(folder)


def invoke(args: list[str], *, stdin: bytes | str | None = None, watch: tuple[Path, ...] = ()) -> str | None:
    """Run ``recurse ARGS`` in-process from an empty working folder; the problem, or None when it failed
    cleanly (non-zero exit, no traceback, nothing written to the working folder or to ``watch``)."""
    from recurse.cli.main import cli

    before = {folder: snapshot(folder) for folder in watch}
    with scratch_dir() as cwd:
        previous = os.getcwd()
        os.chdir(cwd)
        try:
            # catch_exceptions=False: an exception that escapes the CLI (a traceback for a user) fails here.
            result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=False)
        except SystemExit as error:  # ctx.exit inside standalone mode is turned into an exit code by click
            return None if error.code else f"exit 0 for {args!r}"
        except Exception as error:  # noqa: BLE001 - any escaping exception is the finding
            return f"{type(error).__name__} escaped for {args!r}: {error}"
        finally:
            os.chdir(previous)
            written = sorted(str(p.relative_to(cwd)) for p in cwd.rglob("*"))
    output = result.output  # stdout and stderr as a terminal shows them
    if result.exit_code == 0:
        return f"exit 0 (silently accepted) for {args!r}: {output[-300:]}"
    if "Traceback" in output:
        return f"traceback for {args!r}: {output[-500:]}"
    if written:
        return f"wrote {written} for {args!r}"
    for folder, files in before.items():
        if snapshot(folder) != files:
            return f"changed {folder} for {args!r}"
    return None


def fuzz_pair(body, fixtures: tuple[str, ...], **strategies):
    """The hypothesis test for ``body`` at the default budget, and its wide variant under the ``slow`` marker.

    ``body(*fixture_values, **drawn)`` returns the problem with one generated input, or None when it ended
    as it should; every call is counted.
    """
    from hypothesis import HealthCheck, given, settings

    suite = body.__name__.removeprefix("_")

    def make(examples: int):
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(**strategies)
        def test(request, **drawn):
            record(suite, body(*(request.getfixturevalue(name) for name in fixtures), **drawn))

        return test

    return make(EXAMPLES), pytest.mark.slow(make(WIDE_EXAMPLES))
