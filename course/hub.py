"""A real JupyterHub for a class, on this machine: ``with Hub(users=[...]) as hub: ...``.

The hub, its proxy (configurable-http-proxy from ``node_modules``) and every student's server bind
to 127.0.0.1 on free ports; the database, cookie secret and proxy token live in a temporary
runtime folder; everything is stopped and removed on exit, also after an error.

Each student's server is the project's JupyterLab (``jupyterhub-singleuser`` from this venv, so the
shipped settings and the widgets are exactly those of ``make lab``), opens at the index, and serves
the student's own copy of the series (``~/notebooks``, made with ``course.workspace``); its kernel
is this venv's Python, so ``import helpers`` works.

Two spawners:

- ``system_users=True`` (needs root): JupyterHub's ``LocalProcessSpawner``. The Hub creates one
  system account per student (``useradd``, home folder mode 0700) and deletes it on exit; each
  server and its kernels run as that account, so the operating system keeps students out of each
  other's files and processes.
- ``system_users=False``: JupyterHub's ``SimpleLocalProcessSpawner``; every server runs as the
  current user, homes in the runtime folder. The hub still refuses a student's token, cookie or
  websocket at another student's server, but nothing else separates them: any student's code (a
  kernel cell, a terminal) can read and write every other student's files, read their server's
  API token from its process environment (``/proc``) and then act as them, signal or kill their
  kernels, and read the runtime folder (hub database, cookie secret, proxy token) and anything else
  the current user can.

Logging in: ``StudentPasswordAuthenticator``, a test-only authenticator in the spirit of
JupyterHub's ``DummyAuthenticator`` but with one random password per student (``Hub.password``),
so one student's login cannot open another's account. (``DummyAuthenticator.password`` is
deprecated since JupyterHub 5.3 and would be one password for everyone.)
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
DEFAULT_URL = f"/lab/tree/{NOTEBOOK_FOLDER}/{INDEX}"
# Written into the comment field of every account the Hub creates, with the creating process's id:
# an account left behind by a hub that was killed can then be recognised and removed safely.
ACCOUNT_MARK = "course.hub temporary student"
USERNAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


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
    home: Path  # the student's home folder; their copy of the series is in home / "notebooks"

    def api(self, method: str, path: str, body: object | None = None) -> Any:
        """Call this server's REST API (``path`` like ``"api/contents"``) with the student's token; JSON answer."""
        return call_json(method, self.url + path, self.token, body)

    def open_kernel(self, notebook: str = f"{NOTEBOOK_FOLDER}/06_gradient_descent_fit.ipynb") -> KernelClient:
        """Start a kernel session for ``notebook`` (path in the home folder), as JupyterLab does when it
        opens the notebook, and connect to its websocket. Close it (or use ``with``) to shut it down."""
        session = self.api("POST", "api/sessions", {"path": notebook, "type": "notebook", "name": notebook,
                                                    "kernel": {"name": "python3"}})
        kernel_id = session["kernel"]["id"]
        return KernelClient(kernel_url(self.url, kernel_id), {"Authorization": f"token {self.token}"},
                            on_close=lambda: self.api("DELETE", f"api/sessions/{session['id']}"))


def kernel_url(server_url: str, kernel_id: str) -> str:
    """The websocket address of a kernel's channels on the server at ``server_url``."""
    return server_url.replace("http://", "ws://", 1) + f"api/kernels/{kernel_id}/channels"


@dataclass
class Reply:
    """What one ``execute`` produced: the reply's status and the iopub messages it caused."""

    status: str  # "ok", "error" or "aborted"
    content: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """The stdout/stderr text and the text/plain results, joined, for messages and checks."""
        parts = []
        for message in self.outputs:
            content = message["content"]
            if message["msg_type"] == "stream":
                parts.append(content["text"])
            elif message["msg_type"] in ("execute_result", "display_data"):
                parts.append(content["data"].get("text/plain", ""))
            elif message["msg_type"] == "error":
                parts.append(f"{content['ename']}: {content['evalue']}")
        return "".join(parts)


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

    def __enter__(self) -> KernelClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

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

    def execute(self, code: str, timeout: float = 120.0) -> Reply:
        """Run ``code`` and wait for its reply and for the kernel to go idle; collect what it printed."""
        request_id = self.send("execute_request", {"code": code, "silent": False, "store_history": True,
                                                   "user_expressions": {}, "allow_stdin": False,
                                                   "stop_on_error": True})
        deadline = time.monotonic() + timeout
        reply: dict[str, Any] | None = None
        idle = False
        outputs = []
        while reply is None or not idle:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"the kernel did not finish this code within {timeout:.0f} s:\n{code[:300]}")
            message = self.receive(remaining)
            if message.get("parent_header", {}).get("msg_id") != request_id:
                continue
            if message["msg_type"] == "execute_reply":
                reply = message
            elif message["msg_type"] == "status":
                idle = message["content"]["execution_state"] == "idle"
            elif message["msg_type"] in ("stream", "display_data", "execute_result", "error", "comm_open"):
                outputs.append(message)
        return Reply(reply["content"]["status"], reply["content"], outputs)


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


