"""A Hugging Face Space of the page: ``recurse serve --space DIR`` writes its app.py, requirements.txt
and README.md (the Space's settings), refusing to overwrite any file already there."""

from __future__ import annotations

from pathlib import Path

from recurse.errors import RecurseError

APP = '''"""A page on which a person enters a puzzle and watches a recursive reasoner refine its answer (recurse)."""

import os

from recurse.serve.catalogue import Catalogue
from recurse.serve.page import build_page, launch

MODELS = {models!r}  # besides the bundled solvers: folders or Hub repo ids

page = build_page(Catalogue(MODELS, device="cpu"))

if __name__ == "__main__":
    # A Space sets the address and port through these variables; on a laptop the page stays local.
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    print(launch(page, host=host, port=port), flush=True)
    page.block_thread()
'''

README = """---
title: recurse
emoji: 🔁
colorFrom: blue
colorTo: green
sdk: gradio
sdk_version: {gradio_version}
app_file: app.py
pinned: false
---

Enter a puzzle, watch a tiny recursive reasoner (TRM) refine its answer step by step, and see whether the
checker accepts it. Built with `recurse serve --space`.
"""

REQUIREMENTS = """--extra-index-url https://download.pytorch.org/whl/cpu
torch
recurse-reasoners[demo]
"""


def write_space(folder: str | Path, models: list[str], gradio_version: str) -> list[Path]:
    """Write the Space's files into ``folder`` (created if missing); returns them. Existing files are kept:
    any of them already there is an error before anything is written."""
    folder = Path(folder)
    files = {
        folder / "app.py": APP.format(models=list(models)),
        folder / "requirements.txt": REQUIREMENTS,
        folder / "README.md": README.format(gradio_version=gradio_version),
    }
    present = [path.name for path in files if path.exists()]
    if present:
        raise RecurseError(f"{folder} already holds {', '.join(present)}; choose an empty folder for the Space")
    if folder.exists() and not folder.is_dir():
        raise RecurseError(f"{folder} is a file; --space takes a folder")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
