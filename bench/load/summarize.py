"""Turns the points of one bench/run into results.json, results.md (ratios to direct, the
issue's goals, the failover drill, and with --baseline pgroute against pgroute built at another
revision) and tps_vs_clients.svg. The median of the rounds stands for each point."""

import argparse
import json
import os
import platform
import statistics
import sys

import failover_result
from svg_plot import tps_vs_clients_svg

TARGETS = ["direct", "pgroute", "pgroute-proxy", "haproxy", "pgbouncer"]
MEASURES = ["tps", "latency_avg_us", "latency_p50_us", "latency_p99_us",
            "proxy_cpu_s_per_1000_tx"]


def targets_with(baseline):
    """The targets in the order of every table: a baseline build of pgroute next to pgroute."""
    return TARGETS[:2] + [baseline] + TARGETS[2:] if baseline else list(TARGETS)


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        mem_kib = int(meminfo.readline().split()[1])
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "memory_gib": round(mem_kib / 2**20, 1)}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(points, targets):
    """{scenario: {"meta": ..., "results": {target: medians and rounds}}} in run order."""
    scenarios = {}
    for p in points:
        entry = scenarios.setdefault(p["scenario"], {
            "endpoint": p["endpoint"], "protocol": p["protocol"], "clients": p["clients"],
            "user": p.get("user", "postgres"), "rounds": {}})
        entry["rounds"].setdefault(p["target"], []).append(p)
    for entry in scenarios.values():
        rounds = entry.pop("rounds")
        entry["results"] = {}
        for target in targets:
            runs = rounds.get(target, [])
            ok = bool(runs) and all(r["ok"] for r in runs)
            result = {"ok": ok, "rounds": len(runs)}
            for measure in MEASURES:
                result[measure] = median([r.get(measure) for r in runs if r["ok"]])
            result["tps_rounds"] = [r.get("tps") for r in runs]
            entry["results"][target] = result
        direct_tps = entry["results"]["direct"]["tps"]
        for result in entry["results"].values():
            result["tps_ratio_to_direct"] = (
                result["tps"] / direct_tps if result["tps"] and direct_tps else None)
    return scenarios


def tps_round_spread(scenarios):
    """How far apart the rounds of one point are (best / worst - 1), over all points."""
    spreads = [max(r["tps_rounds"]) / min(r["tps_rounds"]) - 1
               for s in scenarios.values() for r in s["results"].values()
               if r["ok"] and len(r["tps_rounds"]) > 1 and min(r["tps_rounds"]) > 0]
    return {"median": median(spreads), "max": max(spreads, default=None)}


def cpu_per_1000_over(points, target, prefix):
    chosen = [p for p in points if p["target"] == target and p["scenario"].startswith(prefix)
              and p["ok"] and "proxy_cpu_s" in p]
    tx = sum(p["transactions"] for p in chosen)
    return sum(p["proxy_cpu_s"] for p in chosen) / (tx / 1000) if tx else None


def idle_memory(idle_points):
    out = {}
    for p in idle_points:
        growth = p["rss_open_kib"] - p["rss_before_kib"]
        out[p["target"]] = {**{k: p[k] for k in ("sessions", "rss_before_kib", "rss_open_kib")},
                            "kib_per_session": growth / p["sessions"]}
    return out


def result_of(scenarios, name, target, measure):
    return scenarios.get(name, {}).get("results", {}).get(target, {}).get(measure)


def quotient(mine, theirs):
    return mine / theirs if mine is not None and theirs else None


def baseline_comparison(scenarios, cpu_select, idle, baseline):
    """pgroute against the same proxy built at the --baseline revision, point by point."""
    def cpu(name, target):
        return result_of(scenarios, name, target, "proxy_cpu_s_per_1000_tx")

    return {
        "target": baseline,
        "scenarios": {
            name: {"tps_ratio": quotient(result_of(scenarios, name, "pgroute", "tps"),
                                         result_of(scenarios, name, baseline, "tps")),
                   "cpu_per_1000_tx_ratio": quotient(cpu(name, "pgroute"), cpu(name, baseline))}
            for name in scenarios},
        "cpu_per_1000_tx_ratio_select": quotient(cpu_select.get("pgroute"),
                                                 cpu_select.get(baseline)),
        "idle_kib_per_session": {t: idle.get(t, {}).get("kib_per_session")
                                 for t in ("pgroute", baseline)},
    }


