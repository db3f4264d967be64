"""Deprecated: this module is now :mod:`recurse.inference.animation`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.inference.animation")

from recurse.inference.animation import *  # noqa: E402, F403
