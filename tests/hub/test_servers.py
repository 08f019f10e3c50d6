"""The students' servers on the class hub run the course's server extension (downhill_nodelay).

The hub's environment installs the course from a wheel, whose data files turn the extension on
(pyproject.toml); tests/test_nodelay.py shows what it does to a server's kernel websockets.
"""

from __future__ import annotations

from downhill_nodelay import LOADED

from .conftest import STUDENTS


def test_every_students_server_sends_kernel_messages_at_once(hub):
    log = hub.log("hub.log", tail=10_000_000)            # the single-user servers log into the hub's
    loaded = log.count(LOADED)
    assert loaded >= STUDENTS, (f"{loaded} of {STUDENTS} students' servers loaded downhill_nodelay:\n"
                                f"{log[-4000:]}")
    assert "downhill_nodelay | error" not in log
