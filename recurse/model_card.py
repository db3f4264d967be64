"""Deprecated: this module is now :mod:`recurse.hub.card`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.hub.card")

from recurse.hub.card import *  # noqa: E402, F403
