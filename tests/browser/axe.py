"""axe-core (npm, pinned in tests/browser/package.json) run inside a Playwright page.

    results = axe.run(page)                          # the whole document
    results = axe.run(page, include=["#main"])       # only these parts of it
    assert not results["violations"], axe.report(results)

Only the WCAG 2.0 and 2.1 level A and AA rules run (tags wcag2a, wcag2aa, wcag21a, wcag21aa).
axe checks colour contrast only for text it can see on the screen: `contrast_checked` counts the
text nodes its colour-contrast rule did look at, so a test can fail when that is none.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
HOW_TO_INSTALL = ("axe-core is not installed: run `npm ci --prefix tests/browser` "
                  "(`make test` does it when npm is there; `apt-get install npm`)")
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONTRAST_RULES = ("color-contrast",)


def unavailable() -> str | None:
    """Why axe cannot run here, or None."""
    return None if AXE_JS.is_file() else HOW_TO_INSTALL


def inject(page) -> None:
    """Load axe into the page once (a page that navigates needs it again)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))


def run(page, include: list[str] | None = None, exclude: list[str] | None = None) -> dict:
    """axe's results for the page (or for the elements matching the `include` selectors)."""
    inject(page)
    context = {"include": [[s] for s in include]} if include else {"include": [["html"]]}
    if exclude:
        context["exclude"] = [[s] for s in exclude]
    options = {"runOnly": {"type": "tag", "values": WCAG_A_AA}}
    return page.evaluate("async ([context, options]) => JSON.parse(JSON.stringify("
                         "await window.axe.run(context, options)))", [context, options])


def contrast_checked(results: dict) -> int:
    """How many nodes the colour-contrast rule judged (passed, failed or could not decide)."""
    return sum(len(rule["nodes"]) for kind in ("passes", "violations", "incomplete")
               for rule in results.get(kind, []) if rule["id"] in CONTRAST_RULES)


def merge(all_results: list[tuple[str, dict]]) -> dict:
    """Many runs (each labelled with where it ran) as one: {kind: {rule id: [(where, node)]}}."""
    merged: dict = {kind: defaultdict(list) for kind in ("violations", "incomplete", "passes")}
    for where, results in all_results:
        for kind in merged:
            for rule in results.get(kind, []):
                for node in rule["nodes"]:
                    merged[kind][rule["id"]].append((where, rule, node))
    return merged


def violations_by_rule(all_results: list[tuple[str, dict]]) -> dict[str, int]:
    """{rule id: number of failing nodes} over many runs."""
    return {rule: len(nodes) for rule, nodes in sorted(merge(all_results)["violations"].items())}


def _node_line(node: dict) -> str:
    target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node.get("target", []))
    summary = (node.get("failureSummary") or "").replace("Fix any of the following:", "").strip()
    summary = " ".join(summary.split())[:220]
    html = " ".join((node.get("html") or "").split())[:160]
    return f"      {target}\n        {html}\n        {summary}"


def report(all_results: list[tuple[str, dict]] | dict, title: str = "axe", max_nodes: int = 6) -> str:
    """The violations grouped by rule, then by node, with where each run was (readable in a log)."""
    if isinstance(all_results, dict):
        all_results = [("page", all_results)]
    merged = merge(all_results)
    lines = [f"{title}: {sum(len(v) for v in merged['violations'].values())} failing nodes in "
             f"{len(merged['violations'])} WCAG A/AA rules"]
    for rule_id, nodes in sorted(merged["violations"].items()):
        rule = nodes[0][1]
        lines.append(f"  {rule_id} ({rule['impact']}, {len(nodes)} nodes): {rule['help']}")
        for where, _, node in nodes[:max_nodes]:
            lines.append(f"    in {where}:")
            lines.append(_node_line(node))
        if len(nodes) > max_nodes:
            lines.append(f"    ... and {len(nodes) - max_nodes} more")
    return "\n".join(lines)
