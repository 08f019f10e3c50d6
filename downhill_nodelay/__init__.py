"""Kernel websockets that send every message at once: a Jupyter server extension (TCP_NODELAY).

While a slider is dragged, the kernel answers each value with a few messages in quick
succession: the widget's echo, "started", the new picture, the status line, "drawn". Jupyter
Server writes them to the browser's websocket through tornado, which leaves Nagle's algorithm on
(tornado's `WebSocketHandler.set_nodelay` says so): a small write waits until the browser's side
has acknowledged the one before, and its operating system delays that acknowledgement (up to
40 ms on Linux, 200 ms on Windows). So every message after the first of a burst reached the page
about 40 ms late here, and the picture lagged the hand by that much on every frame. Switching Nagle off for the kernel's
websocket sends each message as it is written. (`python bench/drag.py` and
`python bench/browser_latency.py` run the same slider moves with the extension on and off, side
by side.)

The extension is on in an environment when etc/jupyter/jupyter_server_config.d/ holds
downhill_nodelay.json: a wheel install of the course puts it there (pyproject.toml's data-files);
an editable install (`pip install -e .`) cannot, so `make lab`, `make test` and Binder's postBuild
run `python -m downhill_nodelay`, which copies it. It then applies to JupyterLab, Notebook 7 and a
JupyterHub's single-user servers started from that environment; Voilà loads no extensions and is
given `Connection` by name (tools/projector.py). It wraps whichever connection class the server
is configured with (the default one, or a gateway's), so it changes nothing else. To turn it off
for one server: `jupyter lab --ServerApp.jpserver_extensions downhill_nodelay=False`.

It is a package of its own, not part of `helpers`, so that a Jupyter server loading it never
imports numpy or matplotlib (importing `helpers` does).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

#: The Jupyter Server setting that names the class serving each kernel websocket.
SETTING = "kernel_websocket_connection_class"
#: The config file that turns the extension on, as a wheel installs it.
CONFIG = Path(__file__).with_name("downhill_nodelay.json")
#: What a server logs once it has loaded the extension.
LOADED = "downhill_nodelay: kernel websockets send every message at once (TCP_NODELAY)"


class SendAtOnce:
    """Mixin for a kernel websocket connection class: Nagle's algorithm off before it connects."""

    def connect(self):
        handler = getattr(self, "websocket_handler", None)
        if handler is not None and getattr(handler, "ws_connection", None) is not None:
            handler.set_nodelay(True)
        return super().connect()


def send_at_once(base: type) -> type:
    """`base` (a kernel websocket connection class) with every message sent at once."""
    if issubclass(base, SendAtOnce):
        return base
    return type(f"SendAtOnce{base.__name__}", (SendAtOnce, base),
                {"__module__": __name__, "__doc__": f"{base.__name__}, sending every message at once."})


#: The default connection, sending at once: what a server without the extension can be configured
#: with (Voilà: `--Voila.kernel_websocket_connection_class=downhill_nodelay.Connection`).
Connection = send_at_once(ZMQChannelsWebsocketConnection)


def _jupyter_server_extension_points():
    return [{"module": "downhill_nodelay"}]


def _load_jupyter_server_extension(serverapp) -> None:
    settings = serverapp.web_app.settings
    base = settings.get(SETTING) or ZMQChannelsWebsocketConnection
    settings[SETTING] = send_at_once(base)
    serverapp.log.info(LOADED)


def enable(prefix: str | Path = sys.prefix) -> Path:
    """Turn the extension on for every Jupyter server of the environment at `prefix` (default:
    this one): copy its config file into prefix/etc/jupyter/jupyter_server_config.d/. Returns the
    file written."""
    target = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / CONFIG.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG, target)
    return target
