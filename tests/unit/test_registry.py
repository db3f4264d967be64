"""The registry: register, look up, list, and clear errors for unknown or duplicate names."""

import pytest

from recurse.registry import Registry, UnknownNameError


def test_register_and_get():
    reg = Registry("thing")

    @reg.register("a")
    class A: ...

    assert reg.get("a") is A
    assert reg.names() == ["a"]
    assert "a" in reg and len(reg) == 1
    assert A.registry_name == "a"


def test_unknown_name_lists_known_names():
    reg = Registry("core")
    reg.register("mlp")(type("M", (), {}))
    reg.register("attention")(type("A", (), {}))
    with pytest.raises(UnknownNameError, match=r"unknown core 'conv'; known: attention, mlp"):
        reg.get("conv")


def test_duplicate_name_is_an_error():
    reg = Registry("core")
    reg.register("mlp")(type("M", (), {}))
    with pytest.raises(ValueError, match="already registered"):
        reg.register("mlp")(type("M2", (), {}))


def test_builtin_plugins_registered():
    from recurse import CORES, HALTING, SCHEDULES

    assert CORES.names() == ["attention", "mlp"]
    assert SCHEDULES.names() == ["hier", "hrm", "none", "single_z", "trm"]
    assert HALTING.names() == ["fixed", "q_continue", "q_halt", "threshold"]
