"""Deprecated: this module is now :mod:`recurse.layers.block`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.layers.block")

from recurse.layers.block import *  # noqa: E402, F403
