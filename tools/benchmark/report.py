"""reports/bench.md and the latency-against-concurrency plot."""

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List

import matplotlib

matplotlib.use("Agg")  # files only: no display where `make bench` runs
# matplotlib 3.5 logs pyparsing's deprecations as it loads its styles.
logging.getLogger("matplotlib.style").setLevel(logging.ERROR)
import matplotlib.pyplot as plt  # noqa: E402

from tools.benchmark.load import LoadResult  # noqa: E402

PLOT_NAME = "bench_latency.png"


def write_report(figures: Dict, results: List[LoadResult], out: Path) -> str:
    plot_latency(results, out / PLOT_NAME)
    rows = [_row(result) for result in results]
    (out / "bench.json").write_text(
        json.dumps({**figures, "breakdown": vars(figures["breakdown"]), "levels": rows}, indent=2)
    )
    text = "\n".join(report_lines(figures, rows)) + "\n"
    (out / "bench.md").write_text(text, encoding="utf-8")
    return text


def _row(result: LoadResult) -> Dict:
    return {
        "concurrency": result.concurrency,
        "messages": result.messages,
        "median_ms": 1000 * result.percentile(0.50),
        "p95_ms": 1000 * result.percentile(0.95),
        "p99_ms": 1000 * result.percentile(0.99),
        "per_second": result.throughput,
        "error_share": result.errors / result.messages,
    }


def report_lines(figures: Dict, rows: List[Dict]) -> List[str]:
    pieces = figures["breakdown"]
    lines = [
        "# ALK Companion: benchmark",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, written by `make bench`. "
        f"Machine: {figures['machine']}.",
        "",
        "One Rasa server (one replica) and one action server, SQLite conversation store, "
        "REST webhook; each simulated person waits for every reply before the next message "
        "(tools/benchmark/load.py).",
        "",
        "| concurrent conversations | messages | median ms | p95 ms | p99 ms | messages/s "
        "| errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {r['concurrency']} | {r['messages']} | {r['median_ms']:.0f} | {r['p95_ms']:.0f} "
            f"| {r['p99_ms']:.0f} | {r['per_second']:.1f} | {r['error_share']:.1%} |"
            for r in rows
        ),
        "",
        f"Messages per second at saturation (the most any level reached): "
        f"{max(r['per_second'] for r in rows):.1f}. Plot: {PLOT_NAME}.",
        "",
        "## One message, piece by piece (median of 30, one at a time)",
        "",
        "| piece | ms |",
        "| --- | --- |",
        f"| whole message through the REST webhook | {1000 * pieces.whole:.0f} |",
        f"| NLU alone (`/model/parse`) | {1000 * pieces.nlu:.0f} |",
        "| action server round trip (`action_answer_question`) "
        f"| {1000 * pieces.action_server:.0f} |",
        f"| the rest: policies, conversation store, Rasa's own work | {1000 * pieces.rest:.0f} |",
        "",
        "## Start-up and memory",
        "",
        f"- Rasa server, launch to ready (model load included): {figures['ready_seconds']:.1f} s",
    ]
    if "training_seconds" in figures:
        lines.append(f"- full training, Rasa's cache bypassed: {figures['training_seconds']:.0f} s")
    lines += [
        f"- resident memory after the load: Rasa server {figures['rasa_mib']:.0f} MiB, "
        f"action server {figures['actions_mib']:.0f} MiB",
    ]
    return lines


def plot_latency(results: List[LoadResult], path: Path) -> None:
    levels = [result.concurrency for result in results]
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for share, label in ((0.50, "median"), (0.95, "p95"), (0.99, "p99")):
        axes.plot(
            levels, [1000 * result.percentile(share) for result in results], marker="o", label=label
        )
    axes.set_xscale("log", base=2)
    axes.set_xticks(levels, [str(level) for level in levels])
    axes.set_xlabel("concurrent conversations")
    axes.set_ylabel("latency per message (ms)")
    axes.set_title("ALK Companion: REST latency against concurrency")
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
