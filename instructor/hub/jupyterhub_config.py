"""JupyterHub configuration of the Downhill class hub (started by tools/class_hub.py, `make hub`).

tools/class_hub.py writes the settings of one hub (ports, folders, accounts) to a JSON file and starts
`jupyterhub -f instructor/hub/jupyterhub_config.py` with DOWNHILL_HUB_SETTINGS naming that file. The same
file serves the tests (tests/hub/), the load benchmark (bench/hub_load.py) and an instructor
trying the hub on a laptop.

Accounts. As root, every student is a real Unix account (made by tools/class_hub.py with `useradd`)
and JupyterHub's default LocalProcessSpawner starts their server as that user: file
permissions, not good manners, keep one student out of another's folder and out of the
instructor's. Without root, the SimpleLocalProcessSpawner gives each student a home folder
of their own, but every server runs as you: fine for trying the course, no isolation at all.
"""

import json
import os

settings = json.loads(open(os.environ["DOWNHILL_HUB_SETTINGS"]).read())
c = get_config()  # noqa: F821 - provided by JupyterHub when it reads this file

# -- where: everything on 127.0.0.1, state in the hub's own folder ---------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings["hub_port"]
c.JupyterHub.db_url = f"sqlite:///{settings['root']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{settings['root']}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{settings['root']}/jupyterhub.pid"

# The proxy (configurable-http-proxy from npm) runs on its own, started by tools/class_hub.py, as in The
# Littlest JupyterHub and Zero to JupyterHub: restarting the hub leaves the proxy, its routes and the
# students' servers running, so open notebooks keep working while the hub is away.
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
c.JupyterHub.cleanup_servers = False
c.JupyterHub.cleanup_proxy = False

# -- who: the class's accounts, one shared password (SharedPasswordAuthenticator, JupyterHub 5.3+) ---
# A real course uses its university login (OAuthenticator) or, on a single server with Unix
# accounts, PAM; a shared password keeps this hub self-contained.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = settings["password"]
c.Authenticator.allowed_users = set(settings["students"])
c.Authenticator.admin_users = set()
# The instructor's tools (tests, benchmark) talk to the hub's REST API with this service's token.
c.JupyterHub.services = [{"name": "downhill-instructor", "api_token": settings["api_token"]}]
c.JupyterHub.load_roles = [{
    "name": "downhill-instructor",
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "access:servers", "read:hub"],
    "services": ["downhill-instructor"],
}]

# -- what each student runs: JupyterLab from the single-user environment, in their home ------------
if settings["unix_users"]:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.LocalProcessSpawner.create_system_users = False      # tools/class_hub.py makes them with useradd
else:
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = settings["home_template"]
c.Spawner.cmd = [settings["singleuser"]]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    # nbgrader's exchange (course id and folder) and the server settings shared by every student.
    "JUPYTER_CONFIG_PATH": settings["jupyter_config"],
    "PATH": settings["path"],
    # Lets git read the course repository that another account (the instructor) owns.
    "GIT_CONFIG_GLOBAL": settings["git_config"],
}
# What one student may use. LocalProcessSpawner only passes these on (as MEM_LIMIT and CPU_LIMIT);
# SystemdSpawner (The Littlest JupyterHub) and KubeSpawner (Zero to JupyterHub) enforce them.
# Measured figures: instructor/README.md, "How big a server".
if settings.get("mem_limit"):
    c.Spawner.mem_limit = settings["mem_limit"]
if settings.get("cpu_limit"):
    c.Spawner.cpu_limit = settings["cpu_limit"]
# Idle servers are not culled here: a class runs for an hour or two (jupyterhub-idle-culler does it).
