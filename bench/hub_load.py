"""A class dragging the η slider at once, on one real JupyterHub on this machine.

    python bench/hub_load.py --busy                 # `make bench-hub`: N = 1, 10, 20, 30, then a busy loop
    python bench/hub_load.py                        # the same without the busy loop
    python bench/hub_load.py --levels 1 5 --seconds 20 --no-browser

For each N, N students (Unix accounts on the hub, as tools/class_hub.py makes them) each have
their own single-user server and kernel, opened lesson 04 from their nbgitpuller copy and ran all
of it; then each moves the η slider once every 2 s, at the widget-protocol level through the
proxy (the comm message JupyterLab's widget manager sends, over the kernel websocket's v1
subprotocol that JupyterLab negotiates, so a simulated student costs the server what a page
does), and a move's latency runs until the kernel's update of the plot image arrives. Each move
goes to a value of the slider's own grid (10^-3 … 10^1 in steps of 0.05 in the exponent), drawn
at random with a fixed seed (`--seed`), never the value the slider already has. Meanwhile one
more student, in real Chromium logged in to the hub, presses the slider's arrow key every 2 s and
times keydown → new plot image loaded. With --busy, one student then runs `while True: pass` at
the top level while the others drag, and the others' p95 is compared with the calm one.

Prints p50/p95 latency, memory per student (PSS of their server + kernel: shared pages split
fairly, so the sum over students is what the machine holds) and CPU. Goal (issue 11): N = 30 with
p95 ≤ 250 ms and ≤ 250 MB per student. A measurement, never a test: it does not fail on speed.
The numbers depend on what else the machine runs: the machine's CPU is measured for 3 s before the
hub starts and again before the first class size, and a warning is printed when it is above 10 %
(the figures are then not valid: run it again on a quiet machine).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import queue
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "bench"))

import class_hub as ch  # noqa: E402
from tornado.iostream import StreamClosedError  # noqa: E402
from tornado.websocket import WebSocketClosedError  # noqa: E402

LESSON = "downhill/notebooks/04_learning_rate.ipynb"
#: The η slider's step in the exponent (LearningRateExplorer builds its Slider with step=0.05).
LOG_STEP = 0.05
GOAL_P95_MS, GOAL_MB = 250.0, 250.0
#: Above this share of all cores busy before any student starts, the figures are not valid.
IDLE_LIMIT = 0.10
WEB = "dh-web"
#: Kernels whose websocket closed under a dragging student (each reconnected, and reported).
RECONNECTS: list[str] = []
#: Per student, every η their kernel has drawn so far, and how many moves went to one of them again.
VISITED: dict[str, set[float]] = {}
REVISITS: list[int] = [0, 0]                      # [moves to an η drawn before, all moves]


def slider_grid() -> list[float]:
    """The η values the explorer's slider can take, as the browser computes them (controls.js,
    positions(): 10 ** (low + i * step), the last one exactly 10 ** high, to 12 significant digits)."""
    from helpers.lr_explorer import LOG_MAX, LOG_MIN

    count = round((LOG_MAX - LOG_MIN) / LOG_STEP)
    return [float(f"{10.0 ** (LOG_MAX if i == count else LOG_MIN + i * LOG_STEP):.12g}")
            for i in range(count + 1)]


ETAS = slider_grid()


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = (len(ordered) - 1) * q
    low, high = int(index), min(int(index) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def idle_cpu(what: str, seconds: float = 3.0) -> float:
    """Measure the machine's CPU over `seconds` while we do nothing; print it, and a warning above
    IDLE_LIMIT. Returns the busy share of all cores."""
    busy0, total0 = cpu_busy()
    time.sleep(seconds)
    busy1, total1 = cpu_busy()
    share = (busy1 - busy0) / max(1, total1 - total0)
    print(f"CPU {what}, over {seconds:g} s: {100 * share:.0f} % of all cores", flush=True)
    if share > IDLE_LIMIT:
        print(f"WARNING: the machine was {100 * share:.0f} % busy (more than {100 * IDLE_LIMIT:.0f} %) before any "
              "student moved a slider: something else is running, so the latency and CPU figures below are NOT "
              "valid. Run the benchmark again on a quiet machine.", flush=True)
    return share


# --- protocol-level students ---------------------------------------------------------------------

async def open_lesson(hub, name: str) -> ch.KernelClient:
    client = await hub.kernel(name, path=LESSON).connect()
    await client.run_notebook(ch.notebook_code(hub.home(name) / LESSON))
    return client


async def drag_every_two_seconds(client, name: str, seconds: float, seed: str) -> list[float]:
    """Move η every 2 s for `seconds` (first move at a random phase), each time to a value of the
    slider's grid other than the current one, drawn with random.Random(seed); returns latencies in ms."""
    slider, plot = ch.lesson_widgets(client.models)
    rng = random.Random(seed)
    current = float(client.models[slider].get("value", 0.0))
    visited = VISITED.setdefault(name, {current})          # the lesson itself drew its starting η
    await asyncio.sleep(rng.uniform(0, 2))
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        tick = time.monotonic()
        eta = rng.choice([v for v in ETAS if not math.isclose(v, current, rel_tol=1e-9)])
        REVISITS[0] += eta in visited
        REVISITS[1] += 1
        visited.add(eta)
        current = eta
        try:
            times.append(1000 * await client.set_widget_value(slider, eta, plot, timeout=120))
        except (ConnectionError, OSError, WebSocketClosedError, StreamClosedError):
            RECONNECTS.append(client.kernel_id)          # lost the websocket: reconnect as a page does
            await client.reconnect()
        await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - tick)))
    return times