def goals(scenarios, cpu_select, idle, connect_name):
    """The issue's targets, measured; `met` is None when a number is missing."""
    def check(goal, measured, met):
        return {"goal": goal, "measured": measured, "met": met}

    out = []
    for protocol in ("simple", "prepared"):
        ratio = result_of(scenarios, f"select-{protocol}-c32", "pgroute", "tps_ratio_to_direct")
        out.append(check(f"pgroute/direct TPS >= 0.97 at -S -M {protocol} -c 32",
                         None if ratio is None else f"{ratio:.3f}",
                         None if ratio is None else ratio >= 0.97))
    for protocol in ("simple", "prepared"):
        name = f"select-{protocol}-c32"
        mine, theirs = (result_of(scenarios, name, t, "tps") for t in ("pgroute-proxy", "pgroute"))
        ratio = quotient(mine, theirs)
        out.append(check(f"auth.mode proxy TPS >= 0.95 x passthrough at -S -M {protocol} -c 32",
                         None if ratio is None else f"{ratio:.3f}",
                         None if ratio is None else ratio >= 0.95))
    mine, theirs = cpu_select.get("pgroute"), cpu_select.get("haproxy")
    out.append(check("pgroute CPU per 1000 tx <= 0.5 x HAProxy's (all -S points)",
                     None if not (mine and theirs) else
                     f"{mine * 1000:.1f} ms vs {theirs * 1000:.1f} ms = {mine / theirs:.2f}x",
                     None if not (mine and theirs) else mine <= 0.5 * theirs))
    for protocol in ("simple", "prepared"):
        name = f"select-{protocol}-c1"
        p99, base = (result_of(scenarios, name, t, "latency_p99_us") for t in ("pgroute", "direct"))
        added = None if p99 is None or base is None else p99 - base
        out.append(check(f"added p99 <= 50 us at 1 client (-M {protocol})",
                         None if added is None else f"{added:+.0f} us ({p99} vs {base})",
                         None if added is None else added <= 50))
    per_session = idle.get("pgroute", {}).get("kib_per_session")
    out.append(check("<= 2 KiB per idle session",
                     None if per_session is None else f"{per_session:.2f} KiB",
                     None if per_session is None else per_session <= 2))
    mine, theirs = (result_of(scenarios, connect_name, t, "tps") for t in ("pgroute", "haproxy"))
    out.append(check("connection rate >= HAProxy's",
                     None if not (mine and theirs) else f"{mine:.0f}/s vs {theirs:.0f}/s",
                     None if not (mine and theirs) else mine >= theirs))
    return out


def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def cell(result, measure, digits=0, ratio=False):
    if not result["ok"]:
        return "**FAILED**"
    text = fmt(result[measure], digits)
    if ratio and result["tps_ratio_to_direct"] is not None:
        text += f" ({result['tps_ratio_to_direct']:.2f})"
    return text


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(summary):
    run, m, scenarios = summary["run"], summary["machine"], summary["scenarios"]
    by_family = {f: {n: s for n, s in scenarios.items() if n.startswith(f)}
                 for f in ("select-", "tpcb-", "connect-")}
    load_plan = (f": {run['mode']} mode, {run['seconds_per_point']} s per point, "
                 f"{run['rounds']} round(s) (median shown), pgbench scale {run['scale']}"
                 if scenarios else "")
    baseline = summary.get("baseline")
    out = ["# Load benchmark: pgroute, "
           f"{baseline['target'] + ', ' if baseline else ''}HAProxy, PgBouncer and direct", "",
           f"Run `{run['command']}` on {run['started_at']}{load_plan}.",
           f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, kernel "
           f"{m['kernel']}; load average {run['load_before']} before, {run['load_after']} after. "
           "Client, proxies and both servers share these cores.",
           "Versions: " + "; ".join(f"{k}: {v}" for k, v in run["versions"].items()) + ".", ""]
    if scenarios:
        out += load_markdown(summary, by_family)
    if summary.get("failover"):
        out += [failover_result.markdown(summary["failover"], table)]
    out += ["## The issue's targets, as measured", "",
            table(["target", "measured", "met"],
                  [[g["goal"], g["measured"] or "–",
                    {True: "yes", False: "**no**", None: "–"}[g["met"]]]
                   for g in summary["goals"]]), ""]
    if scenarios:
        out += ["![TPS against clients](tps_vs_clients.svg)", "", *HOW_MEASURED]
    if scenarios and baseline:
        out[-1:] = [f"- {baseline['target']}: pgroute built (Release) at that revision, with "
                    "the same config on ports of its own, in the same rotation as the other "
                    "targets; it is not in the failover drill.", ""]
    return "\n".join(out)


