"""Projector mode: the course's explorers as a clean web app, with no code cells, served by Voilà.

    python tools/projector.py                  # serve notebooks/projector.ipynb, open the browser
    python tools/projector.py --port 8866 --no-browser
    python tools/projector.py notebooks/04_learning_rate.ipynb     # any lesson, without its code

Voilà runs the notebook in a fresh kernel, shows its text, widgets and figures, and strips every
code cell (--strip_sources=True). The server listens on 127.0.0.1 only and asks for a secret
token, which the printed address carries. Stop it with Ctrl+C.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECTOR = ROOT / "notebooks" / "projector.ipynb"
#: Holds voila/templates/downhill: Voilà's lab template without the Font Awesome CDN links.
TEMPLATES = ROOT / "tools" / "jupyter"


def voila_command(notebook: Path, port: int, token: str) -> list[str]:
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser", "--Voila.ip=127.0.0.1",
            f"--port={port}", f"--Voila.token={token}", "--strip_sources=True", "--theme=light",
            "--template=downhill", "--VoilaConfiguration.show_tracebacks=True",
            # Notebook 7's front-end extension is built for JupyterLab and fails to load in
            # Voilà's page (a console error, nothing visible): leave it out. (One item per flag:
            # the list syntax `=['...']` makes traitlets print a DeprecationWarning.)
            "--VoilaConfiguration.extension_denylist=@jupyter-notebook/lab-extension",
            # The page reloads itself once to tell the kernel the screen's size and pixel ratio
            # (voila/templates/downhill); the kernel of that first load has no page: shut down
            # kernels that no page is connected to after two idle minutes.
            "--MappingKernelManager.cull_idle_timeout=120", "--MappingKernelManager.cull_interval=30",
            # Voilà loads no server extensions: it is given downhill_nodelay's connection class
            # directly, so a slider dragged on the projector follows the hand as in JupyterLab.
            "--Voila.kernel_websocket_connection_class=downhill_nodelay.Connection"]


def voila_env(env: dict | None = None) -> dict:
    """`env` (default: this process's) with the course's Voilà template on JUPYTER_PATH."""
    env = dict(os.environ if env is None else env)
    paths = [str(TEMPLATES), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _open_when_ready(url: str, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            return
        try:
            with urllib.request.urlopen(url.replace("/?", "/voila/static/voila.js?"), timeout=2):
                break
        except OSError:
            time.sleep(0.2)
    webbrowser.open(url)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=PROJECTOR,
                        help="notebook to serve (default: notebooks/projector.ipynb)")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--no-browser", action="store_true", help="only print the address")
    args = parser.parse_args(argv)
    notebook = args.notebook.resolve()
    if not notebook.is_file():
        parser.error(f"no notebook at {notebook}")
    try:
        import voila  # noqa: F401
    except ImportError:
        print("Projector mode needs Voilà: pip install -e '.[projector]'", file=sys.stderr)
        return 1

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
    token = secrets.token_hex(16)
    url = f"http://127.0.0.1:{args.port}/?token={token}"
    process = subprocess.Popen(voila_command(notebook, args.port, token), cwd=notebook.parent, env=voila_env())
    print(f"\nProjector mode: {url}\n(Ctrl+C stops it)\n", flush=True)
    if not args.no_browser:
        threading.Thread(target=_open_when_ready, args=(url, process), daemon=True).start()
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0


if __name__ == "__main__":
    sys.exit(main())
