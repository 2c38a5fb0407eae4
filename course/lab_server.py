"""Start and stop a private JupyterLab (or classic Notebook) for the real-browser tests and the browser benchmarks.

The server (127.0.0.1, a free port, a random token) serves a temporary copy of the notebooks and keeps all its state
in temporary folders, so what the browser sees is what a student sees on a fresh clone: untrusted notebooks, no news
pop-up. The app-wide settings are the venv's (make installs deploy/jupyterlab/overrides.json there); ``settings={}``
runs with those alone, as ``make lab`` does. The ``python3`` kernel runs this interpreter, so it imports this
checkout's ``helpers``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from course.series import NOTEBOOKS, ROOT

# The Colab profile's venv, whose classic Notebook runs the ipywidgets 7 front end (make colab-profile builds it;
# scripts/colab_profile.py --full points COLAB_VENV at its Python 3.13 one).
COLAB_VENV = Path(os.environ.get("COLAB_VENV", ROOT / ".venv-colab"))
# Debian's Chromium (``apt-get install -y chromium``); Playwright drives it, never a browser of its own download.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STARTUP_SECONDS = 60  # how long a server may take to answer its API
# Written as the temporary user settings. windowingMode "none" keeps every cell in the DOM, so
# outputs far down a notebook are rendered and can be checked without scrolling first.
SETTINGS: dict[str, dict[str, object]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """A JupyterLab process serving a temporary copy of ``notebooks``; use it as a context manager."""

    def __init__(self, notebooks: Path = NOTEBOOKS, settings: Mapping[str, dict] = SETTINGS) -> None:
        self.source = notebooks
        self.settings = settings
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self.root = Path()
        self.log_path = Path()
        self.extra_env: dict[str, str] = {}  # for the server and its kernels

    def __enter__(self) -> LabServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Copy the notebooks, launch ``jupyter lab`` and wait until its API answers."""
        self._tmp = tempfile.TemporaryDirectory(prefix="lab-browser-")
        base = Path(self._tmp.name)
        self.root = base / "notebooks"
        shutil.copytree(self.source, self.root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        settings = base / "settings"
        settings.mkdir()
        for name, values in self.settings.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = {**os.environ, **self.extra_env}
        for variable, folder in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ]:
            (base / folder).mkdir()
            env[variable] = str(base / folder)
        self.log_path = base / "jupyterlab.log"
        with self.log_path.open("wb") as log:
            command = self.command(base, settings)
            self._process = subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def command(self, base: Path, settings: Path) -> list[str]:
        """The server's command line; ``base`` holds the temporary folders, ``settings`` the user settings."""
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "getuid") and os.getuid() == 0:
            command.append("--allow-root")
        return command

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with status {self._process.returncode} while starting:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {STARTUP_SECONDS} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server printed, for error messages."""
        if not self.log_path.is_file():
            return "(no log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API and return the decoded JSON answer (None when it is empty)."""
        request = urllib.request.Request(self.url + path, method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def delete_sessions(self) -> None:
        """Shut down every kernel session, so the next page starts a fresh kernel instead of re-attaching."""
        sessions = self.api("GET", "/api/sessions")
        assert isinstance(sessions, list)
        for session in sessions:
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def notebook_url(self, name: str, workspace: str) -> str:
        """The address that opens notebook ``name`` alone, in a fresh workspace called ``workspace``."""
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"

    def stop(self) -> None:
        """Shut the kernels and the server down and delete the temporary folders."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                self.delete_sessions()
            except (urllib.error.URLError, ConnectionError, AssertionError):
                pass  # the server is stopped just below whether or not its kernels answered
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


class ClassicNotebookServer(LabServer):
    """The classic Notebook 6.5 of ``venv`` (with widgetsnbextension 3.6: the ipywidgets 7 front end, as on Colab) on
    a private port, serving a temporary copy of ``notebooks``; kernels import this checkout's helpers."""

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
