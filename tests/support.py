"""Plain helpers that several test files import: small notebook parts and a train that counts its calls.

The shared fixtures are in conftest.py. These are ordinary functions and classes, imported as
``from support import ...`` (pytest puts tests/ on the path), because a test file cannot reliably
import from conftest.py: tests/browser/ has a conftest.py of its own under the same module name.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import nbformat
import numpy as np
from PIL import Image

PYTHON3 = {"name": "python3", "display_name": "Python 3", "language": "python"}
new_code = nbformat.v4.new_code_cell
new_markdown = nbformat.v4.new_markdown_cell


def stream(text: str) -> nbformat.NotebookNode:
    """A stdout stream output holding ``text``, as a code cell's print leaves it."""
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def python3_notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A notebook of ``cells`` with the python3 kernelspec, ready to execute or to check."""
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = dict(PYTHON3)
    return notebook


class CountingTrain:
    """A notebook's ``train(x, y, *settings)`` that records the settings of every call, in order."""

    def __init__(self, function: Callable[..., object]) -> None:
        self.function = function
        self.calls: list[tuple[object, ...]] = []

    def __call__(self, x: object, y: object, *settings: object) -> object:
        self.calls.append(settings)
        return self.function(x, y, *settings)


def explorer_pixels(explorer: object) -> np.ndarray:
    """The RGB pixels of the one figure an explorer shows (its ``_figure_box`` holds a single image)."""
    (picture,) = explorer._figure_box.children  # type: ignore[attr-defined]
    return np.asarray(Image.open(io.BytesIO(picture.value)).convert("RGB"))
