"""Execute every lesson and render it to HTML with its widgets' state embedded, for reading offline.

    python tools/build_html.py                      # every lesson and exercise -> site/ (open site/index.html)
    python tools/build_html.py notebooks/04_learning_rate.ipynb --out /tmp/site

Each lesson runs top to bottom in a fresh kernel (nbclient stores the widgets' state in the
notebook), then nbconvert's "lab" template renders it. In the page, the standard widget renderer
(@jupyter-widgets/html-manager) rebuilds every slider, button and plot from that saved state: the
widgets show exactly what they showed at the end of the run (moving them changes nothing: no
Python runs in a static page, and every page with a widget says so and links to how to run the
course live). The exercise copies are rendered without running (their checks need a student's
answers) into site/exercises/, so the lessons' links to them work.

The pages are made for everyone to read: each is titled with its lesson's title and says its
language; links are underlined; prompts and code are coloured with at least 4.5:1 contrast
(PAGE_CSS); figures keep the alt text their outputs carry.

nbconvert would load that renderer, require.js and MathJax from public CDNs. So that the pages
also work offline (and from a file:// folder), this script copies them into site/_static/ from
the npm registry's packages, fetched once with `npm pack` into build/web-assets/ (needs Node's
npm; without it the pages fall back to the CDNs and say so).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from ipc_kernels import IPCKernelManager  # kernels on Unix sockets (tools/ipc_kernels.py)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SITE = ROOT / "site"
CACHE = ROOT / "build" / "web-assets"

#: npm packages the pages need, pinned: (package, version). html-manager 1.x renders ipywidgets 8.
WEB_PACKAGES = {
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15"),
    "requirejs": ("requirejs", "2.3.7"),
    "mathjax": ("mathjax", "2.7.9"),
}
#: What of MathJax 2 the "TeX-AMS_CHTML-full" configuration loads (the rest is 60 MB we skip).
MATHJAX_PARTS = ["MathJax.js", "LICENSE", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions",
                 "jax/input/TeX", "jax/output/CommonHTML", "jax/element",
                 "fonts/HTML-CSS/TeX/woff", "fonts/HTML-CSS/TeX/otf"]

STATIC = "_static"
WIDGETS_JS = f"{STATIC}/html-manager/embed-amd.js"
REQUIRE_JS = f"{STATIC}/require.js"
MATHJAX_JS = f"{STATIC}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"


def lessons() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


# --- the JavaScript the pages load ---------------------------------------------------------------

def _npm_pack(package: str, version: str, into: Path) -> Path:
    """Download package@version's tarball from the npm registry with npm itself; returns it."""
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError("npm is not installed")
    into.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([npm, "pack", f"{package}@{version}", "--silent", "--json"], cwd=into,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"npm pack {package}@{version} failed:\n{result.stderr.strip()}")
    filename = json.loads(result.stdout)[0]["filename"]
    return into / filename.replace("/", "-").lstrip("@")


def fetch_web_assets(cache: Path = CACHE) -> Path:
    """The unpacked npm packages in `cache` (fetched on first use). Raises if they cannot be had."""
    ready = cache / "ready.json"
    if fetch_web_assets_cached(cache):
        return cache
    with tempfile.TemporaryDirectory(prefix="downhill-npm-") as tmp:
        for name, (package, version) in WEB_PACKAGES.items():
            tarball = _npm_pack(package, version, Path(tmp))
            target = cache / name
            shutil.rmtree(target, ignore_errors=True)
            with tarfile.open(tarball) as archive:
                # filter="data" (refuse links and paths outside the folder) where this Python has it
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                archive.extractall(Path(tmp) / name, **safe)
            shutil.move(str(Path(tmp) / name / "package"), target)
            if name == "mathjax":                     # keep only what the pages load
                keep = Path(tmp) / "mathjax-kept"
                for part in MATHJAX_PARTS:
                    (keep / part).parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(target / part), keep / part)
                shutil.rmtree(target)
                shutil.move(str(keep), target)
    ready.write_text(json.dumps(WEB_PACKAGES))
    return cache


def fetch_web_assets_cached(cache: Path = CACHE) -> bool:
    """Are the pinned packages already in `cache` (so no npm is needed)?"""
    ready = cache / "ready.json"
    return ready.exists() and json.loads(ready.read_text()) == WEB_PACKAGES


