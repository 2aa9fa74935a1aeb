#!/usr/bin/env python3
"""Turns strata_bench_sqlite's JSON output into the Markdown tables of docs/benchmarks.md.

    build/release/bench/strata_bench_sqlite --benchmark_out=run.json --benchmark_out_format=json
    bench/summarize.py run.json

Prints, per benchmark, the median of every counter over the repetitions and its
coefficient of variation (cv = stddev / mean).
"""
import json
import sys


def main(path: str) -> None:
    with open(path) as f:
        doc = json.load(f)
    aggs: dict[str, dict[str, dict]] = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") != "aggregate":
            continue
        aggs.setdefault(b["run_name"], {})[b["aggregate_name"]] = b
    ctx = doc.get("context", {})
    print(f"host {ctx.get('host_name', '?')}, {ctx.get('num_cpus', '?')} CPUs @ {ctx.get('mhz_per_cpu', '?')} MHz, "
          f"load {ctx.get('load_avg', '?')}, {ctx.get('date', '?')}\n")
    skip = {"name", "family_index", "per_family_instance_index", "run_name", "run_type", "repetitions",
            "threads", "aggregate_name", "aggregate_unit", "iterations", "real_time", "cpu_time", "time_unit",
            "repetition_index", "error_occurred", "error_message"}
    for name, by in aggs.items():
        med, cv = by.get("median"), by.get("cv")
        if med is None:
            continue
        print(f"### {name} ({med.get('repetitions', '?')} repetitions)\n")
        print("| counter | median | cv |")
        print("|---|---:|---:|")
        for key, value in med.items():
            if key in skip or not isinstance(value, (int, float)):
                continue
            c = cv.get(key) if cv else None
            cv_text = f"{100 * c:.1f} %" if isinstance(c, (int, float)) else ""
            print(f"| {key} | {value:.4g} | {cv_text} |")
        print()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/dev/stdin")
