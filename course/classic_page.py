"""The ipywidgets 7 front end in a real browser: the classic Notebook 6.5 with widgetsnbextension 3.6, as on Colab.

Colab draws widgets with the ipywidgets 7 front end (``@jupyter-widgets/controls`` 1.5); the classic Notebook 6.5.7
with widgetsnbextension 3.6.10 runs the same one, so the ipywidgets 7 browser test and benchmark drive it. This is a
test bench, not a way to use the series. The server and its kernels run in the Colab profile's venv
(``.venv-colab``, ``make colab-profile`` builds it), with this checkout's helpers on PYTHONPATH.

:class:`ClassicNotebookServer` is :class:`course.lab_server.LabServer` with the classic Notebook's command line; the
functions open and run notebooks through the classic Notebook's ``Jupyter`` object. Cells (``notebook_cells``,
``cell_index``), sliders and explorers (their handle, value box, status line, figure, ``settle``) are read and driven
with :mod:`course.lab_page`, which knows both front ends.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from course.lab_page import KERNEL_IDLE
from course.lab_server import LabServer
from course.series import NOTEBOOKS, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

# The Colab profile's venv; scripts/colab_profile.py --full points COLAB_VENV at its Python 3.13 one.
COLAB_VENV = Path(os.environ.get("COLAB_VENV", ROOT / ".venv-colab"))
# widgetsnbextension's manager, which must be listening before a cell makes a widget, or the widget never shows.
WIDGETS_READY = "() => !!Jupyter.notebook.kernel.comm_manager.targets['jupyter.widget']"
# Run cell ``index`` (null: clear every output and run every cell), then wait for the reply to an empty request
# queued behind: the kernel answers in order, so that reply means every cell sent has run.
RUN = """index => new Promise(resolve => {
    if (index == null) {
        Jupyter.notebook.clear_all_output();
        Jupyter.notebook.execute_all_cells();
    } else Jupyter.notebook.get_cell(index).execute();
    Jupyter.notebook.kernel.execute('', {shell: {reply: () => resolve(true)}}, {silent: true, store_history: false});
})"""
STARTUP_SETTLE_MS = 1500


class ClassicNotebookServer(LabServer):
    """The classic Notebook 6.5 of ``venv`` on a private port, serving a temporary copy of ``notebooks``; kernels
    import this checkout's helpers."""

    def __init__(self, venv: Path = COLAB_VENV, notebooks: Path = NOTEBOOKS) -> None:
        super().__init__(notebooks, settings={})
        self.venv = venv
        self.extra_env = {"PYTHONPATH": str(ROOT)}

    def command(self, base: Path, settings: Path) -> list[str]:
        return [
            str(self.venv / "bin" / "python"), "-m", "notebook",
            "--no-browser",
            "--NotebookApp.ip=127.0.0.1",
            f"--NotebookApp.port={self.port}",
            "--NotebookApp.port_retries=0",
            f"--NotebookApp.token={self.token}",
            f"--NotebookApp.notebook_dir={self.root}",
            "--allow-root",
        ]

    def notebook_url(self, name: str, workspace: str = "") -> str:
        """The address that opens notebook ``name`` (the classic Notebook has no workspaces)."""
        return f"{self.url}/notebooks/{name}?token={self.token}"


def open_notebook(page: Page, server: ClassicNotebookServer, name: str, workspace: str = "") -> None:
    """Open notebook ``name`` on a fresh kernel and wait until the kernel is connected (no workspaces here)."""
    server.delete_sessions()
    page.goto(server.notebook_url(name))
    for ready in (KERNEL_IDLE, WIDGETS_READY):
        page.wait_for_function(ready, timeout=60_000)
    # The widget manager then loads the kernel's widgets and redraws every widget output, with no promise to wait
    # on; cells run before it has finished lose their widgets' views. It takes a few round trips to an idle kernel.
    page.wait_for_timeout(STARTUP_SETTLE_MS)


def run_all(page: Page, timeout: float = 180.0) -> None:
    """Clear the outputs and run every cell, top to bottom; return when the last one has run."""
    page.evaluate(RUN, None)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)


def restart_kernel(page: Page) -> None:
    """Restart the notebook's kernel without the confirmation dialog, and wait until the new one is idle."""
    page.evaluate("() => new Promise(resolve => Jupyter.notebook.kernel.restart(() => resolve(true)))")
    page.wait_for_function(KERNEL_IDLE)


def run_cell_alone(page: Page, index: int) -> None:
    """Run only cell ``index`` (counting every cell, as ``get_cell`` does); return when it has run."""
    page.evaluate(RUN, index)
    page.wait_for_function(KERNEL_IDLE)
