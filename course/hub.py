"""A real JupyterHub on this machine, and a student who uses it over the wire, for the hub's test and the classroom
benchmark: ``with Hub(users=[...]) as hub:``, then ``SimulatedStudent(hub.start_servers([name])[name], notebook)``.

The hub, its proxy (configurable-http-proxy from ``node_modules``) and every student's server bind to 127.0.0.1 on
free ports; the database, cookie secret and proxy token live in a temporary runtime folder; everything is stopped
and removed on exit, also after an error.

Each student's server is the project's JupyterLab (``jupyterhub-singleuser`` from this venv), runs as the current
user under JupyterHub's ``SimpleLocalProcessSpawner`` with its home in the runtime folder, and serves the student's
own copy of the series (``~/notebooks``). Nothing but the hub separates the students: keeping them apart is the
spawner's job in a real deployment (``deploy/README.md``), not re-tested here. Nobody can log in (JupyterHub's
``NullAuthenticator``): the hub's port is open to every account on this machine and a login gives a terminal, so
a server is reached only with the API token the hub's admin service makes for its student.

The simulated student speaks to their server as JupyterLab does, without a browser: the REST API creates a session
and reads the notebook, and the kernel websocket carries the Jupyter messages (jupyter_server's JSON protocol; a
message with binary buffers comes as a binary frame). Widgets are followed as the ipywidgets front end follows them
(``comm_open`` creates a model, ``comm_msg`` ``update`` changes it). Moving a slider is the front end's ``update`` of
its value; the key-to-figure time runs from sending it to the Image model's ``update`` that carries a new PNG (it
leaves out only the browser's few milliseconds to show it).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import websocket
from jupyter_server.services.kernels.connection.base import deserialize_binary_message
from jupyterhub.utils import random_port  # type: ignore[import-untyped]

from course.series import ROOT
from course.workspace import prepare_workspace

PROXY_COMMAND = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
NOTEBOOK_FOLDER = "notebooks"
STARTUP_SECONDS = 60  # for the hub to answer
SPAWN_SECONDS = 180  # for a student's server to start and answer, while the whole class starts at once
CONNECT_SECONDS = 60  # for one websocket handshake with a kernel; a student tries again until their own timeout
SLIDER_MODELS = ("FloatLogSliderModel", "FloatSliderModel")
FIGURE_CLASS = "explorer-figure"  # helpers.explorer.FIGURE_CLASS, the class every explorer's figure carries
# Kernel states that mean the kernel the student was using is gone (jupyter_server reports them on iopub).
KERNEL_LOST = ("dead", "restarting", "autorestarting")


def missing_prerequisite() -> str | None:
    """What this machine lacks to run the hub, saying what to install, or None."""
    if not PROXY_COMMAND.is_file():
        return f"configurable-http-proxy is missing ({PROXY_COMMAND}): run `make` (or `npm ci` in {ROOT}); it needs Node.js 20+"
    if shutil.which("node") is None:
        return "Node.js is missing (configurable-http-proxy runs on it): install Node.js 20 or newer"
    return None


class HubError(RuntimeError):
    """The hub could not be started or used; the message says what was wrong and what to do."""


def call_json(method: str, url: str, token: str, body: object | None = None, timeout: float = 30.0) -> Any:
    """An HTTP request with a JSON body and answer (None when empty), authorised by ``token``."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": f"token {token}"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = response.read()
    return json.loads(answer) if answer else None


@dataclass(frozen=True)
class UserServer:
    """One student's running server, as the hub's proxy publishes it."""

    name: str
    url: str  # "http://127.0.0.1:<proxy port>/user/<name>/"
    token: str  # a hub API token of this student, good for their server only

    def api(self, method: str, path: str, body: object | None = None) -> Any:
        """Call this server's REST API (``path`` like ``"api/contents"``) with the student's token; JSON answer."""
        return call_json(method, self.url + path, self.token, body)


