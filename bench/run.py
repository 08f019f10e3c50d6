"""Every speed benchmark of the course in one run: `make bench` (browser latency: `make bench-browser`)."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in ("core.py", "figures.py", "notebooks.py"):
    path = HERE / script
    print(f"\n=== bench/{script} ===", flush=True)
    if path.exists():
        sys.argv = [str(path)]
        try:
            runpy.run_path(str(path), run_name="__main__")
        except SystemExit as done:
            if done.code not in (0, None):
                raise
