"""Deprecated: this module is now :mod:`recurse.checkpoints.checks`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.checkpoints.checks")

from recurse.checkpoints.checks import *  # noqa: E402, F403
