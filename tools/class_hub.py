"""A class on one JupyterHub, on this machine: real JupyterHub, configurable-http-proxy, accounts,
nbgrader's exchange and an nbgitpuller link, all on 127.0.0.1.

    python tools/class_hub.py                  # `make hub`: a hub with 3 students, until Ctrl-C
    python tools/class_hub.py --students 5

Shared by the hub tests (tests/hub/) and the load benchmark (bench/hub_load.py):

    with Hub(students=3) as hub:
        hub.start_server("dh-s01")
        with hub.kernel("dh-s01") as kernel:          # a kernel websocket through the proxy
            kernel.execute("1 + 1")

What it builds (and removes again on stop):

* the single-user environment, once, where every account can run it: ``/opt/downhill-hub/env``
  as root (``.venv-hub/`` in the repository otherwise), with the course installed (not editable:
  the students' servers never read this checkout, which holds the solutions) and JupyterHub,
  nbgitpuller and nbgrader (the students' Assignments tab). The proxy comes from npm into
  ``instructor/hub/node_modules``.
* a hub folder: the hub's database and cookie secret, ``home/<student>`` folders, nbgrader's
  exchange (``exchange/``, world-writable with the sticky bit, as nbgrader asks; a submission is
  closed to everyone but its maker and the instructor, see ``PRIVATE_SUBMIT``), the
  instructor's nbgrader course directory (``instructor/``, a copy of this repository's
  ``instructor/``, mode 0700), a git repository of the students' copy of the course
  (``course.git``, this checkout without ``instructor/``) for the nbgitpuller link, and the
  settings every server reads (``etc/jupyter``).
* as root, one Unix account per student (``useradd``, comment "downhill hub test"), so file
  permissions separate the students; without root, the SimpleLocalProcessSpawner and home
  folders only. Accounts are deleted with their homes when the hub stops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from lab_browser import free_port  # noqa: E402
import envs  # noqa: E402

CONFIG = ROOT / "instructor" / "hub" / "jupyterhub_config.py"
PROXY = ROOT / "instructor" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ENV = Path(os.environ.get("DOWNHILL_HUB_ENV") or ("/opt/downhill-hub/env" if IS_ROOT else ROOT / ".venv-hub"))
ACCOUNT_COMMENT = "downhill hub test"
COURSE_ID = "downhill"


# --- what is needed, and building it -------------------------------------------------------------

def hub_unavailable(unix_users: bool = True) -> str | None:
    """Why a hub with Unix accounts cannot run here, or None when it can."""
    if unix_users and not IS_ROOT:
        return ("The hub tests make a Unix account per student (useradd), so they need root: run "
                "them as root (CI does), or try the hub without accounts with `make hub`.")
    for tool in (["useradd", "userdel", "runuser"] if unix_users else []) + ["git", "node"]:
        if shutil.which(tool) is None:
            return f"`{tool}` is not installed (Debian: apt-get install {'nodejs' if tool == 'node' else 'passwd git'})."
    if not PROXY.exists() and shutil.which("npm") is None:
        return "configurable-http-proxy comes from npm, which is not installed (apt-get install npm)."
    if unix_users and world_python() is None:
        return ("No Python ≥ 3.10 that every account may run: this one lives in a folder other users "
                "cannot enter. Install Debian's python3 and python3-venv.")
    return None


def _world_reachable(path: Path) -> bool:
    """Can an account other than the owner open `path` (every folder above it searchable)?"""
    path = Path(os.path.realpath(path))
    for folder in [*reversed(path.parents)]:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def world_python() -> str | None:
    """A Python ≥ 3.10 with venv that any account can run: this one if it can, else Debian's."""
    for candidate in (os.path.join(sys.base_prefix, "bin", "python3"), "/usr/bin/python3"):
        if not os.path.exists(candidate) or not _world_reachable(Path(candidate)):
            continue
        probe = subprocess.run([candidate, "-c", "import sys, venv, ensurepip; print(sys.version_info >= (3, 10))"],
                               capture_output=True, text=True)
        if probe.stdout.strip() == "True":
            return candidate
    return None


