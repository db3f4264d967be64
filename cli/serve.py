"""``recurse serve``: a local web page to enter a puzzle, watch the model refine it and read the verdict."""

from __future__ import annotations

from pathlib import Path

import click

from recurse.cli.args import DEVICE
from recurse.cli.errors import user_errors


@click.command()
@click.argument("models", nargs=-1)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only)."
)
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port to listen on (default: the first free from 7860)."
)
@click.option("--device", type=DEVICE, default="auto", show_default=True, help="auto, cpu, cuda, cuda:N or mps.")
@click.option(
    "--space",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write a Hugging Face Space (app.py, requirements.txt, README.md) into this folder instead of serving.",
)
@user_errors
def serve(models: tuple[str, ...], host: str, port: int | None, device: str, space: Path | None) -> None:
    """Serve a page on which to enter a puzzle, watch the model refine it step by step and check the answer.

    MODELS (optional) are run or checkpoint folders and Hub repo ids offered besides the bundled solvers; the
    first is shown first. Needs Gradio: pip install "recurse-reasoners[demo]".

    \b
    Examples:
      recurse serve
      recurse serve runs/trm-colouring-mini --port 8000
      recurse serve --space my-space
    """
    from recurse.serve.page import require_gradio

    gradio = require_gradio()
    if space is not None:
        from recurse.serve.space import write_space

        for path in write_space(space, list(models), gradio.__version__):
            click.echo(f"wrote {path}")
        return

    from recurse.serve.catalogue import Catalogue
    from recurse.serve.page import build_page, launch

    catalogue = Catalogue(models, device=device)
    for name in models:  # a model that cannot be loaded is an error now, not a broken page later
        catalogue.load(name)
    if catalogue.default is None:
        raise click.UsageError("no bundled solvers in this installation: name a model folder or Hub repo id")
    page = build_page(catalogue)
    try:
        url = launch(page, host=host, port=port)
    except OSError:
        where = f"{host}:{port}" if port else f"{host} on any port from 7860"
        raise click.ClickException(
            f"cannot listen on {where} (in use, or not this machine's address); choose another with --port or --host"
        ) from None
    click.echo(f"recurse serve: {url} (Ctrl+C to stop)", err=False)
    try:
        page.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        page.close()
