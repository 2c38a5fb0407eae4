"""What the explorers' messages say differently on Colab, whose menus are not JupyterLab's.

The kernel cannot see which front end draws its widgets, but a Colab runtime always has the ``google.colab``
package, which nothing else installs. The widgets themselves need nothing here: the explorers use only what
ipywidgets 7.7.1 (Colab's) and 8.1.9 both have (checked by ``make colab-profile`` in the classic Notebook's
ipywidgets 7 front end).
"""

from __future__ import annotations

import importlib.util

COLAB_RUN_ABOVE = "Runtime › Run before"


def on_colab() -> bool:
    """Whether this kernel is a Colab runtime."""
    try:
        return importlib.util.find_spec("google.colab") is not None
    except ModuleNotFoundError:  # no package `google` at all
        return False


def run_above(jupyterlab_menu: str) -> str:
    """The menu item that runs every cell above the selected one: Colab's name on Colab, else ``jupyterlab_menu``."""
    return COLAB_RUN_ABOVE if on_colab() else jupyterlab_menu
