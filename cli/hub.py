"""``recurse hub``: publish checkpoints to the Hugging Face Hub and download them."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.errors import user_errors


@click.group()
def hub() -> None:
    """Share solvers through the Hugging Face Hub."""


@hub.command()
@click.argument("checkpoint", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("repo_id")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option("--token", default=None, help="Hub token (default: the one saved by `hf auth login`).")
@user_errors
def push(checkpoint: Path, repo_id: str, private: bool, token: str | None) -> None:
    """Upload CHECKPOINT (a checkpoint or run folder) to REPO_ID with a generated model card.

    \b
    Example:
      recurse hub push runs/trm-sudoku-mini my-name/trm-sudoku-6x6
    """
    from recurse.hub.repos import push_to_hub
    from recurse.hub.source import find_checkpoint_folder

    url = push_to_hub(find_checkpoint_folder(checkpoint), repo_id, private=private, token=token)
    click.echo(f"pushed {checkpoint} to {url}")


@hub.command()
@click.argument("repo_id")
@click.option("--revision", default=None, help="Branch, tag or commit (or write REPO_ID@REVISION).")
@click.option("--force-download", is_flag=True, help="Download again even if the files are cached.")
@user_errors
def pull(repo_id: str, revision: str | None, force_download: bool) -> None:
    """Download REPO_ID's checkpoint into the Hugging Face cache (then it works offline).

    Prints the commit the revision resolved to: pass it as --revision (or REPO_ID@COMMIT) to load
    exactly these weights again.

    \b
    Examples:
      recurse hub pull my-name/trm-sudoku-6x6
      recurse hub pull my-name/trm-sudoku-6x6@v1
    """
    from recurse.hub.repos import download_checkpoint, snapshot_commit, split_reference

    folder = download_checkpoint(repo_id, revision=revision, force_download=force_download)
    name, pinned = split_reference(repo_id)
    click.echo(f"{name}@{revision or pinned or 'main'} is commit {snapshot_commit(folder)}, in {folder}")