class Hub:
    """JupyterHub with ``users`` as students; use it as a context manager (see the module's docstring).

    ``spawner_environment`` is set in every student's server and so in its kernels (for example
    ``{"OMP_NUM_THREADS": "1"}``). ``start_servers(names)`` spawns students' servers and waits until they answer.
    """

    def __init__(self, users: Iterable[str], spawner_environment: Mapping[str, str] | None = None) -> None:
        self.users = list(users)
        self.spawner_environment = dict(spawner_environment or {})
        self.url = ""
        self.runtime = Path()
        self.log_path = Path()
        self._service_token = uuid.uuid4().hex
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Hub:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        """Give each student a copy of the series, write the hub's configuration, start the hub and wait until it
        answers. On any failure everything already made is removed again and the error is raised."""
        missing = missing_prerequisite()
        if missing:
            raise HubError(missing)
        try:
            self.runtime = Path(tempfile.mkdtemp(prefix="course-hub-"))
            self.log_path = self.runtime / "jupyterhub.log"
            for name in self.users:
                prepare_workspace(self._home(name) / NOTEBOOK_FOLDER)
            self.url = f"http://{LOOPBACK}:{random_port()}"
            config = self.runtime / "jupyterhub_config.py"
            config.write_text(self._config_text(), encoding="utf-8")
            with self.log_path.open("wb") as log:
                self._process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=self.runtime,
                                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self._wait_for(lambda: self.api("GET", "/hub/api/") is not None, STARTUP_SECONDS, "the hub to answer")
        except BaseException:
            self.stop()
            raise

    def _home(self, name: str) -> Path:
        """The student's home folder (their copy of the series is in its ``notebooks`` folder)."""
        return self.runtime / "homes" / name

    def _config_text(self) -> str:
        """The hub's configuration file, as Python assignments of plain values."""
        environment = {
            # The server's own tools (jupyter, kernels) come from this venv, whatever the hub's PATH.
            "PATH": f"{VENV_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            **self.spawner_environment,
        }
        settings: dict[str, Any] = {
            "JupyterHub.bind_url": self.url,
            "JupyterHub.hub_bind_url": f"http://{LOOPBACK}:{random_port()}",
            "JupyterHub.db_url": f"sqlite:///{self.runtime / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(self.runtime / "jupyterhub_cookie_secret"),
            "JupyterHub.pid_file": str(self.runtime / "jupyterhub.pid"),
            "JupyterHub.authenticator_class": "null",
            "JupyterHub.spawner_class": "jupyterhub.spawner.SimpleLocalProcessSpawner",
            "JupyterHub.services": [{"name": "course-hub", "api_token": self._service_token}],
            "JupyterHub.load_roles": [{"name": "admin", "services": ["course-hub"]}],
            "JupyterHub.cleanup_servers": True,
            "ConfigurableHTTPProxy.command": [str(PROXY_COMMAND)],
            "ConfigurableHTTPProxy.api_url": f"http://{LOOPBACK}:{random_port()}",
            "ConfigurableHTTPProxy.auth_token": uuid.uuid4().hex,
            "ConfigurableHTTPProxy.pid_file": str(self.runtime / "proxy.pid"),
            "Authenticator.allowed_users": set(self.users),
            "Spawner.cmd": [str(VENV_BIN / "jupyterhub-singleuser")],
            "Spawner.ip": LOOPBACK,
            "SimpleLocalProcessSpawner.home_dir_template": str(self._home("{username}")),
            "Spawner.notebook_dir": str(self._home("{username}")),
            "Spawner.environment": environment,
            "Spawner.start_timeout": SPAWN_SECONDS,
            "Spawner.http_timeout": SPAWN_SECONDS,
        }
        if os.geteuid() == 0:
            settings["Spawner.args"] = ["--allow-root"]  # jupyter_server refuses to run as root without it
        lines = ["# Written by course.hub for one run; removed when the hub stops.", "c = get_config()  # noqa"]
        lines += [f"c.{name} = {value!r}" for name, value in settings.items()]
        return "\n".join(lines) + "\n"

    def _wait_for(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll ``ready()`` until it is true; connection errors and HTTP errors count as not yet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise HubError(f"the hub stopped while waiting for {what}:\n{self.log_tail()}")
            try:
                if ready():
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not up yet: try again until the deadline
            time.sleep(0.25)
        raise HubError(f"timed out after {timeout:.0f} s waiting for {what}:\n{self.log_tail()}")

    def api(self, method: str, path: str, body: object | None = None) -> Any:
        """Call the hub's REST API (``path`` like ``"/hub/api/users"``) as the admin service; JSON answer."""
        return call_json(method, self.url + path, self._service_token, body)

    def start_servers(self, names: Iterable[str]) -> dict[str, UserServer]:
        """Spawn several students' servers at once (the hub starts them side by side), then wait for each;
        return them by name, each with a fresh API token of that student (scoped to their own server)."""
        names = list(names)
        for name in names:
            try:
                self.api("POST", f"/hub/api/users/{name}/server")
            except urllib.error.HTTPError as error:
                if error.code != 400:  # 400: already running or pending, which is what we want
                    raise HubError(f"the hub refused to start {name}'s server: {error.read().decode()[:300]}") from error
        return {name: self._ready_server(name) for name in names}

    def _ready_server(self, name: str) -> UserServer:
        """Wait until the student's spawned server is ready and reachable; give it a token of theirs."""

        def ready() -> bool:
            return bool(self.api("GET", f"/hub/api/users/{name}")["servers"].get("", {}).get("ready"))

        self._wait_for(ready, SPAWN_SECONDS, f"{name}'s server to start")
        token = self.api("POST", f"/hub/api/users/{name}/tokens",
                         {"note": "course.hub", "scopes": [f"access:servers!user={name}"]})["token"]
        server = UserServer(name, f"{self.url}/user/{name}/", token)
        self._wait_for(lambda: server.api("GET", "api/status") is not None, SPAWN_SECONDS,
                       f"{name}'s server to answer through the proxy")
        return server

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the hub's log (hub, proxy and servers), for error messages."""
        if not self.log_path.is_file():
            return "(no hub log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the hub (which stops the proxy and every server: ``cleanup_servers``) and remove the runtime folder
        with the students' homes. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the hub leads its own session
                process.wait(timeout=10)
        if self.runtime != Path() and self.runtime.is_dir():
            shutil.rmtree(self.runtime)
        self.runtime = Path()


def with_buffers(data: Mapping[str, Any], buffers: Sequence[bytes]) -> dict[str, Any]:
    """The state a widget message's ``data`` carries, with the binary ``buffers`` put where ``data["buffer_paths"]``
    says (an Image's PNG is ``value``), as the ipywidgets front end puts them."""
    state = dict(data.get("state", {}))
    for path, buffer in zip(data.get("buffer_paths", []), buffers, strict=False):
        target = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bytes(buffer)
    return state


class WidgetModels:
    """The widget models a kernel has opened and their current state (binary values included, such as an Image's PNG),
    kept as the ipywidgets front end keeps them: ``states`` maps each comm id to its model's state."""

    def __init__(self) -> None:
        self.states: dict[str, dict[str, Any]] = {}

    def apply(self, message: Mapping[str, Any]) -> None:
        """Take in one iopub message: a widget's ``comm_open``, ``update`` or ``comm_close`` changes ``states``."""
        msg_type, content = message["header"]["msg_type"], message["content"]
        data = content.get("data", {})
        if msg_type == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.states[content["comm_id"]] = with_buffers(data, message["buffers"])
        elif msg_type == "comm_msg" and content.get("comm_id") in self.states and data.get("method") in ("update", "echo_update"):
            self.states[content["comm_id"]].update(with_buffers(data, message["buffers"]))
        elif msg_type == "comm_close":
            self.states.pop(content.get("comm_id"), None)

    def slider(self, description: str) -> str:
        """The comm id of the one float slider described ``description`` (without case and surrounding spaces)."""
        named = [comm for comm, state in self.states.items() if state.get("_model_name") in SLIDER_MODELS
                 and str(state.get("description", "")).strip().casefold() == description.strip().casefold()]
        if len(named) != 1:
            raise LookupError(f"found {len(named)} float sliders described {description!r}. Did the explorer's cell run?")
        return named[0]

    def value_box(self, slider: str) -> str:
        """The comm id of the text box beside the slider ``slider`` (the Text model in the same HBox): the typed value's box."""
        for state in self.states.values():
            children = [str(child).removeprefix("IPY_MODEL_") for child in state.get("children", ())]
            if state.get("_model_name") == "HBoxModel" and slider in children:
                boxes = [child for child in children if self.states.get(child, {}).get("_model_name") == "TextModel"]
                if boxes:
                    return boxes[0]
        raise LookupError(f"no text box sits beside the slider {slider}: the explorer's value box was not found.")

    def figures(self) -> set[str]:
        """The comm ids of the Image models marked with the explorer figure's CSS class; LookupError when there is none."""
        found = {comm for comm, state in self.states.items()
                 if state.get("_model_name") == "ImageModel" and FIGURE_CLASS in state.get("_dom_classes", ())}
        if not found:
            raise LookupError(f"no Image model has the CSS class {FIGURE_CLASS!r}. Did the explorer's cell run?")
        return found


def carries_new_image(message: Mapping[str, Any], figures: set[str]) -> bool:
    """Whether ``message`` is an ``update`` of one of the ``figures`` that brings new image bytes."""
    content = message["content"]
    if message["header"]["msg_type"] != "comm_msg" or content.get("comm_id") not in figures:
        return False
    data = content.get("data", {})
    return data.get("method") == "update" and ["value"] in data.get("buffer_paths", []) and bool(message["buffers"])


def is_reply(message: Mapping[str, Any], msg_type: str, request_ids: Container[str]) -> bool:
    """Whether ``message`` is a ``msg_type`` answering one of the requests ``request_ids``."""
    return message["header"]["msg_type"] == msg_type and message["parent_header"].get("msg_id") in request_ids


class SimulatedStudent:
    """One student on their own server: :meth:`open`, :meth:`run_all`, then :meth:`move_slider` as often as wanted.

    ``server`` is the student's server, ``notebook`` the notebook's path on it. The measurements are kept in
    ``run_all_seconds``, ``figure_seconds`` (each move's seconds to a new figure), ``errors`` and ``kernel_lost``.
    The methods raise OSError, TimeoutError, ConnectionError or LookupError with what did not happen; the caller
    records them. Call :meth:`close` at the end.
    """

    def __init__(self, server: UserServer, notebook: str, timeout: float = 60.0) -> None:
        self.server = server
        self.notebook = notebook
        self.timeout = timeout
        self.kernel_id = ""
        self.run_all_seconds = math.nan
        self.figure_seconds: list[float] = []
        self.errors: list[str] = []
        self.kernel_lost = False
        self.widgets = WidgetModels()
        self._session = uuid.uuid4().hex
        self._session_id = ""
        self._socket: websocket.WebSocket | None = None

    def open(self) -> None:
        """Start a kernel for the notebook (a session, as opening it in JupyterLab does) and wait until it answers.

        While many kernels start at once the server may not answer the websocket in time; JupyterLab then connects
        again, and so does this (the server hands back the notebook's existing session).
        """
        began = time.monotonic()
        while self._socket is None:
            session = self.server.api("POST", "api/sessions", {"path": self.notebook, "type": "notebook",
                                                               "name": self.notebook, "kernel": {"name": "python3"}})
            self._session_id, self.kernel_id = session["id"], session["kernel"]["id"]
            channels = self.server.url.replace("http://", "ws://", 1) + f"api/kernels/{self.kernel_id}/channels"
            try:
                self._socket = websocket.create_connection(f"{channels}?session_id={self._session}", timeout=CONNECT_SECONDS,
                                                           header=[f"Authorization: token {self.server.token}"])
            except websocket.WebSocketTimeoutException:
                if time.monotonic() - began > self.timeout:
                    raise TimeoutError(f"the kernel's websocket did not answer within {self.timeout:.0f} s") from None
        info = self._send("kernel_info_request", {})
        self._receive_until(lambda message: is_reply(message, "kernel_info_reply", {info}), "the kernel's kernel_info_reply")

    def run_all(self) -> None:
        """Send every code cell of the notebook at once, as Run All does, and wait for the last reply.

        Sets ``run_all_seconds``. A cell that fails without the ``raises-exception`` tag, or one the kernel skipped, is
        recorded as an error with the cell's number.
        """
        notebook = self.server.api("GET", "api/contents/" + urllib.parse.quote(self.notebook) + "?content=1")
        cells = [(index, cell) for index, cell in enumerate(notebook["content"]["cells"]) if cell["cell_type"] == "code"]
        began = time.perf_counter()
        pending: dict[str, int | None] = {}  # request id -> the cell's number, or None for a cell allowed to fail
        for number, cell in cells:
            may_fail = "raises-exception" in cell.get("metadata", {}).get("tags", [])
            request = self._send("execute_request", {
                "code": cell["source"], "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": not may_fail,
            })
            pending[request] = None if may_fail else number
        while pending:
            reply = self._receive_until(lambda message: is_reply(message, "execute_reply", pending), "the replies to Run All")
            index = pending.pop(reply["parent_header"]["msg_id"])
            content = reply["content"]
            if content.get("status") != "ok" and index is not None:
                detail = f" {content.get('ename', '')}: {content.get('evalue', '')}" if content.get("status") == "error" else ""
                self.errors.append(f"Run All: cell {index} ended {content.get('status')}{detail}")
        self.run_all_seconds = time.perf_counter() - began

    def move_slider(self, description: str, value: float) -> float:
        """Set the slider described ``description`` to ``value`` as the front end does; return the seconds to the new figure."""
        return self._change(self.widgets.slider(description), value, f"{description} = {value:.3g}")

    def type_value(self, description: str, text: str) -> float:
        """Type ``text`` into the box beside the slider described ``description`` and press Enter, as the front end
        sends it; return the seconds to the new figure."""
        box = self.widgets.value_box(self.widgets.slider(description))
        return self._change(box, text, f"{text} typed as the {description}")

    def _change(self, model: str, value: object, what: str) -> float:
        """Set the widget ``model``'s value as the front end does; return (and keep) the seconds to the new figure."""
        figures = self.widgets.figures()
        began = time.perf_counter()
        self._send("comm_msg", {"comm_id": model, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}})
        self._receive_until(lambda message: carries_new_image(message, figures), f"a new figure after {what}")
        self.figure_seconds.append(time.perf_counter() - began)
        return self.figure_seconds[-1]

    def listen(self, seconds: float) -> None:
        """Take in whatever the kernel sends for ``seconds``, as an open browser tab does while the student waits.

        Receiving is also what answers the server's websocket pings: a connection left unread for long is closed.
        """
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self._take_in(self._receive(left))
            except websocket.WebSocketTimeoutException:
                return

    def check_kernel(self) -> None:
        """Take in what is waiting on the websocket, then ask the server whether the kernel is alive; record it if not."""
        self.listen(0.05)
        if self.server.api("GET", f"api/kernels/{self.kernel_id}").get("execution_state") in KERNEL_LOST:
            self.kernel_lost = True

    def close(self) -> None:
        """Close the websocket and shut the kernel's session down (a failure to do so is recorded as an error)."""
        socket, self._socket = self._socket, None
        if socket is not None:
            socket.close()
            try:
                self.server.api("DELETE", f"api/sessions/{self._session_id}")
            except OSError as error:
                self.errors.append(f"could not shut the kernel down: {error}")

    def _connected(self) -> websocket.WebSocket:
        if self._socket is None:
            raise RuntimeError("the student is not connected: call open() first")
        return self._socket

    def _send(self, msg_type: str, content: Mapping[str, Any]) -> str:
        """Send one message on the shell channel (e.g. ``"comm_msg"`` to move a widget); return its id."""
        message_id = uuid.uuid4().hex
        header = {"msg_id": message_id, "msg_type": msg_type, "session": self._session, "username": "student",
                  "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": dict(content), "channel": "shell",
                   "buffers": []}
        self._connected().send(json.dumps(message))
        return message_id

    def _receive(self, timeout: float) -> dict[str, Any]:
        """The next message from the kernel (any channel), waiting at most ``timeout`` seconds.

        Raises ConnectionError when the server has closed the websocket (websocket-client then hands back an empty frame).
        """
        socket = self._connected()
        socket.settimeout(timeout)
        frame = socket.recv()
        if not frame:
            raise ConnectionError("the server closed the kernel's websocket")
        if isinstance(frame, bytes):
            return dict(deserialize_binary_message(frame))
        return {"buffers": [], **json.loads(frame)}

    def _take_in(self, message: dict[str, Any]) -> None:
        """Follow widget state and kernel status, as the front end does, for every message received."""
        if message.get("channel") == "iopub":
            self.widgets.apply(message)
            if message["header"]["msg_type"] == "status" and message["content"].get("execution_state") in KERNEL_LOST:
                self.kernel_lost = True

    def _receive_until(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """Receive messages (taking each in) until one is ``wanted``; return it. TimeoutError after ``timeout`` s."""
        deadline = time.monotonic() + self.timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self._receive(left)
            except websocket.WebSocketTimeoutException:
                continue
            self._take_in(message)
            if self.kernel_lost:
                raise ConnectionError(f"the kernel died or restarted while waiting for {what}")
            if wanted(message):
                return message
        raise TimeoutError(f"no {what} within {self.timeout:.0f} s")
