"""Run the course in a real browser: JupyterLab, Notebook 7 or Voilà on 127.0.0.1, driven by
Debian's Chromium through Playwright.

Shared by the browser tests (tests/browser/), tools/screenshots.py and bench/browser_latency.py:

    with Server("lab", root=copy_of_notebooks) as lab, chromium() as browser:
        nb = NotebookPage(browser, lab, "notebooks/04_learning_rate.ipynb")
        nb.run_all()
        assert not nb.problems()

Everything started here is stopped here: a server runs in its own process group with its config,
data, settings, workspaces and IPython folders in a private temporary folder (so no pop-up,
extension setting or saved workspace of the machine's user leaks in), and its kernels are shut
down before the group is terminated.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

CHROMIUM = Path(os.environ.get("DOWNHILL_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps dialling Google's hosts, which this
# closed network refuses; a fresh user-data folder keeps every run independent.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
HOW_TO_ENABLE = ("The browser checks need Debian's Chromium at /usr/bin/chromium. Enable them with "
                 "`sudo apt-get install chromium` (the Python side, playwright, comes with "
                 "`pip install -e '.[test]'`); `playwright install` is not needed.")

#: The CSS class of the main widget of each lesson (see the team brief), by notebook number.
MAIN_WIDGET = {"00": "downhill-envcheck", "02": "downhill-wiggle", "03": "downhill-trainer",
               "04": "downhill-lr-explorer"}

# A widget the front end could not render falls back to its text repr: `FloatLogSlider(value=0.1, ...)`.
WIDGET_REPR = re.compile(
    r"\b(?:Float|Int|Selection)?(?:Log)?(?:Range)?Slider\(|\b(?:H|V|Grid)?Box\(children=|"
    r"\b(?:Button|Dropdown|Image|HTML|HTMLMath|Label|Output|Text|Textarea|Checkbox|ToggleButton|"
    r"ToggleButtons|RadioButtons|Play|Tab|Accordion|BoundedFloatText|FloatText|IntText|"
    r"SelectionSlider|Select|SelectMultiple|Valid)\((?:value|children|description|options|layout|"
    r"style|format|outputs)=")


def browser_unavailable() -> str | None:
    """Why the browser checks cannot run on this machine, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"No Chromium at {CHROMIUM}. {HOW_TO_ENABLE}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("The Python package `playwright` is not installed: run `pip install -e '.[test]'`. "
                + HOW_TO_ENABLE)
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def copy_course(destination: Path) -> Path:
    """Copy notebooks/ (lessons, exercises, projector) to `destination`; returns it.

    The browser runs and saves nothing in the repository: Lab works on this copy, so other people's
    edits and the committed (output-free) notebooks are never touched.
    """
    destination = Path(destination)
    shutil.copytree(NOTEBOOKS, destination / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
                    dirs_exist_ok=True)
    return destination


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def isolated_env(home: Path, disabled_extensions: tuple = ()) -> dict:
    """Environment for a Jupyter server whose user-level folders all live under `home`.

    The system-level folders (the venv's share/jupyter, where the widget labextension lives, and
    the native python3 kernel of this interpreter) are still found: only the user's are replaced.
    """
    home = Path(home)
    env = {k: v for k, v in os.environ.items()
           if k not in {"MPLBACKEND", "JUPYTER_CONFIG_PATH", "JUPYTER_TOKEN", "JUPYTER_PATH"}}
    folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
               "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
               "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces", "IPYTHONDIR": "ipython"}
    for name, folder in folders.items():
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / folder)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"

    # Server side: expose the app object (the tests read the notebook model through it), never
    # look for updates or news, never query PyPI for extensions.
    _write_json(home / "config" / "jupyter_server_config.json", {
        "LabApp": {"expose_app_in_browser": True, "news_url": None,
                   "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "extension_manager": "readonly"},
        "JupyterNotebookApp": {"expose_app_in_browser": True},
        "ServerApp": {"open_browser": False},
    })
    # Front end: the announcements plugin (the "get Jupyter news?" toast) is off altogether,
    # (`disabled_extensions` can switch more off: the tests switch off the widget manager to
    # prove they notice.)
    disabled = {"@jupyterlab/apputils-extension:announcements": True}
    disabled.update({name: True for name in disabled_extensions})
    _write_json(home / "config" / "labconfig" / "page_config.json", {"disabledExtensions": disabled})
    # and, belt and braces, its settings say never; no autosave: the browser writes no file.
    settings = home / "lab-settings"
    _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    _write_json(settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings",
                {"autosave": False})
    return env


#: Server arguments that switch the course's downhill_nodelay extension off: Jupyter Server's default.
WITHOUT_NODELAY = ("--ServerApp.jpserver_extensions", "downhill_nodelay=False")


class Server:
    """A Jupyter server on 127.0.0.1 (free port, secret token) in its own process group.

    app="lab"    JupyterLab 4 (which also serves Notebook 7 under /tree and /notebooks)
    app="voila"  Voilà serving `notebook` (relative to `root`) as an app without code cells,
                 with the options of tools/projector.py

    extra_args go on the server's command line; extra_env is added to its environment (e.g. a
    PYTHONPATH where a test's own server extension lives).
    """

    def __init__(self, app: str = "lab", root: Path = ROOT, notebook: str | None = None,
                 extra_args: tuple = (), startup_timeout: float = 120.0,
                 disabled_extensions: tuple = (), extra_env: dict | None = None):
        if app not in {"lab", "voila"}:
            raise ValueError(f"app must be 'lab' or 'voila', not {app!r}")
        if app == "voila" and not notebook:
            raise ValueError("Voilà needs the notebook to serve")
        self.app, self.root, self.notebook = app, Path(root), notebook
        self.extra_args = list(extra_args)
        self.extra_env = dict(extra_env or {})
        self.disabled_extensions = tuple(disabled_extensions)
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._home: tempfile.TemporaryDirectory | None = None
        self.log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "", **query) -> str:
        """Full URL of `path` on this server, with the token (and any other query parameters)."""
        query = {**query, "token": self.token}
        return f"{self.base_url}/{path.lstrip('/')}?{urllib.parse.urlencode(query)}"

    def command(self) -> list[str]:
        common = ["--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0"]
        if self.app == "lab":
            return [sys.executable, "-m", "jupyter", "lab", *common, "--allow-root",
                    f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                    *self.extra_args]
        from projector import voila_command             # the same options as `make projector`

        return [*voila_command(self.root / self.notebook, self.port, self.token), "--Voila.port_retries=0",
                *self.extra_args]

    def start(self) -> "Server":
        self._home = tempfile.TemporaryDirectory(prefix=f"downhill-{self.app}-")
        home = Path(self._home.name)
        env = {**isolated_env(home, self.disabled_extensions), **self.extra_env}
        if self.app == "voila":
            from projector import voila_env           # the course's Voilà template

            env = voila_env(env)
        self.log_path = home / "server.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited with code {self.process.returncode}:\n{self.log()}")
            try:
                # Voilà renders (runs) the notebook for every page request: probe something light.
                target = self.url("api/status") if self.app == "lab" else self.url("voila/static/voila.js")
                with urllib.request.urlopen(target, timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.app} did not answer within {self.startup_timeout:.0f} s:\n{self.log()}")
            time.sleep(0.2)
        return self

    def log(self, tail: int = 6000) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-tail:]

    def sends_at_once(self) -> bool:
        """Whether this server loaded the course's downhill_nodelay extension (its log says so)."""
        from downhill_nodelay import LOADED

        return LOADED in self.log(tail=10**7)

    def warn_unless_sends_at_once(self) -> None:
        """For a benchmark's "course" column: say so when this server runs Jupyter's default."""
        if not self.sends_at_once():
            print("warning: the course's server did not load downhill_nodelay: run "
                  "`python -m downhill_nodelay` (make test does), or these are Jupyter's default figures")

    def api(self, method: str, path: str, timeout: float = 10):
        request = urllib.request.Request(f"{self.base_url}/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel of this (lab) server: one notebook's kernel must not slow the next."""
        if self.app != "lab" or self.process is None or self.process.poll() is not None:
            return
        try:
            for session in self.api("GET", "api/sessions"):
                self.api("DELETE", f"api/sessions/{session['id']}")
            for kernel in self.api("GET", "api/kernels"):
                self.api("DELETE", f"api/kernels/{kernel['id']}")
        except (urllib.error.URLError, OSError, ValueError):
            pass

    def stop(self) -> None:
        """Shut the kernels down, then terminate the server's process group (SIGKILL if it lingers)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            self.process = process
            self.shutdown_kernels()
            self.process = None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if self._home is not None:
            self._home.cleanup()
            self._home = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900, scale: float = 1):
    """A Playwright BrowserContext of Debian's Chromium with a fresh user-data folder; closed after."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="downhill-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height}, device_scale_factor=scale)
        try:
            yield context
        finally:
            context.close()


# --- the notebook in the page, seen through the app object (window.jupyterapp) -----------------

_PANEL_JS = """
function downhillPanel() {
  const app = window.jupyterapp;
  if (!app) { return null; }
  const isPanel = (w) => w && w.content && w.content.model && w.sessionContext;
  if (isPanel(app.shell.currentWidget)) { return app.shell.currentWidget; }
  for (const w of app.shell.widgets('main')) { if (isPanel(w)) { return w; } }
  return null;
}
"""

_READY_JS = """() => {""" + _PANEL_JS + """
  const p = downhillPanel();
  if (!p || !p.context.isReady || !p.sessionContext.session) { return false; }
  const kernel = p.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}
"""

_STATE_JS = """() => {""" + _PANEL_JS + """
  const p = downhillPanel();
  if (!p) { return null; }
  const cells = [];
  const model = p.content.model;
  for (let i = 0; i < model.cells.length; i++) {
    const c = model.cells.get(i);
    const cell = {index: i, type: c.type, source: c.sharedModel.getSource(), count: null,
                  running: false, outputs: []};
    if (c.type === 'code') {
      cell.count = c.executionCount;
      cell.running = c.executionState === 'running';
      const view = p.content.widgets[i];
      const children = view.outputArea ? view.outputArea.widgets : [];
      for (let j = 0; j < c.outputs.length; j++) {
        const o = c.outputs.get(j).toJSON();
        const node = children[j] ? children[j].node : null;
        cell.outputs.push({
          type: o.output_type, name: o.name || null, ename: o.ename || null, evalue: o.evalue || null,
          mimes: Object.keys(o.data || {}),
          text: node ? node.textContent.slice(0, 4000) : '',
          widgetViews: node ? node.querySelectorAll('.jupyter-widgets').length : 0,
          images: node ? node.querySelectorAll('img').length : 0,
          stderr: node ? Array.from(node.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')).map(e => e.textContent.slice(0, 4000)) : [],
        });
      }
    }
    cells.push(cell);
  }
  const kernel = p.sessionContext.session ? p.sessionContext.session.kernel : null;
  return {cells, kernel: kernel ? kernel.status : null};
}
"""


def stub_error(output: dict, names: tuple[str, ...]) -> bool:
    """Is this error output one of `names` (NotImplementedError from an exercise stub), or a
    check's report that names it ("… still raises NotImplementedError")?"""
    return any(output.get("ename") == name or name in (output.get("evalue") or "") for name in names)


class NotebookPage:
    """One notebook opened in its own browser tab, in JupyterLab (ui="lab") or Notebook 7 ("notebook").

    Records the page's console errors and uncaught exceptions from the moment it opens.
    """

    def __init__(self, context, server: Server, path: str, ui: str = "lab", timeout: float = 90):
        if ui not in {"lab", "notebook"}:
            raise ValueError(f"ui must be 'lab' or 'notebook', not {ui!r}")
        self.server, self.path, self.ui, self.timeout_ms = server, path, ui, timeout * 1000
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"console.{m.type}: {m.text}")
                     if m.type in {"error", "assert"} else None)
        self.page.on("pageerror", lambda e: self.console.append(f"uncaught: {e}"))
        if ui == "lab":
            # A workspace of its own, so no other notebook of the session is restored beside it.
            url = server.url(f"lab/workspaces/t{secrets.token_hex(4)}/tree/{path}")
        else:
            url = server.url(f"notebooks/{path}")
        self.page.goto(url, timeout=self.timeout_ms)
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=self.timeout_ms)
        self.page.wait_for_function(_READY_JS, timeout=self.timeout_ms, polling=200)

    # -- reading -------------------------------------------------------------------------------
    def state(self) -> dict:
        return self.page.evaluate(_STATE_JS)

    def cells(self) -> list[dict]:
        return self.state()["cells"]

    # -- acting as a student does: the Run menu ------------------------------------------------
    def menu(self, top: str, command: str) -> None:
        """Open the menu-bar menu `top` and click its item for `command` (a JupyterLab command id,
        the same in Lab and Notebook 7: its label can carry a shortcut, the id cannot change)."""
        self.page.get_by_role("menuitem", name=top, exact=True).first.click()
        self.page.locator(f".lm-Menu-item[data-command='{command}']").first.click()

    def _wait_until_executed(self, first_index: int) -> None:
        """Wait until the kernel ran from cell `first_index` on: that cell has a count (or an
        error stopped it earlier), no cell is queued or running and the kernel is idle."""
        done = "() => {" + _PANEL_JS + f"""
          const p = downhillPanel();
          const cells = p.content.model.cells;
          let started = false, running = false;
          for (let i = 0; i < cells.length; i++) {{
            const c = cells.get(i);
            if (c.type !== 'code') continue;
            if (c.executionState === 'running') running = true;
            if (i >= {first_index} && c.executionCount !== null) started = true;
          }}
          const k = p.sessionContext.session && p.sessionContext.session.kernel;
          return started && !running && k && k.status === 'idle';
        }}"""
        self.page.wait_for_function(done, timeout=self.timeout_ms * 3, polling=250)
        # An idle moment can fall between two queued cells: it must hold for a little while.
        self.page.wait_for_timeout(400)
        self.page.wait_for_function(done, timeout=self.timeout_ms * 3, polling=250)

    def run_all(self, continue_after: tuple[str, ...] = ()) -> None:
        """Run ▸ Run All Cells, and wait until it is done and every widget has rendered.

        The kernel stops a run at the first error. If that error is one of `continue_after` (an
        exercise stub's NotImplementedError, or a check saying the stub still raises it), go on
        as a student does: each later code cell in turn, select it, Run ▸ Run Selected Cell.

        One cell at a time, not Run ▸ Run Selected Cell and All Below: after an error, ipykernel
        aborts the requests queued before it noticed, and a batch sent just then can lose some
        cells and run the rest (a NameError further down that a student would find baffling).
        """
        self.menu("Run", "runmenu:run-all")
        first = next((c["index"] for c in self.cells() if c["type"] == "code" and c["source"].strip()), 0)
        self._wait_until_executed(first)
        cells = self.cells()
        stopped = next((c for c in cells if c["type"] == "code"
                        and any(o["type"] == "error" for o in c["outputs"])), None)
        if stopped is not None and continue_after and all(
                stub_error(o, continue_after) for o in stopped["outputs"] if o["type"] == "error"):
            for cell in cells[stopped["index"] + 1:]:
                if cell["type"] == "code" and cell["source"].strip():
                    self.run_cell(cell["index"])
        self.wait_for_widgets()

    def run_cell(self, index: int) -> None:
        """Select code cell `index`, Run ▸ Run Selected Cell and Do not Advance, wait for it."""
        old = self.cells()[index]["count"]
        self.select_cell(index)
        self.menu("Run", "notebook:run-cell")
        self.page.wait_for_function("() => {" + _PANEL_JS + f"""
          const p = downhillPanel();
          const c = p.content.model.cells.get({index});
          const k = p.sessionContext.session && p.sessionContext.session.kernel;
          return c.executionCount !== null && c.executionCount !== {json.dumps(old)}
                 && c.executionState !== 'running' && k && k.status === 'idle'; }}""",
            timeout=self.timeout_ms * 3, polling=100)

    def active_cell(self) -> int:
        return self.page.evaluate("() => {" + _PANEL_JS + " return downhillPanel().content.activeCellIndex; }")

    def select_cell(self, index: int) -> None:
        """Click cell `index` (its prompt, left of the code) to make it the active cell."""
        cell = self.page.locator(".jp-Notebook .jp-Cell").nth(index)
        # Cells scrolled into view get their real height only then (content-visibility), so the
        # page can still move under the pointer: check, and click again if it hit a neighbour.
        for _ in range(5):
            cell.scroll_into_view_if_needed()
            self.page.wait_for_timeout(150)
            cell.locator(".jp-InputPrompt").first.click()
            if self.active_cell() == index:
                return
        raise RuntimeError(f"clicking cell {index} made cell {self.active_cell()} active")

    def wait_for_widgets(self, timeout: float = 30) -> None:
        """Wait until no output still says 'Loading widget...' (a view that never resolves stays)."""
        with contextlib.suppress(Exception):
            self.page.wait_for_function(
                "() => !Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
                ".some(e => e.textContent.includes('Loading widget...'))",
                timeout=timeout * 1000, polling=250)

    # -- judging ---------------------------------------------------------------------------------
    def problems(self, allowed_errors: tuple[str, ...] = ()) -> list[str]:
        """Everything a student would see go wrong, one line each (empty when all is well).

        * a widget output with no live view, 'Error displaying widget', or stuck 'Loading widget...'
        * a widget shown as its text repr (`FloatLogSlider(value=...)`, `HBox(children=...)`)
        * 'Javascript Error' in an output
        * a traceback or any other stderr output, except errors named in `allowed_errors`
        * a cell that never ran (after a forbidden error stopped the run)
        * browser console errors or uncaught exceptions that mention widgets
        """
        found = []
        cells = self.cells()
        for cell in cells:
            if cell["type"] != "code":
                continue
            where = f"cell {cell['index']} ({cell['source'].strip().splitlines()[0][:60] if cell['source'].strip() else 'empty'!r})"
            if cell["source"].strip() and cell["count"] is None:
                found.append(f"{where}: never ran")
            for out in cell["outputs"]:
                text = out["text"]
                if "application/vnd.jupyter.widget-view+json" in out["mimes"] and out["widgetViews"] == 0:
                    shows = "a static image" if out["images"] else repr(text[:200])
                    found.append(f"{where}: widget output has no live view, shows {shows}")
                if "Error displaying widget" in text:
                    found.append(f"{where}: {text[:300]!r}")
                if "Loading widget..." in text:
                    found.append(f"{where}: widget never finished loading")
                if "Javascript Error" in text:
                    found.append(f"{where}: {text[:300]!r}")
                match = WIDGET_REPR.search(text) if out["widgetViews"] == 0 else None
                if match:
                    found.append(f"{where}: widget printed as text: {text[max(0, match.start() - 20):match.start() + 120]!r}")
                if out["type"] == "error":
                    if not stub_error(out, allowed_errors):
                        found.append(f"{where}: traceback {out['ename']}: {out['evalue']}")
                elif out["stderr"]:
                    found.append(f"{where}: stderr output {' '.join(out['stderr'])[:300]!r}")
                elif "Traceback (most recent call last)" in text:
                    found.append(f"{where}: shows a traceback {text[:300]!r}")
        counts: dict[str, int] = {}
        for line in self.console:
            if WIDGET_WORDS.search(line) and not BENIGN_CONSOLE.search(line):
                counts[line[:400]] = counts.get(line[:400], 0) + 1
        found += [f"browser {line}" + (f" (×{n})" if n > 1 else "") for line, n in counts.items()]
        return found

    def kernel_id(self) -> str | None:
        return self.page.evaluate("() => {" + _PANEL_JS + """
          const p = downhillPanel();
          return p && p.sessionContext.session && p.sessionContext.session.kernel
                 ? p.sessionContext.session.kernel.id : null; }""")

    def close(self) -> None:
        """Close the tab and shut down its kernel (other tabs' kernels keep running)."""
        kernel = None
        with contextlib.suppress(Exception):
            kernel = self.kernel_id()
        with contextlib.suppress(Exception):
            self.page.close()
        if kernel:
            with contextlib.suppress(urllib.error.URLError, OSError, ValueError):
                self.server.api("DELETE", f"api/kernels/{kernel}")