def baseline_markdown(summary):
    """pgroute against its --baseline build, point by point, as measured in this run."""
    comparison, scenarios = summary["baseline"], summary["scenarios"]
    base, cpu_select = comparison["target"], summary["cpu_s_per_1000_tx_select"]

    def ms(seconds):
        return None if seconds is None else seconds * 1000

    rows = [[n, cell(s["results"]["pgroute"], "tps"), cell(s["results"][base], "tps"),
             fmt(comparison["scenarios"][n]["tps_ratio"], 3),
             fmt(ms(s["results"]["pgroute"]["proxy_cpu_s_per_1000_tx"]), 1),
             fmt(ms(s["results"][base]["proxy_cpu_s_per_1000_tx"]), 1),
             fmt(comparison["scenarios"][n]["cpu_per_1000_tx_ratio"], 3)]
            for n, s in scenarios.items()]
    rows.append(["**all -S points**", "", "", "", fmt(ms(cpu_select.get("pgroute")), 1),
                 fmt(ms(cpu_select.get(base)), 1),
                 fmt(comparison["cpu_per_1000_tx_ratio_select"], 3)])
    idle = comparison["idle_kib_per_session"]
    return [f"## pgroute vs {base}", "",
            f"Both builds in this run, in the same rotation. The ratios are pgroute's over "
            f"{base}'s: a TPS ratio above 1 is more throughput, a CPU ratio below 1 is less "
            "proxy CPU per 1,000 transactions. A difference within the noise between rounds is "
            "not a result.", "",
            table(["scenario", "TPS pgroute", f"TPS {base}", "TPS ratio",
                   "CPU ms/1,000 tx pgroute", f"CPU ms/1,000 tx {base}", "CPU ratio"], rows), "",
            f"KiB per idle session ({summary['run']['idle_sessions']} open): pgroute "
            f"{fmt(idle['pgroute'], 2)}, {base} {fmt(idle[base], 2)}.", ""]


def load_markdown(summary, by_family):
    run, scenarios, out = summary["run"], summary["scenarios"], []
    targets = summary["targets"]
    proxies = targets[1:]
    spread = summary["tps_round_spread"]
    if spread["median"] is not None:
        out += [f"Noise: between rounds of one point, the best TPS exceeds the worst by "
                f"{spread['median']:.0%} in the median point (at most {spread['max']:.0%}). "
                "Differences smaller than that are not a result.", ""]
    if summary.get("baseline"):
        out += baseline_markdown(summary)

    out += ["## Select-only (`pgbench -S`) on the replica: TPS (ratio to direct)", "",
            table(["protocol", "clients"] + targets,
                  [[s["protocol"], s["clients"]] +
                   [cell(s["results"][t], "tps", ratio=True) for t in targets]
                   for s in by_family["select-"].values()]), "",
            "## Select-only latency, µs: average / p99 (from the per-transaction log)", "",
            table(["protocol", "clients"] + targets,
                  [[s["protocol"], s["clients"]] +
                   [f"{cell(s['results'][t], 'latency_avg_us')} / "
                    f"{cell(s['results'][t], 'latency_p99_us')}" for t in targets]
                   for s in by_family["select-"].values()]), "",
            "## Writes (`tpcb-like`) on the primary: TPS (ratio), p99 µs", "",
            table(["clients"] + targets,
                  [[s["clients"]] + [f"{cell(s['results'][t], 'tps', ratio=True)}, "
                                     f"{cell(s['results'][t], 'latency_p99_us')}"
                                     for t in targets]
                   for s in by_family["tpcb-"].values()]), "",
            "## Connection rate (`pgbench -C -S`): new sessions per second (ratio)", "",
            "The trusted user, and a user with a SCRAM verifier that the servers ask for SCRAM "
            "(pgroute in passthrough and HAProxy pass the exchange to the server; pgroute-proxy "
            "and PgBouncer authenticate the client themselves and log into the server with the "
            "keys of its proof).", "",
            table(["clients", "user"] + targets,
                  [[s["clients"], s["user"]] +
                   [cell(s["results"][t], "tps", ratio=True) for t in targets]
                   for s in by_family["connect-"].values()]), "",
            "## Proxy cost", "",
            "CPU of the proxy process (utime + stime, all threads), ms per 1,000 transactions:",
            "",
            table(["scenario"] + proxies,
                  [[n] + [fmt(None if s["results"][t]["proxy_cpu_s_per_1000_tx"] is None else
                              s["results"][t]["proxy_cpu_s_per_1000_tx"] * 1000, 1)
                          for t in proxies] for n, s in scenarios.items()] +
                  [["**all -S points**"] + [fmt(None if summary["cpu_s_per_1000_tx_select"].get(t)
                                                is None else
                                                summary["cpu_s_per_1000_tx_select"][t] * 1000, 1)
                                            for t in proxies]]), "",
            "Memory: peak RSS over the whole run, and RSS growth per idle session (sessions "
            "opened on a freshly started proxy, each ran one query, then waited):", "",
            table(["", *proxies],
                  [["peak RSS, MiB"] + [fmt(summary["peak_rss_kib"].get(t, 0) / 1024, 1)
                                        for t in proxies],
                   [f"KiB per idle session ({run['idle_sessions']} open)"] +
                   [fmt(summary["idle_sessions"].get(t, {}).get("kib_per_session"), 2)
                    for t in proxies]]), ""]
    return out


