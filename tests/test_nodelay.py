"""downhill_nodelay: the server extension that makes kernel websockets send every message at once.

The behaviour is checked on a real Jupyter server: a probe extension (written here, loaded only
by these tests) reads TCP_NODELAY off the socket of every open websocket, and a client opens a
kernel's channels as JupyterLab does. With the course installed (`make test`'s venv, whose
etc/jupyter turns the extension on) the kernel's socket has Nagle's algorithm off; with the
extension switched off it has it on, which is what the extension is there to change.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lab_browser as lb  # noqa: E402

PROBE = '''
"""Test probe (a Jupyter server extension): TCP_NODELAY of every open websocket, as JSON."""
import gc, json, socket
import tornado.web
from tornado.websocket import WebSocketHandler
from jupyter_server.base.handlers import JupyterHandler


class Probe(JupyterHandler):
    @tornado.web.authenticated
    def get(self):
        found = []
        for handler in gc.get_objects():
            if isinstance(handler, WebSocketHandler) and handler.ws_connection is not None:
                sock = handler.ws_connection.stream.socket
                if sock is not None:
                    found.append({"path": handler.request.path,
                                  "nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)})
        self.finish(json.dumps(found))


def _jupyter_server_extension_points():
    return [{"module": "nodelay_probe"}]


def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_handlers(".*$", [(serverapp.base_url + "nodelay-probe", Probe)])
'''


def kernel_socket_nodelay(tmp_path: Path, *extra_args: str) -> tuple[list[dict], str, bool]:
    """Start a server (with the probe), open one kernel's websocket, and read the probe: (what it
    found for that websocket, the server's log, whether the benchmarks would call it the course's)."""
    (tmp_path / "nodelay_probe.py").write_text(PROBE)
    args = ("--ServerApp.jpserver_extensions", "nodelay_probe=True", *extra_args)
    with lb.Server("lab", root=tmp_path, extra_args=args, extra_env={"PYTHONPATH": str(tmp_path)}) as server:
        kernel = server.api("POST", "api/kernels")

        async def probe():
            from tornado.websocket import websocket_connect

            url = server.url(f"api/kernels/{kernel['id']}/channels").replace("http://", "ws://", 1)
            ws = await websocket_connect(url)
            try:
                return await asyncio.to_thread(server.api, "GET", "nodelay-probe")
            finally:
                ws.close()

        # in a thread of its own: the browser tests' Playwright keeps an event loop running in this one
        with ThreadPoolExecutor(1) as thread:
            found = thread.submit(asyncio.run, probe()).result(timeout=60)
        mine = [f for f in found if f["path"].endswith(f"/api/kernels/{kernel['id']}/channels")]
        return mine, server.log(), server.sends_at_once()


def test_the_course_environment_sends_kernel_messages_at_once(tmp_path):
    found, log, at_once = kernel_socket_nodelay(tmp_path)
    assert len(found) == 1, f"the probe saw no open kernel websocket: {found}\n{log}"
    assert found[0]["nodelay"] == 1, f"Nagle's algorithm is still on for the kernel's websocket:\n{log}"
    assert at_once                                   # what bench/drag.py checks before it measures


def test_without_the_extension_the_kernel_socket_keeps_nagle_on(tmp_path):
    """The control: what the extension changes is really off by default in Jupyter Server."""
    found, log, at_once = kernel_socket_nodelay(tmp_path, *lb.WITHOUT_NODELAY)
    assert len(found) == 1, f"the probe saw no open kernel websocket: {found}\n{log}"
    assert found[0]["nodelay"] == 0
    assert not at_once


def test_the_venv_config_is_the_file_a_wheel_installs():
    shipped = json.loads((ROOT / "downhill_nodelay" / "downhill_nodelay.json").read_text())
    assert shipped == {"ServerApp": {"jpserver_extensions": {"downhill_nodelay": True}}}
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "downhill_nodelay.json"
    assert installed.is_file(), f"{installed} is missing: `make test` runs `python -m downhill_nodelay`"
    assert json.loads(installed.read_text()) == shipped


def test_python_m_downhill_nodelay_turns_it_on_in_an_environment(tmp_path):
    """What `make lab` and Binder's postBuild run after an editable install."""
    result = subprocess.run([sys.executable, "-m", "downhill_nodelay", "--prefix", str(tmp_path)],
                            capture_output=True, text=True, check=True, cwd=tmp_path)
    written = tmp_path / "etc" / "jupyter" / "jupyter_server_config.d" / "downhill_nodelay.json"
    assert str(written) in result.stdout
    assert written.read_bytes() == (ROOT / "downhill_nodelay" / "downhill_nodelay.json").read_bytes()
    subprocess.run([sys.executable, "-m", "downhill_nodelay", "--prefix", str(tmp_path)],
                   capture_output=True, check=True, cwd=tmp_path)          # again: the same file
    assert written.read_bytes() == (ROOT / "downhill_nodelay" / "downhill_nodelay.json").read_bytes()


def test_a_wheel_of_the_course_carries_the_config(tmp_path):
    """The hub's environment installs the course from a wheel: the file must be in it."""
    import zipfile

    source = tmp_path / "course"              # a copy: setuptools writes build/ into the folder it builds
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("helpers", "data", "downhill_nodelay"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # with pip's build isolation, as `pip install <repository>` builds it (Python 3.11's venv has an
    # old setuptools that cannot make wheels without the `wheel` package)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            "--wheel-dir", str(tmp_path), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]

    (wheel,) = tmp_path.glob("downhill_helpers-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".data/data/etc/jupyter/jupyter_server_config.d/downhill_nodelay.json") for n in names)
    assert "downhill_nodelay/__init__.py" in names


def test_it_wraps_whatever_connection_class_the_server_uses():
    from jupyter_server.gateway.connections import GatewayWebSocketConnection
    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    import downhill_nodelay as nd

    wrapped = nd.send_at_once(GatewayWebSocketConnection)
    assert issubclass(wrapped, GatewayWebSocketConnection) and issubclass(wrapped, nd.SendAtOnce)
    assert nd.send_at_once(wrapped) is wrapped                       # never wrapped twice
    assert issubclass(nd.Connection, ZMQChannelsWebsocketConnection)

    calls = []

    class Base:
        def connect(self):
            calls.append("connect")
            return "connected"

    class Handler:
        ws_connection = object()

        def set_nodelay(self, value):
            calls.append(("nodelay", value))

    connection = nd.send_at_once(Base)()
    connection.websocket_handler = Handler()
    assert connection.connect() == "connected"
    assert calls == [("nodelay", True), "connect"]                   # before the first message


def test_a_server_loading_it_imports_no_numpy_or_matplotlib():
    code = ("import sys, downhill_nodelay; "
            "print(sorted(m for m in ('numpy', 'matplotlib', 'helpers') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_projector_gives_voila_the_connection_class():
    """Voilà loads no server extensions: `make projector` names the class itself (the browser
    tests then run the projector with it)."""
    from projector import voila_command

    flags = [a for a in voila_command(Path("p.ipynb"), 8866, "t") if "kernel_websocket_connection_class" in a]
    assert flags == ["--Voila.kernel_websocket_connection_class=downhill_nodelay.Connection"]
    from traitlets.utils.importstring import import_item

    import downhill_nodelay as nd

    assert import_item(flags[0].split("=", 1)[1]) is nd.Connection
