"""instructor/k8s/config.yaml (Zero to JupyterHub) parses, and its per-student guarantees come from
the figures measured on one server and written in instructor/README.md ("How big a server")."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "instructor" / "k8s" / "config.yaml"
README = ROOT / "instructor" / "README.md"


def measured() -> dict:
    """The largest class in the README's measured table: N, MB per student, CPU (% of the machine)."""
    section = README.read_text().split("## How big a server", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[0].isdigit():
            rows.append(cells)
    assert rows, "the measured table is missing from instructor/README.md"
    header = next(line for line in section.splitlines() if line.startswith("| Students"))
    names = [c.strip() for c in header.strip().strip("|").split("|")]
    top = max(rows, key=lambda r: int(r[0]))
    row = dict(zip(names, top))
    cores = int(re.search(r"(\d+) cores", section).group(1))
    return {"n": int(top[0]), "mb": float(row["memory per student (MB)"]),
            "cpu_cores": float(row["CPU (all cores)"].rstrip(" %")) / 100 * cores}


def megabytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMG]i?)", quantity).groups()
    scale = {"K": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}[unit]
    return float(number) * scale / 1e6


def test_the_config_parses_and_names_the_students_image():
    config = yaml.safe_load(CONFIG.read_text())
    single = config["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    assert single["cmd"] == "jupyterhub-singleuser"
    assert "repo2docker" in CONFIG.read_text() and (ROOT / ".binder" / "environment.yml").exists()
    nbgrader = single["extraFiles"]["nbgrader-config"]["stringData"]
    assert 'course_id = "downhill"' in nbgrader


def test_the_guarantees_are_the_measured_figures():
    config = yaml.safe_load(CONFIG.read_text())
    figures = measured()
    guarantee = megabytes(config["singleuser"]["memory"]["guarantee"])
    assert figures["mb"] <= guarantee <= figures["mb"] + 100, (
        f"memory guarantee {guarantee:.0f} MB should be the measured {figures['mb']:.0f} MB per student, rounded up")
    assert megabytes(config["singleuser"]["memory"]["limit"]) >= 2 * figures["mb"]
    per_student = figures["cpu_cores"] / figures["n"]
    cpu = float(config["singleuser"]["cpu"]["guarantee"])
    assert per_student <= cpu <= per_student + 0.1, (
        f"CPU guarantee {cpu} should be the measured {per_student:.3f} cores per student, rounded up")
    assert float(config["singleuser"]["cpu"]["limit"]) == 1.0, "one busy loop takes at most one core"


def test_the_readme_gives_the_same_link_and_figures_as_the_config():
    text = README.read_text()
    config = yaml.safe_load(CONFIG.read_text())
    assert config["singleuser"]["memory"]["guarantee"] in text
    assert "/hub/user-redirect/git-pull?repo=" in text and "/hub/user-redirect/git-pull?repo=" in CONFIG.read_text()
