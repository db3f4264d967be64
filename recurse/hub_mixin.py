"""Deprecated: this module is now :mod:`recurse.model.pretrained`; the old path works until the next release."""

from recurse._moved import moved

__getattr__ = moved(__name__, "recurse.model.pretrained")

from recurse.model.pretrained import *  # noqa: E402, F403
