"""A real JupyterHub on this machine, for the tests and the classroom benchmark: ``with Hub(users=[...]) as hub: ...``.

The hub, its proxy (configurable-http-proxy from ``node_modules``) and every student's server bind
to 127.0.0.1 on free ports; the database, cookie secret and proxy token live in a temporary
runtime folder; everything is stopped and removed on exit, also after an error.

Each student's server is the project's JupyterLab (``jupyterhub-singleuser`` from this venv), runs as the
current user under JupyterHub's ``SimpleLocalProcessSpawner`` with its home in the runtime folder, and serves
the student's own copy of the series (``~/notebooks``). Nothing but the hub's login separates the students:
keeping them apart is the spawner's job in a real deployment (``deploy/README.md``), not re-tested here.

Logging in: ``StudentPasswordAuthenticator``, one random password per student (the hub's port is open to every
account on this machine, and a login gives a terminal, so the passwords must not be guessable).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from types import TracebackType
from typing import Any

import websocket
from jupyterhub.auth import Authenticator  # type: ignore[import-untyped]
from traitlets import Dict, Unicode

from course.series import INDEX, ROOT
from course.workspace import prepare_workspace

PROXY_COMMAND = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"
NOTEBOOK_FOLDER = "notebooks"
STARTUP_SECONDS = 60  # for the hub to answer
SPAWN_SECONDS = 180  # for a student's server to start and answer, while the whole class starts at once
DEFAULT_URL = f"/lab/tree/{NOTEBOOK_FOLDER}/{INDEX}"


def missing_prerequisite() -> str | None:
    """What this machine lacks to run the hub, saying what to install, or None."""
    if not PROXY_COMMAND.is_file():
        return f"configurable-http-proxy is missing ({PROXY_COMMAND}): run `make` (or `npm ci` in {ROOT}); it needs Node.js 20+"
    if shutil.which("node") is None:
        return "Node.js is missing (configurable-http-proxy runs on it): install Node.js 20 or newer"
    return None


class HubError(RuntimeError):
    """The hub could not be started or used; the message says what was wrong and what to do."""


class StudentPasswordAuthenticator(Authenticator):
    """Test-only login: each allowed student has their own password (``passwords``: name -> password)."""

    passwords = Dict(key_trait=Unicode(), value_trait=Unicode(), config=True, help="Each student's password.")

    async def authenticate(self, handler: object, data: Mapping[str, str]) -> str | None:
        """The student's name when the password is theirs, else None (login refused)."""
        expected = self.passwords.get(data.get("username", ""))
        if expected is not None and secrets.compare_digest(expected, data.get("password", "")):
            return data["username"]
        return None


@dataclass(frozen=True)
class UserServer:
    """One student's running server, as the hub's proxy publishes it."""

    name: str
    url: str  # "http://127.0.0.1:<proxy port>/user/<name>/"
    token: str  # a hub API token of this student, good for their server only (header "Authorization: token ...")

    def api(self, method: str, path: str, body: object | None = None) -> Any:
        """Call this server's REST API (``path`` like ``"api/contents"``) with the student's token; JSON answer."""
        return call_json(method, self.url + path, self.token, body)

    def open_kernel(self, notebook: str) -> KernelClient:
        """Start a kernel session for ``notebook`` (path in the home folder), as JupyterLab does when it
        opens the notebook, and connect to its websocket. Close it to shut it down."""
        session = self.api("POST", "api/sessions", {"path": notebook, "type": "notebook", "name": notebook,
                                                    "kernel": {"name": "python3"}})
        channels = self.url.replace("http://", "ws://", 1) + f"api/kernels/{session['kernel']['id']}/channels"
        return KernelClient(channels, {"Authorization": f"token {self.token}"},
                            on_close=lambda: self.api("DELETE", f"api/sessions/{session['id']}"))


class KernelClient:
    """A kernel's channels over the Jupyter websocket, as a browser uses them (jupyter_server's default
    JSON protocol; messages with binary buffers arrive as binary frames and are decoded)."""

    def __init__(
        self, url: str, headers: Mapping[str, str], on_close: Callable[[], object] | None = None, timeout: float = 60.0
    ) -> None:
        self.session = uuid.uuid4().hex
        self.on_close = on_close
        self.connection = websocket.create_connection(
            f"{url}?session_id={self.session}", header=[f"{key}: {value}" for key, value in headers.items()],
            timeout=timeout,
        )

    def close(self) -> None:
        """Close the websocket and shut the kernel session down."""
        self.connection.close()
        if self.on_close is not None:
            self.on_close()
            self.on_close = None

    def send(self, msg_type: str, content: Mapping[str, Any], channel: str = "shell") -> str:
        """Send one message (e.g. ``"comm_msg"`` on the shell channel to move a widget); return its id."""
        message_id = uuid.uuid4().hex
        header = {"msg_id": message_id, "msg_type": msg_type, "session": self.session, "username": "student",
                  "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        message = {"header": header, "parent_header": {}, "metadata": {}, "content": dict(content),
                   "channel": channel, "buffers": []}
        self.connection.send(json.dumps(message))
        return message_id

    def receive(self, timeout: float) -> dict[str, Any]:
        """The next message from the kernel (any channel), waiting at most ``timeout`` seconds.

        Raises ConnectionError when the server has closed the websocket (websocket-client then hands back an empty frame).
        """
        self.connection.settimeout(timeout)
        frame = self.connection.recv()
        if not frame:
            raise ConnectionError("the server closed the kernel's websocket")
        if isinstance(frame, str):
            message: dict[str, Any] = json.loads(frame)
            message.setdefault("buffers", [])
            return message
        return decode_binary_message(frame)