def closed_ancestors(path: Path) -> list[Path]:
    """The folders above ``path`` that other users may not enter (no o+x), top first."""
    return [folder for folder in reversed(path.absolute().parents) if not folder.stat().st_mode & stat.S_IXOTH]


def folders_closed_to_students() -> list[Path]:
    """The folders a student's server must pass through but other accounts may not enter: those above
    this venv, the project (for ``helpers`` and ``data``) and the Python the venv links to."""
    needed = [VENV_BIN, ROOT / "helpers", Path(sys.executable).resolve(), Path(sys.base_prefix).resolve() / "lib"]
    return sorted({folder for path in needed for folder in closed_ancestors(path)})


def drop_empty_acl(folder: Path) -> None:
    """Remove the ACL of ``folder`` when no named entry is left in it (another hub may still hold one),
    so the folder is back to plain permission bits instead of keeping an empty mask entry."""
    listing = subprocess.run(["getfacl", "--omit-header", "--absolute-names", str(folder)],
                             capture_output=True, text=True, check=True).stdout
    if not re.search(r"^(user|group):[^:]+:", listing, re.MULTILINE):
        run_checked(["setfacl", "--remove-all", str(folder)], f"restore the plain permissions of {folder}")


def run_checked(command: Sequence[str], what: str) -> None:
    """Run a system command; raise HubError naming ``what`` failed, with the command's own message."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HubError(f"could not {what} ({' '.join(command)}): {result.stderr.strip() or result.stdout.strip()}")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (the hub and servers start their own sessions)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def pids_of_user(uid: int) -> list[int]:
    """The ids of the processes running as ``uid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except FileNotFoundError:
                continue  # the process ended while we looked
    return found


