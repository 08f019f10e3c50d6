"""Execute every lesson and render it to HTML with its widgets' state embedded, for reading offline.

    python tools/build_html.py                      # every lesson -> site/ (open site/index.html)
    python tools/build_html.py notebooks/04_learning_rate.ipynb --out /tmp/site

Each lesson runs top to bottom in a fresh kernel (nbclient stores the widgets' state in the
notebook), then nbconvert's "lab" template renders it. In the page, the standard widget renderer
(@jupyter-widgets/html-manager) rebuilds every slider, button and plot from that saved state: the
widgets show exactly what they showed at the end of the run (moving them changes nothing: no
Python runs in a static page).

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


def title_of(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return re.sub(r"[*_`]", "", match.group(1)).strip()
    return fallback


def render(nb, offline: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    if offline:
        exporter.widget_renderer_url = WIDGETS_JS
        exporter.require_js_url = REQUIRE_JS
        exporter.mathjax_url = MATHJAX_JS
    body, _ = exporter.from_notebook_node(nb)
    # Links between lessons point at notebooks; in the site they point at the pages.
    return re.sub(r'href="([^":]+?)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)


def index_page(entries: list[tuple[str, str]]) -> str:
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                      for href, title in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Downhill: how a tiny network learns by gradient descent</title>
<style>body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem;
line-height: 1.5; font-size: 1.15rem }} li {{ margin: .4rem 0 }}</style></head>
<body>
  <h1>Downhill</h1>
  <p>How a tiny neural network learns to flip a 2×2 image by gradient descent. These pages are the
  lessons as they look after running every cell; the widgets show their starting state. To move
  the sliders and press the buttons, open the notebooks in JupyterLab (see the README).</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""


def build(notebooks: list[Path], out: Path = SITE, timeout: int = 600) -> list[Path]:
    """Execute and render `notebooks` into `out` (with index.html); returns the pages written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    offline = install_web_assets(out)
    pages, entries = [], []
    for path in notebooks:
        path = Path(path).resolve()
        print(f"running {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ...", flush=True)
        nb = execute(path, timeout=timeout)
        if "application/vnd.jupyter.widget-state+json" not in nb.metadata.get("widgets", {}):
            print(f"  (no widgets in {path.name})")
        freeze_explorers(nb)
        page = out / f"{path.stem}.html"
        page.write_text(render(nb, offline), encoding="utf-8")
        pages.append(page)
        entries.append((page.name, title_of(nb, path.stem)))
    (out / "index.html").write_text(index_page(entries), encoding="utf-8")
    where = "offline (renderer and MathJax in _static/)" if offline else "online (CDN renderer)"
    print(f"wrote {len(pages)} pages to {out}/ — open {out / 'index.html'}; widgets render {where}")
    return pages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson in notebooks/")
    parser.add_argument("--out", type=Path, default=SITE, help="output folder (default: site/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or lessons()
    if not notebooks:
        parser.error("no lesson notebooks found in notebooks/")
    build(notebooks, args.out, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