def _course_fingerprint() -> str:
    """Changes when the course's package (pyproject, helpers with its controls' JS and CSS,
    downhill_nodelay, data) changes: time to reinstall."""
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *(ROOT / "data").glob("*.json"),
             *(path for package in ("helpers", "downhill_nodelay") for path in (ROOT / package).rglob("*")
               if path.suffix in {".py", ".js", ".css", ".json"} and "__pycache__" not in path.parts)]
    for path in sorted(files):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(command, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def ensure_environment(log=print) -> Path:
    """Build (first time) or refresh (course changed) the single-user environment; returns its bin/."""
    bin_ = ENV / "bin"
    stamp = ENV / ".downhill-course"
    fingerprint = _course_fingerprint()
    if not (bin_ / "jupyterhub-singleuser").exists():
        python = world_python() if IS_ROOT else sys.executable
        if python is None:
            raise RuntimeError(hub_unavailable())
        log(f"building the hub's single-user environment in {ENV} (once: seconds with uv, a few minutes with pip)")
        ENV.parent.mkdir(parents=True, exist_ok=True)
        envs.make_venv(python, ENV)
        envs.install(ENV, f"{ROOT}[hub]")
        stamp.write_text(fingerprint)
    elif not stamp.exists() or stamp.read_text() != fingerprint:
        log(f"reinstalling the course into {ENV}")
        envs.install(ENV, ROOT, no_deps=True, force=True)
        envs.install(ENV, f"{ROOT}[hub]")                       # and any new dependencies
        stamp.write_text(fingerprint)
    if not PROXY.exists():
        log("installing configurable-http-proxy from npm into instructor/hub/node_modules")
        _run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", ROOT / "instructor" / "hub"])
    return bin_


#: Added to every account's nbgrader settings. nbgrader's submit leaves a submission's folder open
#: to all (mode 777, files 644) and counts on its random name alone to keep other students out:
#: one who learns the name can read, delete or replace the work. The folder takes the group of
#: inbound/ (the instructor's, since nbgrader makes inbound set-group-ID), so closing it to
#: everyone else (770) keeps it open to the instructor's collect and shut to other students.
PRIVATE_SUBMIT = '''
import os
from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):
    def copy_files(self):
        super().copy_files()
        folder = os.path.join(self.inbound_path, self.assignment_filename)
        if os.stat(folder).st_gid not in {os.getegid(), *os.getgroups()}:   # the instructor's group
            os.chmod(folder, 0o770)


c.ExchangeFactory.submit = PrivateSubmit
'''


# --- accounts ------------------------------------------------------------------------------------

def remove_leftover_accounts() -> None:
    """Delete accounts an interrupted run left behind (recognised by their comment)."""
    for entry in pwd.getpwall():
        if entry.pw_gecos == ACCOUNT_COMMENT:
            delete_account(entry.pw_name)


def delete_account(name: str) -> None:
    """End the account's processes, then `userdel -r` it (home folder included)."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for _ in range(20):
        pids = [p for p in _pids_of_uid(uid)]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    subprocess.run(["userdel", "-r", name], capture_output=True)
    subprocess.run(["userdel", name], capture_output=True)


def _pids_of_uid(uid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    pids.append(int(entry))
    return pids


def processes_of(name: str) -> list[dict]:
    """pid, command line, PSS and RSS (bytes) and CPU seconds of every process of account `name`."""
    uid = pwd.getpwnam(name).pw_uid
    ticks = os.sysconf("SC_CLK_TCK")
    found = []
    for pid in _pids_of_uid(uid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = {}
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
                key, value = line.split(":", 1)
                fields[key] = int(value.split()[0]) * 1024
            stat_fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(stat_fields[11]) + int(stat_fields[12])) / ticks
        except (OSError, ValueError, IndexError):
            continue
        found.append({"pid": pid, "cmdline": cmdline, "pss": fields.get("Pss", 0), "rss": fields.get("Rss", 0),
                      "cpu": cpu})
    return found


# --- the hub -------------------------------------------------------------------------------------

def _call(url: str, method: str, body, token: str, timeout: float) -> tuple[bytes, str]:
    """One authorised JSON request: (the response's bytes, its content type)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(), response.headers.get_content_type()


class Hub:
    """A JupyterHub with its proxy, accounts, exchange and course repository, in a fresh folder.

    students: how many (named dh-s01, dh-s02, …) or their names. unix_users: real accounts
    (default: when root). cpu_limit / mem_limit: the spawner's per-student limits (passed on).
    """

    def __init__(self, students=3, unix_users: bool | None = None, cpu_limit: float | None = None,
                 mem_limit: str | None = None, log=print):
        names = [f"dh-s{i:02d}" for i in range(1, students + 1)] if isinstance(students, int) else list(students)
        self.students = names
        #: The instructor's account: not a hub user here, it runs nbgrader in its own home.
        self.instructor = "dh-teacher"
        self.unix_users = IS_ROOT if unix_users is None else unix_users
        # `log` prints progress; `self.log(name)` reads a log file (the callback must not shadow it)
        self.cpu_limit, self.mem_limit, self.say = cpu_limit, mem_limit, log
        self.password = secrets.token_urlsafe(12)       # printed by `make hub`
        self.api_token = secrets.token_hex(24)
        self.proxy_token = secrets.token_hex(24)
        self.port, self.hub_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.root: Path | None = None
        self.hub_process: subprocess.Popen | None = None
        self.proxy_process: subprocess.Popen | None = None
        self.tokens: dict[str, str] = {}

    # -- places ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def home(self, name: str) -> Path:
        return self.root / "home" / name

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def course_dir(self) -> Path:
        """The instructor's nbgrader course directory (sources with solutions), in their private home."""
        return self.home(self.instructor) / COURSE_ID

    @property
    def course_repo(self) -> Path:
        """The git repository the nbgitpuller link pulls from (the students' copy of the course)."""
        return self.root / "course.git"

    def pull_link(self, urlpath: str = "lab/tree/downhill/notebooks/00_start_here.ipynb",
                  user: str | None = None) -> str:
        """The nbgitpuller link an instructor hands out (through /hub/user-redirect/), or the
        user's own /user/<name>/git-pull/api address that the link's page streams from."""
        query = urllib.parse.urlencode({"repo": str(self.course_repo), "branch": "main",
                                        "targetpath": "downhill", "urlpath": urlpath})
        if user is None:
            return f"{self.url}/hub/user-redirect/git-pull?{query}"
        return f"{self.url}/user/{user}/git-pull/api?{query}"

    # -- starting and stopping ---------------------------------------------------------------------
    def start(self) -> "Hub":
        bin_ = ensure_environment(self.say)
        if self.unix_users:
            remove_leftover_accounts()
        self.root = Path(tempfile.mkdtemp(prefix="downhill-hub-"))
        self.root.chmod(0o711)                                 # accounts may pass, not list
        try:
            self._lay_out(bin_)
            self._start_proxy()
            self.start_hub()
        except BaseException:
            self.stop()
            raise
        return self

    def _lay_out(self, bin_: Path) -> None:
        (self.root / "home").mkdir(mode=0o711)
        self.exchange.mkdir()
        self.exchange.chmod(0o1777)                            # nbgrader: writable by all, sticky
        config = self.root / "etc" / "jupyter"
        config.mkdir(parents=True)
        for folder in (self.root / "etc", config):
            folder.chmod(0o755)
        # Every account's nbgrader finds the exchange and the course here, and hands work in privately.
        (config / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(self.exchange)!r}\n" + PRIVATE_SUBMIT)
        # Students' servers: no news, no update checks; none of nbgrader's instructor extensions
        # (the formgrader, the course list) and no language server, which cost memory per student.
        (config / "jupyter_server_config.json").write_text(json.dumps({
            "LabApp": {"expose_app_in_browser": True, "news_url": None,
                       "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
            "ServerApp": {"open_browser": False, "jpserver_extensions": {
                "nbgrader.server_extensions.formgrader": False,
                "nbgrader.server_extensions.course_list": False,
                "jupyter_lsp": False}}}))
        labconfig = config / "labconfig"
        labconfig.mkdir()
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Git refuses a repository another account owns ("dubious ownership"): the students' git
        # trusts course.git through this file. (A real course pulls over https from GitHub or GitLab.)
        (self.root / "etc" / "gitconfig").write_text(f"[safe]\n\tdirectory = {self.course_repo}\n")
        for path in (self.root / "etc").rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)

        self.make_course_repo()
        for name in [self.instructor, *self.students]:
            home = self.home(name)
            if self.unix_users:
                _run(["useradd", "--create-home", "--home-dir", home, "--comment", ACCOUNT_COMMENT,
                      "--shell", "/bin/bash", "--user-group", name])
            else:
                home.mkdir()
            home.chmod(0o700)
        if self.unix_users:
            # The course's folder in the exchange, as the instructor's first release_assignment would
            # make it (nbgrader keeps folders that exist and are the instructor's), except that
            # inbound/ gets the sticky bit: nobody but its maker may rename or remove a submission
            # there. Students still cannot list it (0733) and their folders take its group (set-GID).
            course = self.exchange / COURSE_ID
            for folder, mode in ((course, 0o755), (course / "inbound", 0o3733)):
                folder.mkdir()
                shutil.chown(folder, self.instructor, self.instructor)
                folder.chmod(mode)
        # The instructor's nbgrader course directory, in their private home.
        shutil.copytree(ROOT / "instructor", self.course_dir, ignore=shutil.ignore_patterns(
            "release", "submitted", "autograded", "feedback", "solution", "gradebook.db", ".nbgrader.log",
            ".ipynb_checkpoints", "k8s", "hub"))
        if self.unix_users:
            _run(["chown", "-R", f"{self.instructor}:{self.instructor}", self.course_dir])

        settings = {
            "root": str(self.root), "port": self.port, "hub_port": self.hub_port,
            "proxy_api_port": self.proxy_api_port, "password": self.password, "api_token": self.api_token,
            "students": self.students, "unix_users": self.unix_users,
            "home_template": str(self.root / "home" / "{username}"),
            "singleuser": str(bin_ / "jupyterhub-singleuser"), "jupyter_config": str(config),
            "git_config": str(self.root / "etc" / "gitconfig"),
            "path": f"{bin_}:/usr/local/bin:/usr/bin:/bin",
            "cpu_limit": self.cpu_limit, "mem_limit": self.mem_limit}
        self.settings_path = self.root / "hub-settings.json"
        self.settings_path.write_text(json.dumps(settings, indent=1))
        self.settings_path.chmod(0o600)

    def make_course_repo(self) -> None:
        """course.git: this checkout's committed course, without instructor/ (the solutions)."""
        work = self.root / "course-work"
        work.mkdir()
        archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", work], input=archive, check=True)
        shutil.rmtree(work / "instructor", ignore_errors=True)
        git = ["git", "-C", work, "-c", "user.name=Instructor", "-c", "user.email=instructor@example.invalid"]
        _run(["git", "init", "--quiet", "--initial-branch=main", work])
        _run(git + ["add", "--all"])
        _run(git + ["commit", "--quiet", "-m", "The course"])
        _run(["git", "clone", "--quiet", "--bare", work, self.course_repo])
        for path in [self.course_repo, *self.course_repo.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    def instructor_commits(self, relative: str, change) -> None:
        """The instructor changes a file of the course (`change(text) -> text`) and pushes it."""
        work = self.root / "course-work"
        path = work / relative
        path.write_text(change(path.read_text()))
        git = ["git", "-C", work, "-c", "user.name=Instructor", "-c", "user.email=instructor@example.invalid"]
        _run(git + ["commit", "--quiet", "-am", f"Change {relative}"])
        _run(git + ["push", "--quiet", str(self.course_repo), "main"])
        for path in [self.course_repo, *self.course_repo.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    def _spawn(self, command, env, log_name) -> subprocess.Popen:
        log = open(self.root / log_name, "ab")
        try:
            return subprocess.Popen([str(c) for c in command], cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()

    def _start_proxy(self) -> None:
        env = {**os.environ, "CONFIGPROXY_AUTH_TOKEN": self.proxy_token}
        self.proxy_process = self._spawn(
            [PROXY, "--ip", "127.0.0.1", "--port", self.port, "--api-ip", "127.0.0.1",
             "--api-port", self.proxy_api_port, "--default-target", f"http://127.0.0.1:{self.hub_port}",
             "--error-target", f"http://127.0.0.1:{self.hub_port}/hub/error"], env, "proxy.log")

    def start_hub(self, timeout: float = 120) -> None:
        """Start the hub process (again, after stop_hub) and wait until its API answers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV", "PYTHONPATH"))}
        env.update(DOWNHILL_HUB_SETTINGS=str(self.settings_path), CONFIGPROXY_AUTH_TOKEN=self.proxy_token,
                   PATH=f"{ENV / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}")
        self.hub_process = self._spawn([ENV / "bin" / "jupyterhub", "-f", CONFIG], env, "hub.log")
        deadline = time.monotonic() + timeout
        while True:
            if self.hub_process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.hub_process.returncode}:\n{self.log('hub.log')}")
            with contextlib.suppress(OSError, ValueError):
                if self.api("GET", "info", timeout=2):
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyterhub did not answer within {timeout:.0f} s:\n{self.log('hub.log')}")
            time.sleep(0.3)

    def stop_hub(self) -> None:
        """Stop the hub process only (SIGTERM): the proxy and the students' servers keep running."""
        process, self.hub_process = self.hub_process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop(self) -> None:
        """Stop every student's server, the hub and the proxy; delete the accounts and the folder.

        With accounts, ending each account's processes stops its server and kernels at once (the
        hub's API would stop them one by one, slowly); without, the hub stops them."""
        if not self.unix_users and self.hub_process is not None and self.hub_process.poll() is None:
            for name in self.students:
                with contextlib.suppress(Exception):
                    self.api("DELETE", f"users/{name}/server", timeout=30)
        self.stop_hub()
        for process in (self.proxy_process,):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
        self.proxy_process = None
        if self.unix_users:
            for name in [*self.students, self.instructor]:
                delete_account(name)
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self, name: str = "hub.log", tail: int = 6000) -> str:
        path = self.root / name if self.root else None
        return path.read_text(errors="replace")[-tail:] if path and path.exists() else ""

    # -- the hub's REST API ------------------------------------------------------------------------
    def api(self, method: str, path: str, body=None, timeout: float = 10, token: str | None = None):
        """Call the hub's REST API (/hub/api/<path>) as the instructor's service (or with `token`)."""
        text, _ = _call(f"{self.url}/hub/api/{path.lstrip('/')}", method, body, token or self.api_token, timeout)
        return json.loads(text) if text else {}

    def token(self, name: str) -> str:
        """An API token of student `name` (what their browser's login amounts to)."""
        if name not in self.tokens:
            self.tokens[name] = self.api("POST", f"users/{name}/tokens", {"note": "downhill test"})["token"]
        return self.tokens[name]

    def start_server(self, name: str, timeout: float = 180) -> None:
        """Start student `name`'s server through the hub and wait until it answers via the proxy."""
        with contextlib.suppress(urllib.error.HTTPError):   # 400 when it is already running
            self.api("POST", f"users/{name}/server", timeout=timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.api("GET", f"users/{name}").get("servers", {}).get("", {})
            if server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{name}'s server did not start within {timeout:.0f} s:\n{self.log('hub.log')}")
        self.user_api(name, "GET", "api/status")

    def start_servers(self, names, timeout: float = 300) -> None:
        """Ask the hub for several servers at once, then wait for all of them."""
        for name in names:
            with contextlib.suppress(urllib.error.HTTPError):
                self.api("POST", f"users/{name}/server", timeout=60)
        for name in names:
            self.start_server(name, timeout)

    def user_api(self, name: str, method: str, path: str, body=None, timeout: float = 30):
        """Call student `name`'s own Jupyter server (/user/<name>/<path>) through the proxy."""
        text, kind = _call(f"{self.url}/user/{name}/{path.lstrip('/')}", method, body, self.token(name), timeout)
        return json.loads(text) if text and kind == "application/json" else text

    def git_pull(self, name: str, urlpath: str = "lab/tree/downhill/notebooks/00_start_here.ipynb") -> list[dict]:
        """What clicking the nbgitpuller link does in the student's server: its event stream."""
        request = urllib.request.Request(self.pull_link(urlpath, user=name),
                                         headers={"Authorization": f"token {self.token(name)}"})
        with urllib.request.urlopen(request, timeout=180) as response:
            events = [json.loads(line[5:]) for line in response.read().decode().splitlines()
                      if line.startswith("data:")]
        if not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller did not finish for {name}: {events[-3:]}")
        return events

    # -- acting as an account ------------------------------------------------------------------------
    def run_as(self, name: str, command, cwd=None, check: bool = True, timeout: float = 300,
               input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `command` as account `name` (their uid, home, the hub's Jupyter settings; plus `env`)."""
        env = {"HOME": str(self.home(name)), "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
               "PATH": f"{ENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
               "JUPYTER_CONFIG_PATH": str(self.root / "etc" / "jupyter"),
               "GIT_CONFIG_GLOBAL": str(self.root / "etc" / "gitconfig"), **(env or {})}
        kwargs = {}
        if self.unix_users:
            account = pwd.getpwnam(name)
            kwargs = dict(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
        result = subprocess.run([str(c) for c in command], cwd=cwd or self.home(name), env=env, capture_output=True,
                                text=True, timeout=timeout, input=input, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"as {name}: {' '.join(map(str, command))} failed ({result.returncode}):\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def python_as(self, name: str, code: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run Python `code` as account `name` with the single-user environment's Python."""
        return self.run_as(name, [ENV / "bin" / "python", "-c", code], check=check)

    def nbgrader(self, name: str, *args, check: bool = True, env: dict | None = None, timeout: float = 600):
        """`nbgrader <args>` as account `name`: the instructor's in the course directory, a student's at home."""
        cwd = self.course_dir if name == self.instructor else self.home(name)
        return self.run_as(name, [ENV / "bin" / "nbgrader", *args], cwd=cwd, check=check, env=env, timeout=timeout)

    # -- kernels -----------------------------------------------------------------------------------
    def new_kernel(self, name: str, path: str = "downhill/notebooks/04_learning_rate.ipynb") -> str:
        """Open a notebook session (as the browser does) in `name`'s server; returns the kernel id."""
        session = self.user_api(name, "POST", "api/sessions", {
            "path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}})
        return session["kernel"]["id"]

    def kernel(self, name: str, kernel_id: str | None = None, **kwargs) -> "KernelClient":
        """A KernelClient for `name`'s kernel (a new session if no id), ready to `connect()`."""
        kernel_id = kernel_id or self.new_kernel(name, **kwargs)
        ws = self.url.replace("http://", "ws://") + f"/user/{name}/api/kernels/{kernel_id}/channels"
        return KernelClient(ws, self.token(name), kernel_id)


# --- the kernel's websocket, as JupyterLab speaks it -----------------------------------------------
#
# JupyterLab asks for the subprotocol "v1.kernel.websocket.jupyter.org"; jupyter_server (2.x) then
# passes the kernel's ZMQ frames through as they are (connection/channels.py: serialize_msg_to_ws_v1,
# deserialize_msg_from_ws_v1, session.send_raw): it signs what goes to the kernel but decodes and
# re-encodes nothing. A client that asks for no subprotocol gets the legacy one, where the server
# checks, JSON-decodes and re-encodes every message the kernel sends (and copies its buffers),
# which costs the server more than a real page does.
#
# v1 framing, both ways (little-endian 64-bit integers):
#   n, offsets[0..n-1], channel, header, parent_header, metadata, content, buffer 1, buffer 2, ...
# with n = 6 + number of buffers, offsets[0] = 8 * (n + 1), each part from its offset to the next
# (the last to the end of the frame); the four message parts are JSON.

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def encode_v1(msg: dict) -> bytes:
    """A message as JupyterLab sends it over the v1 protocol (its serializeV1KernelWebsocketJupyterOrg)."""
    parts = [msg["channel"].encode(), *(json.dumps(msg[key] if msg.get(key) is not None else {}).encode()
                                        for key in ("header", "parent_header", "metadata", "content")),
             *(bytes(b) for b in msg.get("buffers", []))]
    offsets = [8 * (len(parts) + 2)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets)
    return b"".join([head, *parts])


def decode_v1(frame: bytes) -> dict:
    """A v1 frame from jupyter_server: channel, the four JSON parts, then the binary buffers."""
    count = struct.unpack_from("<Q", frame)[0]
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)            # the last one is the frame's end
    parts = [frame[offsets[i]:offsets[i + 1]] for i in range(count - 1)]
    msg = {"channel": parts[0].decode()}
    for key, part in zip(("header", "parent_header", "metadata", "content"), parts[1:5]):
        msg[key] = json.loads(part) if part else {}
    msg["buffers"] = parts[5:]
    return msg


def _decode(frame) -> dict:
    """A legacy-protocol message: JSON text, or binary = 32-bit offsets + JSON + buffers."""
    if isinstance(frame, str):
        msg = json.loads(frame)
        msg.setdefault("buffers", [])
        return msg
    count = struct.unpack("!I", frame[:4])[0]
    offsets = list(struct.unpack(f"!{count}I", frame[4:4 * (count + 1)])) + [len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]].decode())
    msg["buffers"] = [frame[offsets[i]:offsets[i + 1]] for i in range(1, count)]
    return msg


class KernelClient:
    """One kernel's websocket through the hub's proxy, driven with asyncio (tornado).

    It speaks what JupyterLab speaks: it asks for the v1 subprotocol and frames every message as
    JupyterLab does (`protocol` says what the server chose; None, the legacy JSON protocol, only
    if the server refused v1). It remembers every widget model the kernel opened (`models`: comm
    id → state), so a caller can find a control by its traits and send it a new value as the
    browser's widget manager does.
    """

    def __init__(self, ws_url: str, token: str, kernel_id: str):
        self.ws_url, self.token, self.kernel_id = ws_url, token, kernel_id
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.statuses: list[str] = []
        self.protocol: str | None = None
        self._waiters: list = []
        self._conn = None
        self._reader = None

    async def connect(self) -> "KernelClient":
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        request = HTTPRequest(f"{self.ws_url}?session_id={self.session}",
                              headers={"Authorization": f"token {self.token}"})
        # Pings keep an idle connection open through the proxy, as JupyterLab's do.
        self._conn = await websocket_connect(request, max_message_size=64 * 1024 * 1024, ping_interval=10,
                                             subprotocols=[V1_PROTOCOL])
        self.protocol = self._conn.selected_subprotocol
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def reconnect(self) -> "KernelClient":
        """Open the websocket again (what a page does after losing it); the widget models stay."""
        await self.close()
        return await self.connect()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    async def __aenter__(self) -> "KernelClient":
        return await self.connect()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _message(self, channel: str, msg_type: str, content: dict) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "student",
                           "session": self.session, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "version": "5.3"},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}

    async def _read(self) -> None:
        while True:
            frame = await self._conn.read_message()
            if frame is None:
                self.statuses.append("websocket closed")
                for _, future in self._waiters:
                    if not future.done():
                        future.set_exception(ConnectionError("the kernel's websocket closed"))
                return
            msg = decode_v1(frame) if self.protocol == V1_PROTOCOL else _decode(frame)
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "status":
                self.statuses.append(content.get("execution_state"))
            elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(content["data"].get("state", {}))
            elif kind == "comm_msg" and content["comm_id"] in self.models:
                data = content.get("data", {})
                if data.get("method") in {"update", "echo_update"}:
                    self.models[content["comm_id"]].update(data.get("state", {}))
            for waiter in list(self._waiters):
                predicate, future = waiter
                if not future.done() and predicate(msg):
                    future.set_result(msg)
                    self._waiters.remove(waiter)

    def wait_for(self, predicate) -> asyncio.Future:
        """A future for the first message after now for which predicate(msg) is true."""
        future = asyncio.get_event_loop().create_future()
        self._waiters.append((predicate, future))
        return future

    async def send(self, msg: dict) -> None:
        if self.protocol == V1_PROTOCOL:
            await self._conn.write_message(encode_v1(msg), binary=True)
        else:
            await self._conn.write_message(json.dumps(msg))

    async def execute(self, code: str, timeout: float = 300) -> dict:
        """Run `code`; returns the execute_reply content (status ok/error; ename, evalue on error)."""
        msg = self._message("shell", "execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        msg_id = msg["header"]["msg_id"]
        reply = self.wait_for(lambda m: m["header"]["msg_type"] == "execute_reply"
                              and m["parent_header"].get("msg_id") == msg_id)
        await self.send(msg)
        return (await asyncio.wait_for(reply, timeout))["content"]

    async def run_notebook(self, cells: list[str], timeout: float = 300) -> None:
        """Run code cells in order as Run All does; raises on the first error."""
        for code in cells:
            reply = await self.execute(code, timeout)
            if reply["status"] != "ok":
                raise RuntimeError(f"{reply.get('ename')}: {reply.get('evalue')} in cell {code[:80]!r}")

    async def set_widget_value(self, comm_id: str, value, plot_id: str, timeout: float = 60) -> float:
        """Send a widget a new value as the browser does; return seconds until the kernel's update of
        the plot model `plot_id` arrives (the new picture). Trait names: SLIDER_TRAIT, PLOT_TRAIT."""
        msg = self._message("shell", "comm_msg", {
            "comm_id": comm_id, "data": {"method": "update", "state": {SLIDER_TRAIT: value}, "buffer_paths": []}})
        plot = self.wait_for(lambda m: m["header"]["msg_type"] == "comm_msg"
                             and m["content"].get("comm_id") == plot_id
                             and m["content"].get("data", {}).get("method") == "update"
                             and (PLOT_TRAIT in m["content"]["data"].get("state", {})
                                  or [PLOT_TRAIT] in m["content"]["data"].get("buffer_paths", [])))
        start = time.perf_counter()
        await self.send(msg)
        await asyncio.wait_for(plot, timeout)
        return time.perf_counter() - start

    async def interrupt(self, hub: "Hub", name: str) -> None:
        hub.user_api(name, "POST", f"api/kernels/{self.kernel_id}/interrupt")


def notebook_code(path: Path) -> list[str]:
    """The code cells of a notebook, in order (what Run All sends)."""
    nb = json.loads(Path(path).read_text())
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"]


#: The trait a move of the η slider sets, and the trait of the plot model that carries the new PNG.
SLIDER_TRAIT, PLOT_TRAIT = "value", "value"


def lesson_widgets(models: dict[str, dict]) -> tuple[str, str]:
    """(comm id of the η slider, comm id of the plot image) among a kernel's widget models.

    With SLIDER_TRAIT and PLOT_TRAIT, the one place that knows how lesson 04's explorer is built:
    helpers.controls' anywidget models, a Slider named "learning rate η" (its `value` is η itself)
    and a Plot with the class downhill-plot (its `value` is the PNG).
    """
    slider = next(cid for cid, s in models.items() if s.get("kind") == "slider"
                  and s.get("name") == "learning rate η")
    plot = next(cid for cid, s in models.items() if s.get("kind") == "plot"
                and "downhill-plot" in s.get("_dom_classes", []))
    return slider, plot


# --- `make hub` -----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Start the Downhill class hub on 127.0.0.1 until Ctrl-C.")
    parser.add_argument("--students", type=int, default=3, help="how many student accounts (dh-s01, …)")
    args = parser.parse_args(argv)
    reason = hub_unavailable(unix_users=IS_ROOT)
    if reason:
        print(reason)
        return 1
    with Hub(args.students) as hub:
        who = "Unix accounts" if hub.unix_users else "home folders (no root: every server runs as you)"
        print(f"\nDownhill hub: {hub.url}/hub/login   students: {', '.join(hub.students)} ({who})")
        print(f"password: {hub.password}")
        print(f"nbgitpuller link: {hub.pull_link()}")
        print(f"instructor's nbgrader course directory: {hub.course_dir}   exchange: {hub.exchange}")
        print("Ctrl-C stops the hub and removes the accounts and folders.")
        with contextlib.suppress(KeyboardInterrupt):
            while hub.hub_process.poll() is None:
                time.sleep(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