# --- the Chromium student ------------------------------------------------------------------------

class BrowserStudent(threading.Thread):
    """One student in real Chromium on the hub (Playwright's sync API, in a thread of its own)."""

    def __init__(self, hub):
        super().__init__(daemon=True)
        self.hub, self.requests, self.results = hub, queue.Queue(), queue.Queue()

    def measure(self, seconds: float) -> list[float]:
        self.requests.put(seconds)
        result = self.results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def stop(self) -> None:
        self.requests.put(None)
        self.join(timeout=60)

    def run(self) -> None:
        try:
            self._run()
        except BaseException as error:  # reported to the waiting caller
            self.results.put(error)

    def _run(self) -> None:
        import lab_browser as lb
        from browser_latency import STOPWATCH

        hub = self.hub

        class OnHub:                                      # what NotebookPage needs of a server
            def url(self, path: str = "", **query) -> str:
                return f"{hub.url}/user/{WEB}/{path.lstrip('/')}"

            def api(self, method: str, path: str, timeout: float = 10):
                return hub.user_api(WEB, method, path)

        with lb.chromium() as browser:
            page = browser.new_page()
            page.goto(f"{hub.url}/hub/login", timeout=120_000)
            page.fill("#username_input", WEB)
            page.fill("#password_input", hub.password)
            page.click("#login_submit")
            page.wait_for_url("**/user/**", timeout=180_000)
            page.close()
            nb = lb.NotebookPage(browser, OnHub(), LESSON, timeout=180)
            nb.run_all()
            explorer = nb.page.locator(".downhill-lr-explorer").first
            explorer.wait_for(state="visible", timeout=120_000)
            explorer.scroll_into_view_if_needed()
            explorer.evaluate(STOPWATCH)
            handle = explorer.locator(".downhill-lr-slider input[type=range]").first
            presses = 0
            self.results.put("ready")
            while (seconds := self.requests.get()) is not None:
                nb.page.evaluate("() => { window.__downhill.samples = []; }")
                end, count = time.monotonic() + seconds, 0
                while time.monotonic() < end:
                    tick = time.monotonic()
                    handle.focus()
                    handle.press("ArrowRight" if (presses // 40) % 2 == 0 else "ArrowLeft")
                    presses += 1
                    count += 1
                    nb.page.wait_for_function(f"() => window.__downhill.samples.length >= {count}", timeout=120_000)
                    time.sleep(max(0.0, 2.0 - (time.monotonic() - tick)))
                self.results.put(nb.page.evaluate("() => window.__downhill.samples.slice()"))


# --- the run -------------------------------------------------------------------------------------

def memory_mb(hub, names) -> list[float]:
    return [sum(p["pss"] for p in ch.processes_of(n)) / 1e6 for n in names]


async def level(hub, clients, names, seconds, browser, seed: str) -> dict:
    """Every student in `names` drags for `seconds`; each has its own random stream, seeded by
    `seed` (the run's seed and the class size) and their name, so no two streams repeat."""
    busy0, total0 = cpu_busy()
    start = time.monotonic()
    tasks = [asyncio.ensure_future(drag_every_two_seconds(clients[n], n, seconds, f"{seed}/{n}")) for n in names]
    web = asyncio.get_running_loop().run_in_executor(None, browser.measure, seconds) if browser else None
    by_name = dict(zip(names, await asyncio.gather(*tasks)))
    web_samples = await web if web else []
    busy1, total1 = cpu_busy()
    return {"samples": sum(by_name.values(), []), "by_name": by_name, "web": web_samples,
            "cpu": (busy1 - busy0) / (total1 - total0), "wall": time.monotonic() - start,
            "mem": memory_mb(hub, names)}


def row(n, result) -> str:
    s, w, mem = result["samples"], result["web"], result["mem"]
    web = f"{statistics.median(w):5.0f} {percentile(w, 0.95):5.0f}" if w else "    –     –"
    return (f"{n:>4} {len(s):>6} {statistics.median(s):7.0f} {percentile(s, 0.95):7.0f} {max(s):7.0f}   "
            f"{web}   {statistics.mean(mem):7.0f} {max(mem):6.0f}   {100 * result['cpu']:5.0f} %")


def accounts_in_use() -> list[str]:
    """Class accounts (made by tools/class_hub.py) that have running processes: another hub run is
    using them. Starting a hub would delete them as leftovers and end that run's servers."""
    import pwd

    return sorted(e.pw_name for e in pwd.getpwall()
                  if e.pw_gecos == ch.ACCOUNT_COMMENT and ch.processes_of(e.pw_name))


async def main_async(args) -> int:
    top = max(args.levels)
    names = [f"dh-s{i:02d}" for i in range(1, top + 1)]
    accounts = names + ([WEB] if args.browser else [])
    idle = [idle_cpu("of the machine before the hub starts")]
    print(f"starting a hub with {len(accounts)} accounts …", flush=True)
    with ch.Hub(accounts, log=lambda line: print(f"[hub] {line}", flush=True)) as hub:
        browser = None
        if args.browser:
            hub.start_server(WEB)
            hub.git_pull(WEB)
            browser = BrowserStudent(hub)
            browser.start()
            ready = browser.results.get()
            if isinstance(ready, BaseException):
                raise ready
        clients: dict[str, ch.KernelClient] = {}
        idle.append(idle_cpu("with the hub" + (" and the Chromium student" if browser else "") + " idle"))
        print(f"η: the slider's {len(ETAS)} values ({ETAS[0]:g} … {ETAS[-1]:g}), drawn with seed {args.seed}")
        print("\n   N  moves     p50     p95     max   web p50 p95   MB/student max   CPU (2 cores = 100 %)")
        results, busy_line = {}, ""
        try:
            for n in sorted(args.levels):
                new = [name for name in names[:n] if name not in clients]
                t0 = time.monotonic()
                hub.start_servers(new)
                for name in new:
                    hub.git_pull(name)
                for chunk in range(0, len(new), 2):                   # two at a time: 2 cores
                    opened = await asyncio.gather(*(open_lesson(hub, name) for name in new[chunk:chunk + 2]))
                    clients.update(zip(new[chunk:chunk + 2], opened))
                protocols = {c.protocol for c in clients.values()}
                spoken = (f"websocket subprotocol {ch.V1_PROTOCOL}, as JupyterLab's" if protocols == {ch.V1_PROTOCOL}
                          else f"WARNING: websocket protocols {protocols} (None = legacy JSON), not JupyterLab's v1: "
                               "the server works harder than for real pages")
                print(f"      ({len(new)} servers started and lesson 04 run in {time.monotonic() - t0:.0f} s; "
                      f"{spoken})", flush=True)
                results[n] = await level(hub, clients, names[:n], args.seconds, browser, f"{args.seed}/{n}")
                print(row(n, results[n]), flush=True)
            if args.busy and max(args.levels) < 2:
                print("busy loop: skipped (it needs a class of at least 2)")
            elif args.busy:
                n = max(args.levels)
                loop = asyncio.ensure_future(clients[names[0]].execute("while True:\n    pass\n", timeout=3600))
                await asyncio.sleep(2)
                busy = await level(hub, clients, names[1:n], args.seconds, browser, f"{args.seed}/busy")
                await clients[names[0]].interrupt(hub, names[0])
                await asyncio.wait_for(loop, 120)
                print(row(n - 1, busy) + "   ← with dh-s01 in a busy loop", flush=True)
                # The same n - 1 students, calm (at class size n) and next to the loop.
                calm = sum((results[n]["by_name"][name] for name in names[1:n]), [])
                busy_line = (f"Busy loop: with dh-s01 running `while True: pass`, the other {n - 1} students' p95 went "
                             f"from {percentile(calm, 0.95):.0f} ms to {percentile(busy['samples'], 0.95):.0f} ms "
                             f"(×{percentile(busy['samples'], 0.95) / percentile(calm, 0.95):.2f}; more than ×2 "
                             "would call for a CPU cap)")
                print(busy_line, flush=True)
        finally:
            for client in clients.values():
                await client.close()
            if browser:
                browser.stop()
        print("\nThe same, for instructor/README.md (\"How big a server\"):\n")
        print("| Students dragging at once (N) | moves | slider → new plot, p50 (ms) | p95 (ms) | "
              "Chromium student p50 / p95 (ms) | memory per student (MB) | CPU (all cores) |")
        print("|---|---|---|---|---|---|---|")
        for n, result in sorted(results.items()):
            s, w = result["samples"], result["web"]
            web = f"{statistics.median(w):.0f} / {percentile(w, 0.95):.0f}" if w else "–"
            print(f"| {n} | {len(s)} | {statistics.median(s):.0f} | {percentile(s, 0.95):.0f} | {web} | "
                  f"{statistics.mean(result['mem']):.0f} | {100 * result['cpu']:.0f} % |")
        print(f"\nIdle CPU before the run: {100 * idle[0]:.0f} % (machine), {100 * idle[1]:.0f} % (hub idle)"
              + ("  ← above 10 %: these figures are NOT valid" if max(idle) > IDLE_LIMIT else ""))
        if REVISITS[1]:
            print(f"{REVISITS[0]} of {REVISITS[1]} moves ({100 * REVISITS[0] / REVISITS[1]:.0f} %) went to an η that "
                  "student's kernel had drawn before (the most a per-η cache in the kernel could serve)")
        if RECONNECTS:
            print(f"\n{len(RECONNECTS)} moves lost a websocket and reconnected (kernels {sorted(set(RECONNECTS))})")
        if busy_line:
            print(f"\n{busy_line}")
        n = max(args.levels)
        p95 = percentile(results[n]["samples"], 0.95)
        mb = statistics.mean(results[n]["mem"])
        print(f"\ngoal at N = {n}: p95 ≤ {GOAL_P95_MS:.0f} ms → {p95:.0f} ms, "
              f"≤ {GOAL_MB:.0f} MB per student → {mb:.0f} MB: "
              f"{'met' if p95 <= GOAL_P95_MS and mb <= GOAL_MB else 'NOT met'}")
        print(f"TLJH's rule with these figures: RAM = {n} × {mb:.0f} MB + 128 MB = {(n * mb + 128) / 1000:.1f} GB")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 20, 30], help="class sizes N")
    parser.add_argument("--seconds", type=float, default=40, help="how long each class size drags")
    parser.add_argument("--no-browser", dest="browser", action="store_false", help="no Chromium student")
    parser.add_argument("--busy", action="store_true", help="also: one student in a busy loop at the top level")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the students' η draws")
    args = parser.parse_args(argv)
    reason = ch.hub_unavailable(unix_users=True)
    if reason:
        print(f"hub load benchmark: skipped. {reason}")
        return 0
    busy_accounts = accounts_in_use()
    if busy_accounts:
        print(f"hub load benchmark: not started. Another hub run (the hub tests?) is using the class accounts "
              f"{', '.join(busy_accounts)}; starting a hub would delete them. Wait until it ends.")
        return 1
    if args.browser:
        import lab_browser as lb

        reason = lb.browser_unavailable()
        if reason:
            print(f"no Chromium student: {reason}")
            args.browser = False
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
