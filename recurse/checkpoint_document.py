"""Deprecated: this module is now :mod:`recurse.checkpoints.document`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.checkpoints.document")

from recurse.checkpoints.document import *  # noqa: E402, F403
