"""The classroom hub (course/hub.py): two students, each their own system account, can both run the
slider notebook, and neither can reach the other's server (page, REST API, kernel websocket) or
files; nothing the hub starts listens beyond the loopback address.

Needs root and Node's configurable-http-proxy (``make`` runs ``npm ci``); skipped with the reason
otherwise, except under REQUIRE_HUB=1 (CI), where a missing piece is a failure.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path

import nbformat
import pytest
import websocket

from course import hub as hub_module
from course.cells import code_cells
from course.hub import Hub, HubError, KernelClient, UserServer, kernel_url
from course.series import NOTEBOOKS

ALICE, BOB = "hubtest-a", "hubtest-b"
SLIDER_NOTEBOOK = "06_gradient_descent_fit.ipynb"
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LOOPBACK_V6 = {"00000000000000000000000001000000", "0000000000000000FFFF00000100007F"}  # ::1 and ::ffff:127.0.0.1
LISTEN = "0A"


def missing_for_the_hub() -> str | None:
    """What this machine lacks to run the two-user hub, or None."""
    if not hub_module.PROXY_COMMAND.is_file():
        return f"configurable-http-proxy is not installed ({hub_module.PROXY_COMMAND}): run make (npm ci)"
    if shutil.which("node") is None:
        return "Node.js is not installed (configurable-http-proxy needs it)"
    if os.geteuid() != 0:
        return "the two-user hub creates system accounts and must run as root"
    if hub_module.folders_closed_to_students() and shutil.which("setfacl") is None:
        return "setfacl is missing (apt-get install acl): students cannot reach this venv's Python otherwise"
    return None


@pytest.fixture(scope="module")
def hub() -> Iterator[Hub]:
    missing = missing_for_the_hub()
    if missing and os.environ.get("REQUIRE_HUB") == "1":
        pytest.fail(f"REQUIRE_HUB=1 but {missing}")
    if missing:
        pytest.skip(missing)
    with Hub(users=[ALICE, BOB], system_users=True, spawner_environment={"OMP_NUM_THREADS": "1"}) as running:
        yield running


@pytest.fixture(scope="module")
def servers(hub: Hub) -> dict[str, UserServer]:
    return hub.start_servers([ALICE, BOB])


def refused(method: str, url: str, token: str) -> int:
    """The HTTP status of a request that must be refused (fails the test if it succeeds)."""
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"},
                                     data=b"{}" if method == "POST" else None)
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=30).close()
    return answer.value.code


def browse(jar: CookieJar, url: str) -> tuple[int, str]:
    """Open ``url`` as a browser would with the cookies in ``jar`` (following the OAuth redirects);
    return the final status and address."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        with opener.open(url, timeout=60) as page:
            return page.status, page.url
    except urllib.error.HTTPError as error:
        return error.code, error.url


def run_slider_notebook(server: UserServer) -> None:
    """Run notebook 06 up to its explorer in the student's kernel, as Run All would, and move its slider once."""
    cells = code_cells(nbformat.read(NOTEBOOKS / SLIDER_NOTEBOOK, as_version=4))
    explorer_at = next((index for index, cell in enumerate(cells) if "DescentExplorer(" in cell.source), None)
    assert explorer_at is not None, f"no code cell of {SLIDER_NOTEBOOK} makes a DescentExplorer: update this test"
    with server.open_kernel(f"notebooks/{SLIDER_NOTEBOOK}") as kernel:
        for cell in cells[:explorer_at]:
            reply = kernel.execute(cell.source)
            assert reply.status == "ok", f"{server.name}: a cell failed: {reply.text()}\n{cell.source}"
            stored = "".join(output.text for output in cell.outputs if output.output_type == "stream")
            printed = "".join(message["content"]["text"] for message in reply.outputs if message["msg_type"] == "stream")
            assert printed == stored, f"{server.name}'s kernel printed other numbers than the reference run"
        shown = kernel.execute(cells[explorer_at].source)
        assert shown.status == "ok", f"{server.name}: the explorer cell failed: {shown.text()}"
        assert any("application/vnd.jupyter.widget-view+json" in message["content"].get("data", {})
                   for message in shown.outputs), f"{server.name}: the explorer cell showed no widget"
        moved = kernel.execute("print(explorer.set_learning_rate(1e-3))")
        assert moved.status == "ok" and moved.text().strip(), f"{server.name}: moving the slider failed: {moved.text()}"


def test_both_students_run_the_slider_notebook(servers: dict[str, UserServer]) -> None:
    # Side by side, as in a class (and twice as fast on two cores); .result() re-raises a failed check.
    with ThreadPoolExecutor(max_workers=len(servers)) as pool:
        for running in [pool.submit(run_slider_notebook, server) for server in servers.values()]:
            running.result()


def test_a_student_token_is_refused_at_another_students_server(hub: Hub, servers: dict[str, UserServer]) -> None:
    alice, bob = servers[ALICE], servers[BOB]
    assert alice.api("GET", "api/contents/notebooks")["type"] == "directory"  # the token works where it should
    for method, path in [("GET", "api/contents"), ("GET", "api/contents/notebooks"), ("GET", "api/kernels"),
                         ("POST", "api/kernels"), ("GET", "api/sessions"), ("GET", "lab")]:
        assert refused(method, bob.url + path, alice.token) == 403, f"{method} {path}"
    assert refused("GET", f"{hub.url}/hub/api/users/{BOB}", alice.token) in (403, 404)
    assert refused("POST", f"{hub.url}/hub/api/users/{BOB}/tokens", alice.token) in (403, 404)