HOW_MEASURED = [
            "## How it was measured", "",
            "- One PostgreSQL 15 primary and one streaming replica (fsync off, 256MB shared "
            "buffers); reads go to the replica, writes to the primary, through every target.",
            "- pgroute: static mode, `threads: auto`, `log_level: warn`; pgroute-proxy the same "
            "with `auth.mode: proxy` and an `auth_file`. HAProxy: the seeds' "
            "`haproxy.cfg` in tcp mode with plain `check` (`inter 3s fall 3 rise 2 "
            "on-marked-down shutdown-sessions`), threads as it picks them. PgBouncer: session "
            "mode, `auth_type hba` (trust, SCRAM for the SCRAM user), pool of 260. No proxy "
            "logs a line per session. The configs are in `bench/load/configs/`.",
            "- pgbench runs on the same machine, `-j` up to the core count, bounded by `-T` plus "
            "the time its clients take to connect (excluded from TPS). Latency average and p99 "
            "come from pgbench's per-transaction log (`-l`).",
            "- Points are interleaved: for each scenario, for each round, every target in an "
            "order rotated each time. The proxy's CPU is utime + stime from `/proc/PID/stat` "
            "around each point, over the transactions pgbench completed.", ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", required=True, help="how bench/run was called")
    parser.add_argument("--mode", required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--idle-sessions", type=int, required=True)
    parser.add_argument("--started-at", required=True)
    parser.add_argument("--load-before", required=True)
    parser.add_argument("--load-after", required=True)
    parser.add_argument("--version", action="append", default=[], help="NAME=TEXT")
    parser.add_argument("--failover", help="the drill's failover.env (with --drill)")
    parser.add_argument("--drill", help="pgroute_write_drill's JSON (with --failover)")
    parser.add_argument("--baseline", help="the target name of pgroute built at another "
                        "revision (pgroute@HASH), compared with pgroute")
    args = parser.parse_args()
    targets = targets_with(args.baseline)
    proxies = targets[1:]

    with open(args.points) as raw:
        all_points = [json.loads(line) for line in raw if line.strip()]
    points = [p for p in all_points if p["kind"] == "pgbench"]
    scenarios = aggregate(points, targets)
    connect_name = next((n for n in scenarios if n.startswith("connect-")), "")
    cpu_select = {t: cpu_per_1000_over(points, t, "select-") for t in proxies}
    idle = idle_memory([p for p in all_points if p["kind"] == "idle"])
    failover = (failover_result.summarize(args.failover, args.drill)
                if args.failover and args.drill else None)
    measured_goals = goals(scenarios, cpu_select, idle, connect_name) if scenarios else []
    if failover:
        measured_goals.append(failover_result.goal(failover))
        measured_goals.append(failover_result.proxy_mode_goal(failover))
    summary = {
        "machine": machine(),
        "run": {"command": args.command,
                "mode": args.mode, "seconds_per_point": args.seconds, "rounds": args.rounds,
                "scale": args.scale, "idle_sessions": args.idle_sessions,
                "started_at": args.started_at,
                "load_before": args.load_before, "load_after": args.load_after,
                "versions": dict(v.split("=", 1) for v in args.version)},
        "targets": targets,
        "scenarios": scenarios,
        "tps_round_spread": tps_round_spread(scenarios),
        "cpu_s_per_1000_tx_select": cpu_select,
        "peak_rss_kib": {t: max((p.get("proxy_peak_rss_kib", 0) for p in points
                                 if p["target"] == t), default=0) for t in proxies},
        "idle_sessions": idle,
        "failover": failover,
        "goals": measured_goals,
    }
    if args.baseline:
        summary["baseline"] = baseline_comparison(scenarios, cpu_select, idle, args.baseline)
    summary["points"] = all_points
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump(summary, out, indent=1)
        out.write("\n")
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(markdown(summary))
    if args.baseline and scenarios:
        print("\n".join(baseline_markdown(summary)))
    if not scenarios:
        return 0
    panels = [(f"select-only, -M {protocol}",
               {t: {s["clients"]: s["results"][t]["tps"] for n, s in scenarios.items()
                    if n.startswith(f"select-{protocol}-")} for t in targets})
              for protocol in ("simple", "prepared")]
    subtitle = (f"{summary['machine']['cores']} cores, kernel {summary['machine']['kernel']}, "
                f"{args.mode} run {args.started_at}; pgbench on the same machine")
    with open(os.path.join(args.out, "tps_vs_clients.svg"), "w") as out:
        out.write(tps_vs_clients_svg(panels, targets, subtitle))
    return 0


if __name__ == "__main__":
    sys.exit(main())