def install_web_assets(out: Path, cache: Path = CACHE) -> bool:
    """Copy the widget renderer, require.js and MathJax into out/_static. False if unavailable."""
    try:
        assets = fetch_web_assets(cache)
    except (FileNotFoundError, RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"warning: cannot fetch the pages' JavaScript with npm ({error}); the pages will load "
              "the widget renderer and MathJax from public CDNs, so they need a network to show "
              "widgets and formulas.", file=sys.stderr)
        return False
    static = out / STATIC
    shutil.rmtree(static, ignore_errors=True)
    shutil.copytree(assets / "html-manager" / "dist", static / "html-manager",
                    ignore=shutil.ignore_patterns("*.map"))
    shutil.copy2(assets / "html-manager" / "package.json", static / "html-manager" / "package.json")
    shutil.copy2(assets / "requirejs" / "require.js", static / "require.js")
    for part in MATHJAX_PARTS:
        source, target = assets / "mathjax" / part, static / "mathjax" / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return True


# --- the pages -------------------------------------------------------------------------------------

def execute(path: Path, timeout: int = 600):
    """Run the notebook in a fresh kernel from its own folder; returns it with the widget state."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    saved = os.environ.pop("MPLBACKEND", None)        # inline figures, as in a notebook app
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                       kernel_manager_class=IPCKernelManager,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if saved is not None:
            os.environ["MPLBACKEND"] = saved
    return nb


def freeze_explorers(nb):
    """Show each explorer as its frozen picture: where an output carries both a widget view and
    HTML (helpers' explorers: their status lines and the plot as `<img alt>`), keep the HTML.
    A page cannot run the kernel the controls talk to, so a picture with its alt text is what a
    reader can use there (and the controls' front end need not be in the page)."""
    views = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data and "text/html" in data:
                del data["application/vnd.jupyter.widget-view+json"]
            elif "application/vnd.jupyter.widget-view+json" in data:
                views.append(data["application/vnd.jupyter.widget-view+json"]["model_id"])
    # Keep in the page's widget state only the models the remaining views use (a model left there
    # would still be loaded, and the explorers' front end is not part of the page).
    key = "application/vnd.jupyter.widget-state+json"
    saved = nb.metadata.get("widgets", {}).get(key)
    if saved:
        state, keep, todo = saved["state"], set(), list(views)
        while todo:
            model = todo.pop()
            if model in keep or model not in state:
                continue
            keep.add(model)
            todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]))
        saved["state"] = {model: value for model, value in state.items() if model in keep}
        if not keep:
            del nb.metadata["widgets"]
    return nb


def exercises() -> list[Path]:
    return sorted((NOTEBOOKS / "exercises").glob("*.ipynb"))


