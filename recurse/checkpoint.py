"""Deprecated: this module is now :mod:`recurse.model.checkpoint`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.checkpoint")

from recurse.model.checkpoint import *  # noqa: E402, F403
