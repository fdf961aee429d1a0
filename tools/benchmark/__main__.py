"""`make bench`: latency, throughput, start-up, training time and memory, to reports/bench.md.

    python -m tools.benchmark [--levels 1 8 32] [--seconds 30] [--skip-training]

Starts its own action server and Rasa server (one replica) on free ports,
with a throw-away conversation store, and drives them over HTTP like real
people would (tools/benchmark/load.py). Run it on an otherwise idle machine.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import psutil

from bot.rasa_ext import cli
from bot.runtime import launcher
from bot.settings import Settings, get_settings
from tools.benchmark import breakdown
from tools.benchmark.load import LoadResult, run_load

PROJECT_ROOT = launcher.PROJECT_ROOT


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or platform.machine(),
    )
    import rasa

    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"Rasa {rasa.__version__}"
    )


def training_seconds() -> float:
    """A full training from scratch (Rasa's cache bypassed with --force)."""
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        result = cli.run_rasa(
            "train",
            "--force",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--out",
            out,
        )
        if result.returncode != 0:
            raise SystemExit(f"training failed:\n{result.stdout[-2000:]}")
        return time.monotonic() - started


def resident_mib(server: launcher.Server) -> float:
    process = psutil.Process(server.process.pid)
    processes = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in processes) / 2**20


def start_servers(log_dir: Path, settings: Settings) -> Dict:
    """Starts the action server, then times the Rasa server from launch to ready."""
    actions = launcher.start_action_server(launcher.free_port(), log_dir, settings=settings)
    actions.wait_until_ready(120)
    started = time.monotonic()
    rasa = launcher.start_rasa_server(
        launcher.free_port(),
        actions.url,
        log_dir,
        tracker_db=log_dir / "conversations.db",
        settings=settings,
        run_dir=log_dir,
    )
    try:
        rasa.wait_until_ready(300)
    except launcher.ServerError:
        actions.stop()
        raise
    stack = launcher.Stack(actions, rasa, settings=settings)
    return {"stack": stack, "ready_seconds": time.monotonic() - started}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--levels",
        type=int,
        nargs="+",
        default=[1, 8, 32],
        help="concurrent conversations (default: 1 8 32)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="per level (default 30)")
    parser.add_argument("--skip-training", action="store_true", help="do not time a training")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports")
    args = parser.parse_args(argv)
    # Before the imports that warn as they load (sanic-cors, matplotlib).
    cli.quiet_rasa()
    from tools.benchmark.report import write_report

    args.out.mkdir(parents=True, exist_ok=True)
    # Rasa's API (for NLU alone) and the action server, each behind a token.
    settings = replace(get_settings(), api_token=uuid.uuid4().hex, actions_token=uuid.uuid4().hex)

    figures: Dict = {"machine": machine()}
    if not args.skip_training:
        print("Timing a full training...", flush=True)
        figures["training_seconds"] = training_seconds()
    with tempfile.TemporaryDirectory() as log_dir:
        print("Starting the servers...", flush=True)
        started = start_servers(Path(log_dir), settings)
        stack: launcher.Stack = started["stack"]
        figures["ready_seconds"] = started["ready_seconds"]
        try:
            webhook = f"{stack.rasa.url}/webhooks/rest/webhook"
            run_load(webhook, 2, 5)  # warm-up: first calls load lazily
            results: List[LoadResult] = []
            for level in args.levels:
                print(f"  {level} concurrent conversations for {args.seconds:.0f} s...", flush=True)
                results.append(run_load(webhook, level, args.seconds))
            print("  one message, piece by piece...", flush=True)
            figures["breakdown"] = breakdown.measure(
                stack.rasa.url, stack.actions.url, settings.api_token, settings.actions_token
            )
            figures["rasa_mib"] = resident_mib(stack.rasa)
            figures["actions_mib"] = resident_mib(stack.actions)
        finally:
            stack.stop()
    report = write_report(figures, results, args.out)
    print(f"\n{report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