# --- driving the course's widgets as a student does ----------------------------------------------

def plot_src(widget) -> str:
    """The current src of a widget's plot image (a new blob: URL for every new PNG)."""
    return widget.locator("img.downhill-plot").first.get_attribute("src") or ""


def wait_for_new_plot(widget, old_src: str, timeout: float = 30) -> str:
    """Wait until the plot shows a new, fully loaded PNG; returns its src."""
    img = widget.locator("img.downhill-plot").first
    img.page.wait_for_function(
        "([img, old]) => img.getAttribute('src') !== old && img.complete && img.naturalWidth > 0",
        arg=[img.element_handle(), old_src], timeout=timeout * 1000, polling="raf")
    return img.get_attribute("src")


def plot_png(widget) -> bytes:
    """The bytes of the PNG the plot shows right now (read back from the page)."""
    import base64

    img = widget.locator("img.downhill-plot").first
    data = img.evaluate("""async img => {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let s = ''; for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
        return btoa(s); }""")
    return base64.b64decode(data)


def slider_value(slider) -> float:
    """The value the slider stands at (its range input's data-value: η itself, not an exponent)."""
    return float(slider.locator("input[type=range]").first.get_attribute("data-value"))


def press_slider_key(slider, key: str, times: int = 1) -> None:
    """Focus the slider's range input (as Tab would) and press a key (arrows, Home, End, PageUp...)."""
    handle = slider.locator("input[type=range]").first
    handle.focus()
    for _ in range(times):
        handle.press(key)