class Hub:
    """JupyterHub with ``users`` as students; use it as a context manager (see the module's docstring).

    ``spawner_environment`` is set in every student's server and so in its kernels (for example
    ``{"OMP_NUM_THREADS": "1"}``). ``hub.url`` is the proxy's public address; ``start_server(name)``
    spawns a student's server and waits until it answers; ``login_cookies(name)`` logs in as a browser
    would; ``processes()`` gives the hub's and the proxy's process ids.
    """

    def __init__(
        self,
        users: Iterable[str],
        system_users: bool = True,
        spawner_environment: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
        spawn_timeout: float = 180.0,
    ) -> None:
        self.users = list(users)
        bad = [name for name in self.users if not USERNAME.fullmatch(name)]
        if bad or not self.users or len(set(self.users)) != len(self.users):
            raise HubError(f"student names must be distinct, lower-case letters, digits or '-', starting with a "
                           f"letter, at most 32 characters; got {self.users!r}")
        self.system_users = system_users
        self.spawner_environment = dict(spawner_environment or {})
        self.startup_timeout = startup_timeout
        self.spawn_timeout = spawn_timeout
        self.passwords = {name: secrets.token_urlsafe(16) for name in self.users}
        self.url = ""
        self.runtime = Path()
        self.log_path = Path()
        self._service_token = secrets.token_hex(32)
        self._process: subprocess.Popen[bytes] | None = None
        self._created_accounts: list[str] = []
        self._traverse_grants: list[tuple[Path, str]] = []
        self._homes: dict[str, Path] = {}

    def __enter__(self) -> Hub:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stop()

    # -- starting -------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the students, write the hub's configuration, start the hub and wait until it answers.
        On any failure everything already made is removed again and the error is raised."""
        self._check_prerequisites()
        try:
            self.runtime = Path(tempfile.mkdtemp(prefix="course-hub-"))
            self.log_path = self.runtime / "jupyterhub.log"
            for name in self.users:
                self._homes[name] = self._make_student(name)
            public, hub, proxy_api = free_loopback_ports(3)
            self.url = f"http://{LOOPBACK}:{public}"
            config = self.runtime / "jupyterhub_config.py"
            config.write_text(self._config_text(hub, proxy_api), encoding="utf-8")
            with self.log_path.open("wb") as log:
                self._process = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(config)], cwd=self.runtime,
                                                 stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self._wait_for(lambda: self.api("GET", "/hub/api/") is not None, self.startup_timeout, "the hub to answer")
        except BaseException:
            self.stop()
            raise

    def _check_prerequisites(self) -> None:
        """Fail early, saying what to install or change, when the hub cannot run here."""
        if not PROXY_COMMAND.is_file():
            raise HubError(f"configurable-http-proxy is missing ({PROXY_COMMAND}): run `make` (or `npm ci` in "
                           f"{ROOT}); it needs Node.js 20 or newer with npm")
        if shutil.which("node") is None:
            raise HubError("Node.js is missing (configurable-http-proxy runs on it): install Node.js 20 or newer")
        if self.system_users and os.geteuid() != 0:
            raise HubError("system_users=True creates a system account per student and must run as root; "
                           "run as root, or use system_users=False (every student then runs as you)")

    def _make_student(self, name: str) -> Path:
        """Create the student's account (system users) or home folder, and copy the series into it."""
        if not self.system_users:
            home = self.runtime / "homes" / name
            prepare_workspace(home / NOTEBOOK_FOLDER)
            return home
        self._remove_stale_account(name)
        run_checked(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
                     "--comment", f"{ACCOUNT_MARK} (pid {os.getpid()})", name], f"create the account {name!r}")
        self._created_accounts.append(name)
        account = pwd.getpwnam(name)
        home = Path(account.pw_dir)
        home.chmod(0o700)
        prepare_workspace(home / NOTEBOOK_FOLDER)
        for path in [home, *home.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)
        self._grant_traverse(name)
        return home

    def _remove_stale_account(self, name: str) -> None:
        """Refuse a name that belongs to a real account; remove one left by a hub process that is gone."""
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            return
        found = re.fullmatch(re.escape(ACCOUNT_MARK) + r" \(pid (\d+)\)", account.pw_gecos)
        if found is None or pid_alive(int(found[1])) or pids_of_user(account.pw_uid):
            raise HubError(f"a system account named {name!r} already exists and is not a leftover of a finished "
                           "hub: choose other student names")
        run_checked(["userdel", "--remove", name], f"remove the leftover account {name!r}")

    def _grant_traverse(self, name: str) -> None:
        """Let the student enter (not list) the folders on the way to this venv and project that are closed
        to others.

        A venv made by ``python3 -m venv`` links to its base interpreter; when that lives in a private
        home (pyenv under /root, mode 0700) no other account can start it. An ACL entry for this student
        alone opens the way for the hub's lifetime (removed in ``stop``); a Python under /usr or /opt and
        a checkout outside private homes need none.
        """
        closed = folders_closed_to_students()
        if closed and shutil.which("setfacl") is None:
            raise HubError(f"this venv's Python is under {closed[0]}, which other accounts may not enter, and "
                           "setfacl is missing to let the students in: install it (apt-get install acl) or build "
                           "the venv from a Python under /usr or /opt")
        for folder in closed:
            run_checked(["setfacl", "--modify", f"user:{name}:x", str(folder)], f"let {name!r} enter {folder}")
            self._traverse_grants.append((folder, name))

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
            "JupyterHub.spawner_class": "jupyterhub.spawner." + (
                "LocalProcessSpawner" if self.system_users else "SimpleLocalProcessSpawner"),
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
            "Spawner.environment": environment,
            "Spawner.start_timeout": int(self.spawn_timeout),
            "Spawner.http_timeout": int(self.spawn_timeout),
        }
        if self.system_users:
            settings["Spawner.notebook_dir"] = "~"
        else:
            settings["SimpleLocalProcessSpawner.home_dir_template"] = str(self.runtime / "homes" / "{username}")
            settings["Spawner.notebook_dir"] = str(self.runtime / "homes" / "{username}")
            if os.geteuid() == 0:
                settings["Spawner.args"] = ["--allow-root"]
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

    def password(self, name: str) -> str:
        """The student's password for the hub's login form (``/hub/login``)."""
        return self.passwords[name]

    def home(self, name: str) -> Path:
        """The student's home folder (their copy of the series is in its ``notebooks`` folder)."""
        return self._homes[name]

    def start_server(self, name: str) -> UserServer:
        """Spawn the student's server, wait until it answers through the proxy, and return it with a
        fresh API token of that student (scoped to their own server)."""
        return self.start_servers([name])[name]

    def start_servers(self, names: Iterable[str]) -> dict[str, UserServer]:
        """Spawn several students' servers at once (the hub starts them side by side), then wait for each;
        return them by name, as ``start_server`` does for one."""
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

        self._wait_for(ready, self.spawn_timeout, f"{name}'s server to start")
        token = self.api("POST", f"/hub/api/users/{name}/tokens",
                         {"note": "course.hub", "scopes": [f"access:servers!user={name}"]})["token"]
        server = UserServer(name, f"{self.url}/user/{name}/", token, self._homes[name])
        self._wait_for(lambda: server.api("GET", "api/status") is not None, self.spawn_timeout,
                       f"{name}'s server to answer through the proxy")
        return server

    def stop_server(self, name: str) -> None:
        """Stop the student's server (and so its kernels) and wait until it is gone."""
        self.api("DELETE", f"/hub/api/users/{name}/server")
        self._wait_for(lambda: not self.api("GET", f"/hub/api/users/{name}")["servers"], self.spawn_timeout,
                       f"{name}'s server to stop")

    def login_cookies(self, name: str) -> list[dict[str, str]]:
        """Log in through the hub's form as the student, as a browser does; return the hub's cookies in
        Playwright's ``context.add_cookies`` form. With them a browser opening ``/user/<name>/lab`` goes
        through the hub's OAuth redirects on its own and gets the server's cookie too."""
        jar = self.login(name)
        return [{"name": cookie.name, "value": cookie.value or "", "domain": cookie.domain, "path": cookie.path}
                for cookie in jar]

    def login(self, name: str) -> CookieJar:
        """A cookie jar logged in to the hub as the student (through the login form, with its XSRF token)."""
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
        return jar

    def processes(self) -> dict[str, int]:
        """The process ids of the hub and of its proxy (``{"hub": ..., "proxy": ...}``), for CPU measurements."""
        if self._process is None:
            raise HubError("the hub is not running")
        return {"hub": self._process.pid, "proxy": int((self.runtime / "proxy.pid").read_text().strip())}

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the hub's log (hub, proxy and servers), for error messages."""
        if not self.log_path.is_file():
            return "(no hub log)"
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    # -- stopping -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the hub (which stops the proxy and every server), make sure nothing it started survives,
        remove the students' accounts and homes and the runtime folder. Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            server_pids = self._server_pids()
            proxy_pid = self._proxy_pid()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                kill_group(process.pid)
                process.wait(timeout=10)
            # A clean stop has already ended these; after a crash or a kill they would outlive the hub.
            for pid in [*server_pids, *([proxy_pid] if proxy_pid else [])]:
                if pid_alive(pid):
                    kill_group(pid)
        problems = []
        for name in self._created_accounts:
            try:
                self._remove_account(name)
            except HubError as problem:  # go on with the other accounts and the folder; report at the end
                problems.append(str(problem))
        self._created_accounts = []
        if self.runtime != Path() and self.runtime.is_dir():
            shutil.rmtree(self.runtime)
        self.runtime = Path()
        if problems:
            raise HubError("the hub stopped, but cleaning up failed: " + "; ".join(problems))

    def _server_pids(self) -> list[int]:
        """The students' server process ids, from the spawners' state in the hub's database."""
        database = self.runtime / "jupyterhub.sqlite"
        if not database.is_file():
            return []
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT state FROM spawners WHERE state IS NOT NULL").fetchall()
        return [json.loads(state)["pid"] for (state,) in rows if json.loads(state).get("pid")]

    def _proxy_pid(self) -> int | None:
        """The proxy's process id from the pid file it writes, or None before it started."""
        path = self.runtime / "proxy.pid"
        return int(path.read_text().strip()) if path.is_file() else None

    def _remove_account(self, name: str) -> None:
        """Kill what still runs as the student, take back the folder grants, delete account and home."""
        uid = pwd.getpwnam(name).pw_uid
        for _ in range(50):
            pids = pids_of_user(uid)
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            time.sleep(0.1)
        for folder, grantee in [grant for grant in self._traverse_grants if grant[1] == name]:
            run_checked(["setfacl", "--remove", f"user:{grantee}", str(folder)], f"take back {grantee}'s entry in {folder}")
            self._traverse_grants.remove((folder, grantee))
            drop_empty_acl(folder)
        run_checked(["userdel", "--remove", name], f"remove the account {name!r}")
