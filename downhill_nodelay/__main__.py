"""python -m downhill_nodelay [--prefix PREFIX]: turn the extension on in an environment.

An editable install (`pip install -e .`) cannot place the config file a wheel installs; this
copies it (`downhill_nodelay.enable`). Run it again any time: it writes the same file.
"""

import argparse
import sys

from . import enable

parser = argparse.ArgumentParser(prog="python -m downhill_nodelay", description=__doc__.split("\n\n")[0])
parser.add_argument("--prefix", default=sys.prefix, help="the environment (default: this Python's, %(default)s)")
args = parser.parse_args()
print(f"downhill_nodelay: on for Jupyter servers of {args.prefix} ({enable(args.prefix)})")