def type_into_readout(slider, text: str) -> None:
    """Click the box next to the slider, replace its number with `text` and press Enter."""
    readout = slider.locator("input.downhill-typed").first
    readout.click()
    readout.press("Control+A")
    readout.type(text)
    readout.press("Enter")


def image_difference(png_a: bytes, png_b: bytes) -> float:
    """Mean absolute difference of two PNGs' pixels on a 0–1 scale (1.0 if the sizes differ)."""
    import io

    import matplotlib.image
    import numpy as np

    a = matplotlib.image.imread(io.BytesIO(png_a), format="png")[..., :3]
    b = matplotlib.image.imread(io.BytesIO(png_b), format="png")[..., :3]
    if a.shape != b.shape:
        return 1.0
    return float(np.abs(a.astype(float) - b.astype(float)).mean())


# Console lines that point at a widget problem a student could see.
WIDGET_WORDS = re.compile(r"widget|ipywidgets|jupyter-widgets|\bcomm\b", re.IGNORECASE)
# ...except this one. JupyterLab's kernel connection logs it when a comm_close from the kernel names
# a comm the page has already closed and forgotten (a message crossing another on the wire); no
# widget loses anything by it. It showed up only on a loaded CI machine, on a lesson without widgets
# of its own. Every widget's view is still checked directly, so a real failure is still caught.
BENIGN_CONSOLE = re.compile(r"^console\.error: Comm not found for comm id [0-9a-f-]+$")


