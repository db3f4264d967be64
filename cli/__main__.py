"""``python -m recurse.cli`` runs the command line (this is what torchrun launches)."""

from recurse.cli.main import main

main()