def decode_binary_message(frame: bytes) -> dict[str, Any]:
    """Decode jupyter_server's binary websocket frame: a count, offsets, the JSON message, its buffers."""
    (count,) = struct.unpack_from("!I", frame)
    offsets = [*struct.unpack_from(f"!{count}I", frame, 4), len(frame)]
    parts = [frame[offsets[index]:offsets[index + 1]] for index in range(count)]
    message: dict[str, Any] = json.loads(parts[0])
    message["buffers"] = parts[1:]
    return message


def call_json(method: str, url: str, token: str | None, body: object | None = None, timeout: float = 30.0) -> Any:
    """An HTTP request with a JSON body and answer (None when empty), authorised by ``token`` if given."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = response.read()
    return json.loads(answer) if answer else None


def free_loopback_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports on 127.0.0.1 that nothing listens on right now."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind((LOOPBACK, 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class Hub:
    """JupyterHub with ``users`` as students; use it as a context manager (see the module's docstring).

    ``spawner_environment`` is set in every student's server and so in its kernels (for example
    ``{"OMP_NUM_THREADS": "1"}``). ``hub.url`` is the proxy's public address; ``start_servers(names)``
    spawns students' servers and waits until they answer; ``login_cookies(name)`` logs in as a browser
    would.
    """

    def __init__(self, users: Iterable[str], spawner_environment: Mapping[str, str] | None = None) -> None:
        self.users = list(users)
        self.spawner_environment = dict(spawner_environment or {})
        self.passwords = {name: secrets.token_urlsafe(16) for name in self.users}
        self.url = ""
        self.runtime = Path()
        self.log_path = Path()
        self._service_token = secrets.token_hex(32)
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Hub:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()

    # -- starting -------------------------------------------------------------------------------

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
            public, hub, proxy_api = free_loopback_ports(3)
            self.url = f"http://{LOOPBACK}:{public}"
            config = self.runtime / "jupyterhub_config.py"
            config.write_text(self._config_text(hub, proxy_api), encoding="utf-8")
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

    def _config_text(self, hub_port: int, proxy_api_port: int) -> str:
        """The hub's configuration file, as Python assignments of plain values."""
        environment = {
            # The server's own tools (jupyter, kernels) come from this venv, whatever the hub's PATH.
            "PATH": f"{VENV_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            **self.spawner_environment,
        }
        settings: dict[str, Any] = {
            "JupyterHub.bind_url": f"http://{LOOPBACK}:{self.url.rsplit(':', 1)[1]}",
            "JupyterHub.hub_bind_url": f"http://{LOOPBACK}:{hub_port}",
            "JupyterHub.db_url": f"sqlite:///{self.runtime / 'jupyterhub.sqlite'}",
            "JupyterHub.cookie_secret_file": str(self.runtime / "jupyterhub_cookie_secret"),
            "JupyterHub.pid_file": str(self.runtime / "jupyterhub.pid"),
            "JupyterHub.authenticator_class": f"{__name__}.StudentPasswordAuthenticator",
            "JupyterHub.spawner_class": "jupyterhub.spawner.SimpleLocalProcessSpawner",
            "JupyterHub.services": [{"name": "course-hub", "api_token": self._service_token}],
            "JupyterHub.load_roles": [{"name": "admin", "services": ["course-hub"]}],
            "JupyterHub.cleanup_servers": True,
            "ConfigurableHTTPProxy.command": [str(PROXY_COMMAND)],
            "ConfigurableHTTPProxy.api_url": f"http://{LOOPBACK}:{proxy_api_port}",
            "ConfigurableHTTPProxy.auth_token": secrets.token_hex(32),
            "ConfigurableHTTPProxy.pid_file": str(self.runtime / "proxy.pid"),
            "Authenticator.allowed_users": set(self.users),
            "StudentPasswordAuthenticator.passwords": self.passwords,
            "Spawner.cmd": [str(VENV_BIN / "jupyterhub-singleuser")],
            "Spawner.ip": LOOPBACK,
            "Spawner.default_url": DEFAULT_URL,
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

    # -- using ----------------------------------------------------------------------------------

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

    def login_cookies(self, name: str) -> list[dict[str, str]]:
        """Log in through the hub's form as the student, as a browser does; return the hub's cookies in
        Playwright's ``context.add_cookies`` form. With them a browser opening ``/user/<name>/lab`` goes
        through the hub's OAuth redirects on its own and gets the server's cookie too."""
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.url}/hub/login", timeout=30) as page:
            form = page.read().decode()
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form)
        if xsrf is None:
            raise HubError("the hub's login page has no _xsrf field: the login form changed in this JupyterHub")
        data = urllib.parse.urlencode({"username": name, "password": self.passwords[name], "_xsrf": xsrf[1]})
        with opener.open(f"{self.url}/hub/login?next=%2Fhub%2Fhome", data=data.encode(), timeout=30) as answer:
            answer.read()
        if not any(cookie.name == "jupyterhub-session-id" for cookie in jar) or not any(
                cookie.name.startswith("jupyterhub-hub-login") for cookie in jar):
            raise HubError(f"logging in as {name} did not give a hub login cookie:\n{self.log_tail()}")
        return [{"name": cookie.name, "value": cookie.value or "", "domain": cookie.domain, "path": cookie.path}
                for cookie in jar]

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the hub's log (hub, proxy and servers), for error messages."""
        if not self.log_path.is_file():
            return "(no hub log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    # -- stopping -------------------------------------------------------------------------------

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
