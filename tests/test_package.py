"""helpers is a real package: a built wheel (not the editable checkout) carries the Chapter-7
weights and works from any working directory."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_wheel_install_carries_the_data_and_imports_from_anywhere(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("downhill_helpers-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "helpers/datafiles/chapter7_params.json" in names
    assert "helpers/network.py" in names
    # the controls' front end: read from the package at import, so the wheel must carry it
    assert {"helpers/static/controls.js", "helpers/static/controls.css"} <= set(names)

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import json, helpers as h; x, y = h.example(); p = h.load_params(); "
            "print(json.dumps([h.__file__, h.loss(p, x, y), h.count_params(p)]))")
    out = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                         cwd=elsewhere, check=True, capture_output=True, text=True).stdout
    where, loss, count = json.loads(out)
    assert Path(where).is_relative_to(site)
    assert round(loss, 3) == 0.896 and count == 31
