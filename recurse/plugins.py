"""Loading user plugins (tasks, cores, schedules, halting policies) so that their registrations run.

Two ways: a Python file given on the command line (``recurse --plugin my_task.py …``), or an installed
package that declares an entry point in the ``recurse.plugins`` group, loaded automatically.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from importlib.metadata import entry_points
from pathlib import Path

from recurse.errors import RecurseError

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "recurse.plugins"
PLUGIN_MODULE_PREFIX = "recurse_plugin_"  # the module name of a file given with --plugin


def load_plugin_file(path: str | Path) -> None:
    """Import ``path`` as a module (once), which registers whatever it defines."""
    path = Path(path).resolve()
    if not path.is_file() or path.suffix != ".py":
        raise RecurseError(f"plugin {path} is not a Python file")
    name = f"{PLUGIN_MODULE_PREFIX}{path.stem}_{abs(hash(str(path))) % 10**8}"
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RecurseError(f"plugin {path} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    except RecurseError:
        raise
    except Exception as error:  # noqa: BLE001  a user's file can fail in any way; say which file
        del sys.modules[name]
        raise RecurseError(f"plugin {path} failed to import: {type(error).__name__}: {error}") from None


def load_installed_plugins() -> None:
    """Import every module registered under the ``recurse.plugins`` entry-point group."""
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()
        except Exception as error:  # noqa: BLE001  one broken plugin must not break the command line
            log.warning("plugin %s could not be loaded: %s", entry.name, error)


def plugin_file_of(obj: object) -> Path | None:
    """The plugin file (given with ``--plugin``) that defined ``obj``, or None for anything else."""
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    origin = getattr(module, "__file__", None)
    if module is None or not module.__name__.startswith(PLUGIN_MODULE_PREFIX) or origin is None:
        return None
    path = Path(origin)
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
