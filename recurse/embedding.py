"""Deprecated: this module is now :mod:`recurse.model.embedding`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.embedding")

from recurse.model.embedding import *  # noqa: E402, F403
