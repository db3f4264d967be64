"""Deprecated: this module is now :mod:`recurse.model.puzzle_embedding`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.puzzle_embedding")

from recurse.model.puzzle_embedding import *  # noqa: E402, F403
