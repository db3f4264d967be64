"""``python -m recurse``: the ``recurse`` command line."""

from recurse.cli.main import main

main()
