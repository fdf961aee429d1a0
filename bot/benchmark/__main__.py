"""`make bench`: latency, throughput, start-up, training time and memory, to reports/bench.md.

    python -m bot.benchmark [--levels 1 8 32] [--seconds 30] [--skip-training]

Starts its own action server and Rasa server (one replica) on free ports,
with a throw-away conversation store, and drives them over HTTP like real
people would (bot/benchmark/load.py). Run it on an otherwise idle machine.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from bot import cli

# Before the imports below, which warn as they load (sanic-cors, matplotlib).
cli.quiet_rasa()

import psutil  # noqa: E402

from bot import action_server, serve  # noqa: E402
from bot.benchmark import breakdown  # noqa: E402
from bot.benchmark.load import LoadResult, run_load  # noqa: E402
from bot.benchmark.report import write_report  # noqa: E402
from bot.evaluation.datasets import PROJECT_ROOT  # noqa: E402


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )
    import rasa

    return (
        f"{os.cpu_count()} cores ({cpu}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, Rasa {rasa.__version__}"
    )


def training_seconds() -> float:
    """A full training from scratch (Rasa's cache bypassed with --force)."""
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        result = cli.run_rasa(
            "train", "--force", "--domain", "domain", "--data", "data", "--config", "config.yml", "--out", out
        )
        if result.returncode != 0:
            raise SystemExit(f"training failed:\n{result.stdout[-2000:]}")
        return time.monotonic() - started


def resident_mib(server: serve.Server) -> float:
    process = psutil.Process(server.process.pid)
    processes = [process, *process.children(recursive=True)]
    return sum(p.memory_info().rss for p in processes) / 2**20


def start_servers(log_dir: Path) -> Dict:
    """Starts the action server, then times the Rasa server from launch to ready."""
    actions = serve.start_action_server(serve.free_port(), log_dir)
    actions.wait_until_ready("/health", 120)
    started = time.monotonic()
    rasa = serve.start_rasa_server(
        serve.free_port(), actions.url, log_dir, tracker_db=log_dir / "conversations.db"
    )
    try:
        rasa.wait_until_ready("/webhooks/rest/", 300)
    except serve.ServerError:
        actions.stop()
        raise
    return {"stack": serve.Stack(actions, rasa), "ready_seconds": time.monotonic() - started}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32],
                        help="concurrent conversations (default: 1 8 32)")
    parser.add_argument("--seconds", type=float, default=30, help="per level (default 30)")
    parser.add_argument("--skip-training", action="store_true", help="do not time a training")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # Rasa's API (for NLU alone) and the action server, each behind a token.
    os.environ[cli.API_TOKEN_ENV] = api_token = uuid.uuid4().hex
    os.environ[action_server.TOKEN_ENV] = actions_token = uuid.uuid4().hex

    figures: Dict = {"machine": machine()}
    if not args.skip_training:
        print("Timing a full training...", flush=True)
        figures["training_seconds"] = training_seconds()
    with tempfile.TemporaryDirectory() as log_dir:
        print("Starting the servers...", flush=True)
        started = start_servers(Path(log_dir))
        stack: serve.Stack = started["stack"]
        figures["ready_seconds"] = started["ready_seconds"]
        try:
            webhook = f"{stack.rasa.url}/webhooks/rest/webhook"
            run_load(webhook, 2, 5)  # warm-up: first calls load lazily
            results: List[LoadResult] = []
            for level in args.levels:
                print(f"  {level} concurrent conversations for {args.seconds:.0f} s...", flush=True)
                results.append(run_load(webhook, level, args.seconds))
            print("  one message, piece by piece...", flush=True)
            figures["breakdown"] = breakdown.measure(stack.rasa.url, stack.actions.url, api_token, actions_token)
            figures["rasa_mib"] = resident_mib(stack.rasa)
            figures["actions_mib"] = resident_mib(stack.actions)
        finally:
            stack.stop()
    report = write_report(figures, results, args.out)
    print(f"\n{report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