def title_of(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


# --- what the pages look like ------------------------------------------------------------------

#: Code colours of the JupyterLab light theme that fall below 4.5:1 on the code cells' grey
#: (#f5f5f5), darkened in the same hue to about 5:1. tests/test_text_contrast.py checks every one.
CODE_COLOURS = {
    "keyword": "#007b00",      # was #008000, 4.71:1
    "builtin": "#007b00",      # was #008000, 4.71:1
    "number": "#007b00",       # was #008800, 4.26:1
    "variable-3": "#00794b",   # was #008855, 4.14:1
    "operator": "#9c00fd",     # was #aa22ff, 4.40:1
    "meta": "#9c00fd",         # was #aa22ff, 4.40:1
    "comment": "#397272",      # was #408080, 4.17:1
    "atom": "#4d4dff",         # was #8888ff, 2.75:1
    "bracket": "#6b6b51",      # was #999977, 2.68:1
    "quote": "#007a00",        # was #009900, 3.47:1
    "error": "#d40000",        # was #ff0000, 3.67:1
    "hr": "#696969",           # was #999999, 2.61:1
}
CODE_BACKGROUND = "#f5f5f5"
#: Prompts ("In [3]:"): the theme draws them at half opacity (#b0b0b0, 2.16:1); here they are solid.
PROMPT_COLOURS = {"prompt-not-active": "#616161", "inprompt": "#296ca4", "outprompt": "#a64f35"}
LINK_COLOUR = "#0d47a1"        # the theme's own link blue, 8.6:1 on white; links are underlined too
NOTE_COLOURS = {"text": "#1f1f1f", "background": "#fff4d6", "border": "#9c6c00"}

#: Where the pages send people who want the widgets to move (a section of index.html).
RUN_LIVE = "index.html#run-live"

PAGE_CSS = """
:root {
%(code)s
  --jp-cell-prompt-not-active-font-color: %(prompt-not-active)s;
  --jp-cell-prompt-not-active-opacity: 1;
  --jp-cell-inprompt-font-color: %(inprompt)s;
  --jp-cell-outprompt-font-color: %(outprompt)s;
  --jp-content-link-color: %(link)s;
}
a[href], .jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited, .jp-RenderedText pre a:link {
  color: %(link)s; text-decoration: underline; text-underline-offset: 0.15em; }
a:focus-visible, .jp-OutputArea-output:focus-visible, .jp-Cell-inputWrapper:focus-visible {
  outline: 3px solid %(link)s; outline-offset: 2px; }
.downhill-frozen { margin: 0.6em 0; padding: 0.6em 0.9em; border-left: 6px solid %(border)s;
  background: %(background)s; color: %(text)s; font-size: 15px; line-height: 1.45; max-width: 60em;
  font-family: var(--jp-content-font-family, system-ui, sans-serif); }
.downhill-frozen p { margin: 0.2em 0; }
.downhill-page-note { margin: 1.2em 20px 0.4em 104px; }
"""


def page_css() -> str:
    code = "\n".join(f"  --jp-mirror-editor-{name}-color: {colour};" for name, colour in CODE_COLOURS.items())
    return PAGE_CSS % {"code": code, "link": LINK_COLOUR, **PROMPT_COLOURS, **NOTE_COLOURS}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def has_widgets(nb) -> bool:
    return any(WIDGET_VIEW in output.get("data", {})
               for cell in nb.cells if cell.cell_type == "code" for output in cell.get("outputs", []))


def frozen_note(run_live: str) -> str:
    """The note beside every widget of a static page: it is a picture, and where to make it move."""
    return (f'<div class="downhill-frozen" role="note"><p><strong>Frozen widget.</strong> This is how '
            f'the widget looked when the lesson ran; on this static page no Python runs, so moving the '
            f'slider or pressing a button changes nothing. <a href="{html.escape(run_live)}">Run the '
            f'course live</a> to use it.</p></div>')


def mark_frozen_widgets(nb, run_live: str):
    """A copy of `nb` with the frozen-widget note after every widget output."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    note = nbformat.v4.new_output("display_data", data={"text/html": frozen_note(run_live)})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            outputs.append(output)
            if WIDGET_VIEW in output.get("data", {}):
                outputs.append(copy.deepcopy(note))
        cell.outputs = outputs
    return nb


def page_note(nb, kind: str, run_live: str, source: str) -> str:
    """The note at the top of a page: what is frozen here, or that an exercise needs a live kernel."""
    where = html.escape(source)
    if kind == "exercise":
        text = (f"<strong>An exercise.</strong> Its checks run your answers, so they work only in a live "
                f"notebook: open <code>{where}</code> in JupyterLab (<a href=\"{html.escape(run_live)}\">how "
                f"to run the course live</a>). This page shows the task and the code to complete.")
    elif has_widgets(nb):
        text = (f"<strong>A static copy: the widgets on this page are frozen.</strong> They show the "
                f"state they had when the lesson ran; sliders and buttons do not change the plots here. "
                f"To use them, <a href=\"{html.escape(run_live)}\">run the course live</a> and open "
                f"<code>{where}</code>.")
    else:
        return ""
    return f'<aside class="downhill-frozen downhill-page-note" role="note" aria-label="About this page"><p>{text}</p></aside>'


def render(nb, offline: bool, title: str = "Downhill", prefix: str = "", note: str = "") -> str:
    """The page of `nb`: titled `title`, assets under `prefix` (e.g. "../"), `note` at the top."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.language_code = "en"
    if offline:
        exporter.widget_renderer_url = prefix + WIDGETS_JS
        exporter.require_js_url = prefix + REQUIRE_JS
        exporter.mathjax_url = prefix + MATHJAX_JS
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": f"{title} · Downhill"}})
    # Links between lessons point at notebooks; in the site they point at the pages.
    body = re.sub(r'href="([^":]+?)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)
    body = body.replace("</head>", f'<style id="downhill-static">{page_css()}</style>\n</head>', 1)
    if note:
        body = body.replace("<main>", "<main>\n" + note, 1)
    return body


def index_page(entries: list[tuple[str, str]], exercise_entries: list[tuple[str, str]] = ()) -> str:
    def items(rows):
        return "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                         for href, title in rows)
    exercises_part = (f"""
  <h2>Exercises</h2>
  <p>Each exercise checks your answers the moment you run it, so it needs a live notebook; these
  pages show the tasks.</p>
  <ol>
{items(exercise_entries)}
  </ol>""" if exercise_entries else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Downhill: how a tiny network learns by gradient descent</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
line-height: 1.5; font-size: 1.15rem; color: #1f1f1f; background: #fff }} li {{ margin: .4rem 0 }}
a {{ color: {LINK_COLOUR}; text-decoration: underline }} code {{ font-size: .95em }}
pre {{ background: {CODE_BACKGROUND}; padding: .6rem .8rem; overflow-x: auto; font-size: 1rem }}</style></head>
<body>
<main>
  <h1>Downhill</h1>
  <p>How a tiny neural network learns to flip a 2×2 image by gradient descent. These pages are the
  lessons as they look after running every cell. The widgets on them are frozen: they show their
  state at the end of the run, and moving a slider changes nothing, because no Python runs in a
  static page.</p>
  <h2>Lessons</h2>
  <ol>
{items(entries)}
  </ol>{exercises_part}
  <h2 id="run-live">Run the course live</h2>
  <p>To move the sliders, press the buttons and get your exercises checked, run the notebooks
  themselves. In the course's folder (with Python 3.10 or newer):</p>
  <pre><code>make lab</code></pre>
  <p>sets up a virtual environment and opens JupyterLab on <code>notebooks/00_start_here.ipynb</code>.
  Without <code>make</code>: <code>python -m venv .venv</code>, activate it, <code>pip install -e .</code>,
  then <code>jupyter lab notebooks/00_start_here.ipynb</code>. The README also explains conda, Binder
  and Colab.</p>
</main>
</body>
</html>
"""


def build(notebooks: list[Path], out: Path = SITE, timeout: int = 600,
          exercise_notebooks: list[Path] = ()) -> list[Path]:
    """Execute and render `notebooks` into `out`, render `exercise_notebooks` (not run: their checks
    need a student's answers) into `out`/exercises/, and write index.html; returns the pages."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    offline = install_web_assets(out)
    pages, entries, exercise_entries = [], [], []
    for path in notebooks:
        path = Path(path).resolve()
        print(f"running {_shown(path)} ...", flush=True)
        nb = execute(path, timeout=timeout)
        if "application/vnd.jupyter.widget-state+json" not in nb.metadata.get("widgets", {}):
            print(f"  (no widgets in {path.name})")
        title = title_of(nb, path.stem)
        note = page_note(nb, "lesson", RUN_LIVE, _shown(path))
        page = out / f"{path.stem}.html"
        # The note goes after every widget first; then each explorer becomes its frozen picture.
        frozen = freeze_explorers(mark_frozen_widgets(nb, RUN_LIVE))
        page.write_text(render(frozen, offline, title, note=note), encoding="utf-8")
        pages.append(page)
        entries.append((page.name, title))
    for path in exercise_notebooks:
        import nbformat

        path = Path(path).resolve()
        nb = nbformat.read(path, as_version=4)
        title = title_of(nb, path.stem)
        note = page_note(nb, "exercise", "../" + RUN_LIVE, _shown(path))
        page = out / "exercises" / f"{path.stem}.html"
        page.parent.mkdir(exist_ok=True)
        page.write_text(render(nb, offline, title, prefix="../", note=note), encoding="utf-8")
        pages.append(page)
        exercise_entries.append((f"exercises/{page.name}", title))
    (out / "index.html").write_text(index_page(entries, exercise_entries), encoding="utf-8")
    where = "offline (renderer and MathJax in _static/)" if offline else "online (CDN renderer)"
    print(f"wrote {len(pages)} pages to {out}/ — open {out / 'index.html'}; widgets render {where}")
    return pages


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: every lesson in notebooks/ (and every exercise copy)")
    parser.add_argument("--out", type=Path, default=SITE, help="output folder (default: site/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or lessons()
    if not notebooks:
        parser.error("no lesson notebooks found in notebooks/")
    build(notebooks, args.out, args.timeout, exercise_notebooks=[] if args.notebooks else exercises())
    return 0


if __name__ == "__main__":
    sys.exit(main())
