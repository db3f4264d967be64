"""Deprecated: this module is now :mod:`recurse.hub.zoo`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.hub.zoo")

from recurse.hub.zoo import *  # noqa: E402, F403