def page_problems(page, console: list[str] = ()) -> list[str]:
    """What a student would see go wrong on a page without a notebook model (Voilà, static HTML):
    the same checks as `NotebookPage.problems`, read from the outputs' text alone."""
    outputs = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output')).map(e => ({
        mime: e.getAttribute('data-mime-type'), text: e.textContent.slice(0, 4000),
        widgetViews: e.querySelectorAll('.jupyter-widgets').length}))""")
    found = []
    for i, out in enumerate(outputs):
        text, where = out["text"], f"output {i}"
        for marker in ("Error displaying widget", "Loading widget...", "Javascript Error",
                       "Traceback (most recent call last)"):
            if marker in text:
                found.append(f"{where}: {marker}: {text[:300]!r}")
        if out["mime"] == "application/vnd.jupyter.stderr" and text.strip():
            found.append(f"{where}: stderr output {text[:300]!r}")
        match = WIDGET_REPR.search(text) if out["widgetViews"] == 0 else None
        if match:
            found.append(f"{where}: widget printed as text: {text[max(0, match.start() - 20):match.start() + 120]!r}")
    found += [f"browser {line[:400]}" for line in dict.fromkeys(console)
              if WIDGET_WORDS.search(line) and not BENIGN_CONSOLE.search(line)]
    return found


def watch_console(page) -> list[str]:
    """Start recording the page's console errors and uncaught exceptions; returns the live list."""
    lines: list[str] = []
    page.on("console", lambda m: lines.append(f"console.{m.type}: {m.text}") if m.type in {"error", "assert"} else None)
    page.on("pageerror", lambda e: lines.append(f"uncaught: {e}"))
    return lines
