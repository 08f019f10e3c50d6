"""instructor/k8s/config.yaml (Zero to JupyterHub) parses, its per-student guarantees come from
the figures measured on one server and written in instructor/README.md ("How big a server"), the
students' image installs what the config's Python imports, and the pieces of the ngshare exchange
point at each other."""

from __future__ import annotations

import ast
import re
import sys
import urllib.parse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "instructor" / "k8s" / "config.yaml"
README = ROOT / "instructor" / "README.md"
BINDER = ROOT / ".binder" / "environment.yml"
#: The recipe's extra packages: --appendix 'RUN pip install [--options] <packages>'.
APPENDIX = re.compile(r"--appendix\s+'RUN pip install((?:\s+-\S+)*)\s+([^']+)'")
#: Modules whose distribution has another name.
DISTRIBUTION = {"helpers": "downhill-helpers", "yaml": "pyyaml"}
#: What the hub's own image (quay.io/jupyterhub/k8s-hub) brings for hub.extraConfig.
HUB_IMAGE = {"jupyterhub", "kubespawner", "z2jh", "tornado", "traitlets"}


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


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def recipe(text: str) -> list[str]:
    """The packages the repo2docker --appendix adds to the students' image (one recipe per file)."""
    found = {tuple(m.group(2).split()) for m in APPENDIX.finditer(text)}
    assert len(found) == 1, f"expected one repo2docker --appendix recipe, found {found}"
    return list(found.pop())


def imported_modules(code: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def python_snippets(section: dict) -> dict[str, str]:
    """The Python files of a chart section's extraFiles, and its extraConfig snippets."""
    snippets = {name: spec["stringData"] for name, spec in section.get("extraFiles", {}).items()
                if spec["mountPath"].endswith(".py")}
    return {**snippets, **section.get("extraConfig", {})}


def test_the_students_image_installs_every_module_the_config_imports():
    text, config = CONFIG.read_text(), yaml.safe_load(CONFIG.read_text())
    extras = recipe(text)
    assert extras == recipe(README.read_text()), "instructor/README.md gives another recipe than config.yaml"
    binder = yaml.safe_load(BINDER.read_text())["dependencies"]
    installed = {normalise(re.split(r"[<>=! ]", d)[0]) for d in [*extras, *(d for d in binder if isinstance(d, str))]}
    installed.add("downhill-helpers")                                # .binder/postBuild installs the course
    snippets = python_snippets(config["singleuser"])
    assert snippets, "the students' nbgrader configuration is a Python file in singleuser.extraFiles"
    for name, code in snippets.items():
        for module in imported_modules(code) - set(sys.stdlib_module_names):
            assert normalise(DISTRIBUTION.get(module, module)) in installed, (
                f"singleuser.extraFiles.{name} imports {module}, which the image does not install: "
                f"add it to the repo2docker --appendix in config.yaml and instructor/README.md")
    for name, code in python_snippets(config["hub"]).items():
        assert imported_modules(code) - set(sys.stdlib_module_names) <= HUB_IMAGE, (name, imported_modules(code))


def test_the_exchange_the_hub_and_ngshare_point_at_each_other():
    config = yaml.safe_load(CONFIG.read_text())
    nbgrader = config["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    exchange_url = re.search(r'configureExchange\(c, "([^"]+)"\)', nbgrader).group(1)
    service = config["hub"]["services"]["ngshare"]
    # The chart reads a service's token from apiToken only (an api_token would be replaced).
    assert "apiToken" in service and "api_token" not in service, f"hub.services.ngshare: {sorted(service)}"
    assert exchange_url == service["url"] + "/services/ngshare", (exchange_url, service["url"])
    port = urllib.parse.urlsplit(exchange_url).port
    egress = config["singleuser"]["networkPolicy"]["egress"]
    assert any(rule["to"][0]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "ngshare"}
               and rule["ports"][0]["port"] == port for rule in egress), "students' pods may not reach ngshare"
    ingress = config["hub"]["networkPolicy"]["ingress"]
    assert any(rule["from"][0]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": "ngshare"}
               for rule in ingress), "ngshare may not reach the hub's API"
    # nbgrader sends the student's server token: both it and its owner need the service's scope.
    for role in ("user", "server"):
        assert "access:services!service=ngshare" in config["hub"]["loadRoles"][role]["scopes"], role
    assert "self" in config["hub"]["loadRoles"]["user"]["scopes"], "the user role keeps its own rights"


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


def test_students_are_allowed_to_log_in():
    """JupyterHub 5 and later let in only the admins unless `allowed_users` or `allow_all` says who
    else may log in (jupyterhub.auth.Authenticator.allow_all defaults to False)."""
    auth = yaml.safe_load(CONFIG.read_text())["hub"]["config"]["Authenticator"]
    assert auth.get("allow_all") is True or auth.get("allowed_users"), auth
    assert "allowed_users" in README.read_text()
