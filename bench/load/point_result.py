"""One pgbench run as one JSON line: throughput from pgbench's report, latency from its
per-transaction log (-l), and the proxy's CPU time and peak RSS measured around the run."""

import argparse
import glob
import json
import math
import os
import re
import sys


def report_number(report, pattern):
    match = re.search(pattern, report, re.MULTILINE)
    return float(match.group(1)) if match else None


def latencies_us(log_dir):
    # Log line: client_id transaction_no time_us script_no epoch_s epoch_us [...]; a failed
    # transaction has a word instead of a time and is counted by pgbench's report instead.
    times = []
    for path in glob.glob(os.path.join(log_dir, "tx.*")):
        with open(path) as log:
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    times.append(int(fields[2]))
    return sorted(times)


def percentile(sorted_values, fraction):
    # Nearest rank: the smallest value with at least `fraction` of all values at or below it.
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, help="pgbench's stdout and stderr")
    parser.add_argument("--logs", required=True, help="directory of the tx.* logs")
    parser.add_argument("--exit-code", type=int, required=True)
    parser.add_argument("--min-window-seconds", type=float, required=True,
                        help="the least time left for transactions once every client is connected")
    parser.add_argument("--cpu-ticks", type=int, required=True)
    parser.add_argument("--clock-ticks", type=int, required=True)
    parser.add_argument("--peak-rss-kib", type=int, required=True)
    parser.add_argument("--proxy", default="", help="non-empty when a proxy process was measured")
    parser.add_argument("--field", action="append", default=[], help="KEY=VALUE copied as is")
    args = parser.parse_args()

    with open(args.out) as out:
        report = out.read()
    point = {"kind": "pgbench"}
    for field in args.field:
        key, value = field.split("=", 1)
        point[key] = int(value) if value.isdigit() else value

    transactions = report_number(report, r"^number of transactions actually processed: (\d+)")
    failed = report_number(report, r"^number of failed transactions: (\d+)")
    aborted = re.search(r"aborted|FATAL|error", report, re.IGNORECASE) is not None
    times = latencies_us(args.logs)
    duration = report_number(report, r"^duration: (\d+) s")
    connect_ms = report_number(report, r"^initial connection time = ([\d.]+) ms") or 0.0
    point["initial_connection_ms"] = connect_ms
    point["window_s"] = None if duration is None else round(duration - connect_ms / 1000, 3)
    short_window = point["window_s"] is None or point["window_s"] < args.min_window_seconds
    point["ok"] = bool(args.exit_code == 0 and transactions and not failed and not aborted and times
                       and not short_window)
    if not point["ok"]:
        point["error"] = report.strip().splitlines()[-3:] if report.strip() else ["no output"]
        if short_window:
            point["error"].append(f"connecting left {point['window_s']} s to measure")
    point["transactions"] = int(transactions or 0)
    point["failed_transactions"] = int(failed or 0)
    point["tps"] = report_number(report, r"^tps = ([\d.]+)")
    if times:
        point["latency_avg_us"] = round(sum(times) / len(times), 1)
        point["latency_p50_us"] = percentile(times, 0.50)
        point["latency_p99_us"] = percentile(times, 0.99)
    if args.proxy:
        cpu_s = args.cpu_ticks / args.clock_ticks
        point["proxy_cpu_s"] = cpu_s
        if transactions:
            point["proxy_cpu_s_per_1000_tx"] = cpu_s / (transactions / 1000)
        point["proxy_peak_rss_kib"] = args.peak_rss_kib
    json.dump(point, sys.stdout)
    sys.stdout.write("\n")
    return 0 if point["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