def test_a_logged_in_browser_is_refused_at_another_students_server(hub: Hub, servers: dict[str, UserServer]) -> None:
    jar = hub.login(ALICE)
    status, landed = browse(jar, servers[ALICE].url + "lab")
    assert (status, landed) == (200, servers[ALICE].url + "lab"), "Alice's own JupyterLab should open after login"
    status, landed = browse(jar, servers[BOB].url + "lab")
    assert status == 403, f"Alice's browser reached Bob's server: {status} at {landed}"


def test_a_student_cannot_open_another_students_kernel_websocket(hub: Hub, servers: dict[str, UserServer]) -> None:
    alice, bob = servers[ALICE], servers[BOB]
    bob_kernel = bob.api("POST", "api/kernels", {"name": "python3"})["id"]
    try:
        with KernelClient(kernel_url(bob.url, bob_kernel), {"Authorization": f"token {bob.token}"}) as own:
            assert own.execute("print(6 * 7)").text() == "42\n"  # the address and protocol are right
        jar = hub.login(ALICE)
        browse(jar, alice.url + "lab")  # also get the cookie of Alice's own server, as her browser has it
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
        for credentials in ({"Authorization": f"token {alice.token}"}, {"Cookie": cookies}):
            with pytest.raises(websocket.WebSocketBadStatusException) as answer:
                KernelClient(kernel_url(bob.url, bob_kernel), credentials).close()
            assert answer.value.status_code == 403, f"with {list(credentials)}"
    finally:
        bob.api("DELETE", f"api/kernels/{bob_kernel}")


def socket_inodes(pid: int) -> set[str]:
    """The socket inodes that process ``pid`` holds open."""
    inodes = set()
    for descriptor in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except FileNotFoundError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (from each process's parent in /proc/<pid>/stat)."""
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children.get(current, [])
    return found


def listening_addresses() -> dict[str, str]:
    """Socket inode -> local address (hex, as /proc writes it) of every listening TCP socket."""
    addresses = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == LISTEN:
                addresses[fields[9]] = fields[1]
    return addresses


def test_nothing_listens_beyond_loopback(hub: Hub, servers: dict[str, UserServer]) -> None:
    with servers[ALICE].open_kernel() as kernel:  # a kernel too: its five ZMQ ports must be local as well
        kernel.execute("1")
        pids = {pid for started in hub.processes().values() for pid in descendants(started)}
        ours = {inode for pid in pids for inode in socket_inodes(pid)}
        listening = {inode: address for inode, address in listening_addresses().items() if inode in ours}
    ports = {int(address.rsplit(":", 1)[1], 16) for address in listening.values()}
    assert int(hub.url.rsplit(":", 1)[1]) in ports, "the proxy's public port was not found: the check sees nothing"
    assert len(listening) >= 10, f"expected hub, proxy, two servers and a kernel to listen; found {listening}"
    exposed = [address for address in listening.values()
               if address.split(":")[0] != LOOPBACK_V4 and address.split(":")[0] not in LOOPBACK_V6]
    assert not exposed, f"listening beyond 127.0.0.1: {exposed}"


def test_a_student_cannot_read_or_write_another_students_files(hub: Hub, servers: dict[str, UserServer]) -> None:
    alice, bob = servers[ALICE], servers[BOB]
    target = bob.home / "notebooks" / SLIDER_NOTEBOOK
    before = target.read_bytes()
    bob_processes = hub_module.pids_of_user(pwd.getpwnam(BOB).pw_uid)
    assert bob_processes, "Bob's server should be running as Bob"
    assert (hub.runtime / "jupyterhub_cookie_secret").is_file(), "the cookie secret moved: update this check"
    attempts = {
        "list": f"os.listdir({str(bob.home)!r})",
        "read": f"open({str(target)!r}).read()",
        "write": f"open({str(target)!r}, 'a').write('x')",
        "create": f"open({str(bob.home / 'planted.txt')!r}, 'w').write('x')",
        # With one account for everyone, Bob's server token can be read here and used on his server.
        "read the environment of Bob's server": f"open('/proc/{bob_processes[0]}/environ').read()",
        "read the hub's cookie secret": f"open({str(hub.runtime / 'jupyterhub_cookie_secret')!r}).read()",
    }
    code = "import json, os\nresults = {}\n" + "".join(
        f"try:\n    {action}\n    results[{name!r}] = 'allowed'\nexcept OSError as error:\n"
        f"    results[{name!r}] = type(error).__name__\n" for name, action in attempts.items()
    ) + f"results['own'] = len(open({str(alice.home / 'notebooks' / SLIDER_NOTEBOOK)!r}).read()) > 0\n" \
        "print(json.dumps(results))"
    with alice.open_kernel() as kernel:
        reply = kernel.execute(code)
    assert reply.status == "ok", reply.text()
    results = json.loads(reply.text())
    assert results.pop("own") is True, "Alice could not read her own copy: the check would prove nothing"
    assert results == dict.fromkeys(attempts, "PermissionError")
    assert target.read_bytes() == before and not (bob.home / "planted.txt").exists()


def test_student_names_are_checked_before_anything_starts() -> None:
    for users in (["Alice"], ["a b"], [], ["same", "same"], ["x" * 33]):
        with pytest.raises(HubError, match="student names must be"):
            Hub(users=users)


def test_a_missing_proxy_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(hub_module, "PROXY_COMMAND", tmp_path / "configurable-http-proxy")
    with pytest.raises(HubError, match=re.escape("run `make` (or `npm ci`")):
        Hub(users=["someone"]).start()


def test_system_users_without_root_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    proxy = tmp_path / "configurable-http-proxy"
    proxy.touch()
    monkeypatch.setattr(hub_module, "PROXY_COMMAND", proxy)
    monkeypatch.setattr(hub_module.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(hub_module.os, "geteuid", lambda: 1000)
    with pytest.raises(HubError, match="must run as root"):
        Hub(users=["someone"]).start()
