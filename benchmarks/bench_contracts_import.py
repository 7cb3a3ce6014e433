"""Whole-process cost of ``import pipeline_script_contracts`` against an empty interpreter.

Runs ``python -c pass`` and ``python -c "import pipeline_script_contracts"`` alternately,
times each process from spawn to exit, and prints the medians and their ratio.

By default bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``, so the source
tree stays clean), as it is for an installed package. ``--no-bytecode-cache`` keeps
``PYTHONDONTWRITEBYTECODE`` as the caller set it, so an uncached run recompiles the
package's sources every time.

Usage: python benchmarks/bench_contracts_import.py [--runs 30] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BASELINE = "pass"
IMPORT = "import pipeline_script_contracts"


def _time_once(python: str, code: str, env: dict[str, str]) -> float:
    """Wall-clock seconds for one fresh interpreter running ``code``."""
    started = time.perf_counter()
    subprocess.run([python, "-c", code], check=True, env=env)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Time both commands ``--runs`` times each, interleaved, and print the median ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="runs of each command (>= 10)")
    parser.add_argument("--python", default=sys.executable, help="interpreter to time")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="do not cache bytecode; honour PYTHONDONTWRITEBYTECODE from the environment",
    )
    args = parser.parse_args(argv)
    if args.runs < 10:
        parser.error("--runs must be at least 10")

    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as pycache:
        env = dict(os.environ)
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pycache
        for code in (BASELINE, IMPORT):  # warm the file-system and bytecode caches
            _time_once(args.python, code, env)
        baseline: list[float] = []
        imported: list[float] = []
        for _ in range(args.runs):
            baseline.append(_time_once(args.python, BASELINE, env))
            imported.append(_time_once(args.python, IMPORT, env))

    base_ms = statistics.median(baseline) * 1000
    import_ms = statistics.median(imported) * 1000
    cache = "uncached" if args.no_bytecode_cache else "cached"
    print(f"interpreter: {args.python} ({args.runs} runs each, interleaved, bytecode {cache})")
    print(f"python -c {BASELINE!r}: median {base_ms:.1f} ms")
    print(f"python -c {IMPORT!r}: median {import_ms:.1f} ms")
    print(f"ratio: {import_ms / base_ms:.2f}x (import costs {import_ms - base_ms:+.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
