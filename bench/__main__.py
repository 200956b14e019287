"""``python -m bench``: run the benchmarks, merge figures into bench/results.json, print a table."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import common
from bench import context as context_bench
from bench import gpu_offload as gpu_bench
from bench import incremental as incremental_bench
from bench import local_inference as local_bench
from bench import review_throughput as review_bench
from bench import scheduler as scheduler_bench
from bench import spec_check as spec_bench
from bench import structured as structured_bench
from protosmith.llm.device import cpu_threads, omp_wait_policy

BENCHMARKS = (
    "scheduler",
    "context",
    "incremental",
    "review",
    "local",
    "gpu",
    "structured",
    "lsp",
    "spec",
)


def main(argv: list[str] | None = None) -> int:
    """Run the selected benchmarks; ``--tiny`` runs each at a smoke-test size."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="run only these")
    parser.add_argument("--tiny", action="store_true", help="smallest sizes (a smoke test)")
    parser.add_argument("--output", type=Path, default=common.RESULTS_PATH, help="results file")
    args = parser.parse_args(argv)
    selected = args.only or list(BENCHMARKS)
    # One OpenMP wait policy for the whole run, so raw llama-cpp-python (in this process) and
    # protosmith's worker (a child) wait the same way: the local figures then compare plumbing.
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = omp_wait_policy(cpu_threads()) or "ACTIVE"
    started = time.perf_counter()
    if "scheduler" in selected:
        if args.tiny:
            scheduler_bench.run(
                sizes=(2, 3),
                concurrencies=(1, 2),
                compression=1e-5,
                repeats=1,
                overhead_tasks=50,
                rates=scheduler_bench.Rates(**scheduler_bench.DEFAULT_RATES, source="defaults"),
            )
        else:
            scheduler_bench.run()
    if "context" in selected:
        if args.tiny:
            context_bench.run(components=3, functions=2, budget=2048)
        else:
            context_bench.run()
    if "incremental" in selected:
        incremental_bench.run()
    if "review" in selected:
        review_bench.run(**({"files": 30} if args.tiny else {}))
    if "local" in selected:
        local_bench.run(**({"prompts": 2, "max_tokens": 16} if args.tiny else {}))
    if "gpu" in selected:  # records nothing on a CPU-only llama.cpp build (says so)
        gpu_bench.run(**({"prompts": 2, "max_tokens": 16} if args.tiny else {}))
    if "structured" in selected:
        structured_bench.run(**({"count": 2} if args.tiny else {}))
    if "lsp" in selected:
        from bench import lsp_latency

        lsp_latency.run(
            **({"requests": 40, "review_copies": 3, "save_s": 1.0} if args.tiny else {})
        )
    if "spec" in selected:
        spec_bench.run(**({"size": 200_000, "repeats": 1} if args.tiny else {}))
    common.write_results(args.output)
    print(common.format_table(common.figures()))
    print(
        f"\n{len(common.figures())} figures in {time.perf_counter() - started:.1f} s -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
