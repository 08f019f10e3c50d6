"""Clear outputs, execution counts and stray metadata from the course's notebooks, in place.

    python tools/clean_notebooks.py              # every notebook under notebooks/ and instructor/
    python tools/clean_notebooks.py PATH ...     # just these
    python tools/clean_notebooks.py --check      # exit 1 and list the ones that are not clean
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
KEEP_CELL_METADATA = {"nbgrader", "tags", "deletable", "editable"}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python"}


def cleaned(nb: dict) -> dict:
    """The notebook without outputs, counts, widget state or editor metadata."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"] = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}
    for cell in nb["cells"]:
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA}
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    return nb


def dump(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def notebooks(paths: list[str]) -> list[Path]:
    if paths:
        return [Path(p) for p in paths]
    found = []
    for folder in ("notebooks", "instructor"):
        found += [p for p in (ROOT / folder).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sorted(found)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    dirty = []
    for path in notebooks([a for a in argv if a != "--check"]):
        text = path.read_text(encoding="utf-8")
        clean = dump(cleaned(json.loads(text)))
        if clean != text:
            dirty.append(path)
            if not check:
                path.write_text(clean, encoding="utf-8")
    for path in dirty:
        print(("not clean: " if check else "cleaned: ") + str(path.relative_to(ROOT) if path.is_absolute() else path))
    return 1 if (check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
