"""Faults while a class works: a kernel killed mid-drag, the hub restarted, a student's busy loop.

Students run lesson 04 in kernels of their own servers on the hub and move the η slider the way
JupyterLab's widget manager does (a comm message `update` with the new value, over the kernel's
websocket through the proxy); a move counts when the kernel's update of the plot image arrives.
Timings are printed for the record, never asserted (bench/hub_load.py measures load).
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics


from .conftest import hubtools, run_async

LESSON = "downhill/notebooks/04_learning_rate.ipynb"
#: η values a dragging student visits: every one is a different verdict from its neighbours.
ETAS = [0.01, 1.0, 0.1, 5.0, 0.003, 2.0, 0.3, 10.0]


async def open_lesson(hub, name: str) -> hubtools.KernelClient:
    """A student opens lesson 04 and runs all its cells; returns their connected kernel."""
    client = await hub.kernel(name, path=LESSON).connect()
    await client.run_notebook(hubtools.notebook_code(hub.home(name) / LESSON))
    return client


async def drag(client, moves: int, start: int = 0, pause: float = 0.2) -> list[float]:
    """Move the slider `moves` times; returns each move's seconds to the new plot."""
    slider, plot = hubtools.lesson_widgets(client.models)
    times = []
    for i in range(moves):
        times.append(await client.set_widget_value(slider, ETAS[(start + i) % len(ETAS)], plot))
        await asyncio.sleep(pause)
    return times


def kernel_pid(hub, name: str, kernel_id: str) -> int:
    return next(p["pid"] for p in hubtools.processes_of(name) if kernel_id in p["cmdline"]
                and "ipykernel" in p["cmdline"])


def p95(samples) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def save_notebook(hub, name: str, marker: str) -> dict:
    """The student saves lesson 04 with a cell of their own (as Ctrl-S does); returns the model."""
    model = hub.user_api(name, "GET", f"api/contents/{LESSON}")["content"]
    model["cells"].append({"cell_type": "markdown", "metadata": {}, "source": marker, "id": f"m{abs(hash(marker)) % 10**8}"})
    hub.user_api(name, "PUT", f"api/contents/{LESSON}", {"type": "notebook", "format": "json", "content": model})
    return model


def saved_markers(hub, name: str) -> list[str]:
    model = hub.user_api(name, "GET", f"api/contents/{LESSON}")["content"]
    return ["".join(c["source"]) for c in model["cells"] if c["cell_type"] == "markdown"]


def test_a_kernel_killed_mid_drag_restarts_and_the_others_keep_working(hub):
    victim, others = "dh-s03", ["dh-s04", "dh-s05"]
    save_notebook(hub, victim, "my notes before the crash")

    async def scenario():
        clients = {name: await open_lesson(hub, name) for name in [victim, *others]}
        try:
            dragging = [asyncio.ensure_future(drag(clients[n], 6, start=i)) for i, n in enumerate(others)]
            await drag(clients[victim], 2)
            os.kill(kernel_pid(hub, victim, clients[victim].kernel_id), signal.SIGKILL)
            others_times = await asyncio.gather(*dragging)          # the others never noticed
            # The victim's page shows what JupyterLab shows: "Kernel Restarting … appears to have died".
            for _ in range(300):
                if "restarting" in clients[victim].statuses or "dead" in clients[victim].statuses:
                    break
                await asyncio.sleep(0.1)
            seen = list(clients[victim].statuses)
            # The kernel came back by itself; the student runs the lesson again and drags on.
            await clients[victim].close()
            client = await hub.kernel(victim, clients[victim].kernel_id).connect()
            clients[victim] = client
            reply = await client.execute("1 + 1", timeout=120)
            await client.run_notebook(hubtools.notebook_code(hub.home(victim) / LESSON))
            after = await drag(client, 2)
            return others_times, seen, reply, after
        finally:
            for client in clients.values():
                await client.close()

    others_times, seen, reply, after = run_async(scenario)
    assert all(len(t) == 6 for t in others_times), "every move of the other students got its new plot"
    assert "restarting" in seen or "dead" in seen, f"the student was told the kernel died: {seen}"
    assert reply["status"] == "ok" and len(after) == 2
    assert "my notes before the crash" in saved_markers(hub, victim), "the saved notebook is intact"
    print(f"\nothers' moves while the kernel died: median {statistics.median(sum(others_times, [])) * 1000:.0f} ms")


def test_restarting_the_hub_leaves_servers_notebooks_and_sliders_working(hub):
    names = ["dh-s04", "dh-s05"]
    for name in names:
        save_notebook(hub, name, f"{name} was here")

    async def scenario():
        clients = {name: await open_lesson(hub, name) for name in names}
        try:
            servers_before = {n: sorted(p["pid"] for p in hubtools.processes_of(n)) for n in names}
            await asyncio.gather(*(drag(c, 2) for c in clients.values()))
            hub.stop_hub()
            during = await asyncio.gather(*(drag(c, 2) for c in clients.values()))   # hub away, proxy on
            hub.start_hub()
            servers_after = {n: sorted(p["pid"] for p in hubtools.processes_of(n)) for n in names}
            # The page reconnects: a new websocket to the same kernel, authenticated by the new hub.
            widgets = {n: hubtools.lesson_widgets(c.models) for n, c in clients.items()}
            for c in clients.values():
                await c.close()
            again = []
            for name in names:
                client = await hub.kernel(name, clients[name].kernel_id).connect()
                clients[name] = client
                slider, plot = widgets[name]
                again.append(await client.set_widget_value(slider, 0.05, plot))
            return servers_before, servers_after, during, again
        finally:
            for client in clients.values():
                await client.close()

    before, after, during, again = run_async(scenario)
    assert after == before, "the students' servers and kernels kept running through the restart"
    assert all(len(t) == 2 for t in during), "open notebooks kept working while the hub was down"
    assert len(again) == len(names)
    for name in names:
        assert hub.api("GET", f"users/{name}")["servers"][""]["ready"], "the new hub knows the server"
        assert f"{name} was here" in saved_markers(hub, name), "the saved notebook is intact"


def test_a_students_busy_loop_slows_the_others_but_they_keep_working(hub):
    busy, others = "dh-s03", ["dh-s04", "dh-s05"]

    async def scenario():
        clients = {name: await open_lesson(hub, name) for name in [busy, *others]}
        try:
            calm = sum(await asyncio.gather(*(drag(clients[n], 8, start=i) for i, n in enumerate(others))), [])
            loop = asyncio.ensure_future(clients[busy].execute("while True:\n    pass\n", timeout=600))
            await asyncio.sleep(2)
            loaded = sum(await asyncio.gather(*(drag(clients[n], 8, start=i) for i, n in enumerate(others))), [])
            await clients[busy].interrupt(hub, busy)
            stopped = await asyncio.wait_for(loop, 60)
            return calm, loaded, stopped
        finally:
            for client in clients.values():
                await client.close()

    calm, loaded, stopped = run_async(scenario)
    assert len(calm) == len(loaded) == 16, "every move got its new plot, busy loop or not"
    assert stopped["status"] == "error" and stopped["ename"] == "KeyboardInterrupt", "Interrupt stops the loop"
    ratio = p95(loaded) / p95(calm)
    print(f"\nbusy loop next door: others' p95 {p95(calm) * 1000:.0f} ms → {p95(loaded) * 1000:.0f} ms "
          f"(×{ratio:.2f}; bench/hub_load.py --busy measures it under load)")
