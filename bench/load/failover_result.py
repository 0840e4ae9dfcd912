"""The failover drill's timeline and per-target outcome, from bench/run's failover.env (times of
the switchover and of what Patroni said) and pgroute_write_drill's JSON (per target: the longest
time without a commit, every error with its SQLSTATE)."""

import json
from collections import Counter

# The drill's targets, in the order the table shows them, and what each one is.
TARGETS = {
    "pgroute": "pgroute, polling every node's `GET /patroni`",
    "pgroute_proxy": "pgroute, `auth.mode: proxy` (idle sessions move to the new leader)",
    "haproxy": "HAProxy, the seeds' `httpchk GET /primary`",
    "direct": "no proxy: libpq multi-host, `target_session_attrs=read-write`",
}


def seconds(text):
    """'1s' or '500ms' (pgroute's and HAProxy's duration syntax) in seconds."""
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.rstrip("s"))


def read_env(path):
    with open(path) as env:
        return dict(line.rstrip("\n").split("=", 1) for line in env if "=" in line)


def error_kind(error):
    """What a client saw: a SQLSTATE, with "by pgroute" when pgroute wrote the error (its
    messages name itself or the node it speaks for), or libpq's own reason when no ErrorResponse
    came (a reset, a refused connection, a read-only session): the text after the last
    "failed: ", so that ports and hosts do not split one kind."""
    message = error["message"]
    if error["sqlstate"]:
        first_error = message[message.find("FATAL"):] if "FATAL" in message else message
        first_line = first_error.split("\n", 1)[0]
        by_pgroute = "pgroute" in first_line or 'to node "' in first_line
        return error["sqlstate"] + (" by pgroute" if by_pgroute else "")
    reason = message.rsplit("failed: ", 1)[-1].strip().split("\n", 1)[0]
    return f"no SQLSTATE ({reason or '?'})"


def summarize(env_path, drill_path):
    env = read_env(env_path)
    with open(drill_path) as drill_file:
        drill = json.load(drill_file)
    t0 = float(env["switchover_at"])
    poll = seconds(env["pgroute_poll_interval"])
    promotion = float(env["promoted_at"]) - t0
    out = {
        "old_leader": env["old_leader"], "candidate": env["candidate"],
        "switchovers": int(env["switchovers"]),
        "patroni_promotion_s": promotion,
        "old_leader_not_primary_s": float(env["demoted_at"]) - t0,
        "patronictl_returned_s": float(env["patronictl_returned_at"]) - t0,
        "pgroute_poll_interval_s": poll,
        "pgroute_fast_interval_s": seconds(env["pgroute_fast_interval"]),
        "haproxy_check_interval_s": seconds(env["haproxy_check_interval"]),
        "targets": {},
    }
    for target in drill["targets"]:
        gap = target["longest_gap"]
        kinds = Counter(error_kind(e) for e in target["errors"])
        out["targets"][target["name"]] = {
            "attempts": target["attempts"], "commits": target["commits"],
            "interval_ms": target["interval_ms"],
            "outage_s": gap["seconds"] if gap else None,
            "outage_from_s": gap["from"] - t0 if gap else None,
            "outage_to_s": gap["to"] - t0 if gap else None,
            "errors": dict(kinds),
            "non_postgresql_errors": sum(n for k, n in kinds.items() if k.startswith("no ")),
            "error_samples": {k: next(e["message"] for e in target["errors"]
                                      if error_kind(e) == k) for k in kinds},
        }
    return out


def goal(failover):
    """The issue's drill target for pgroute: outage <= promotion + one poll interval, and every
    error a PostgreSQL one. `met` is None when pgroute's numbers are missing."""
    mine = failover["targets"].get("pgroute")
    bound = failover["patroni_promotion_s"] + failover["pgroute_poll_interval_s"]
    text = "failover drill: pgroute's write outage <= Patroni's promotion + 1 poll, no " \
           "non-PostgreSQL error"
    if not mine or mine["outage_s"] is None:
        return {"goal": text, "measured": None, "met": None}
    return {"goal": text,
            "measured": f"{mine['outage_s']:.2f} s vs {bound:.2f} s; "
                        f"{mine['non_postgresql_errors']} non-PostgreSQL error(s)",
            "met": mine["outage_s"] <= bound and mine["non_postgresql_errors"] == 0}


def proxy_mode_goal(failover):
    """The session-ownership issue's drill target: no client error at all through pgroute in
    proxy mode, where idle sessions move. `met` is None when its numbers are missing."""
    mine = failover["targets"].get("pgroute_proxy")
    text = "failover drill, `auth.mode: proxy`: 0 client errors"
    if not mine or mine["outage_s"] is None:
        return {"goal": text, "measured": None, "met": None}
    errors = sum(mine["errors"].values())
    return {"goal": text,
            "measured": f"{errors} error(s); write outage {mine['outage_s']:.2f} s",
            "met": errors == 0}


def markdown(failover, table):
    def at(value):
        return "–" if value is None else f"{value:.2f}"

    rows = []
    for name, label in TARGETS.items():
        t = failover["targets"].get(name)
        if t is None:
            continue
        errors = ", ".join(f"{n} × {k}" for k, n in sorted(t["errors"].items())) or "none"
        rows.append([label, at(t["outage_s"]), f"{at(t['outage_from_s'])} → {at(t['outage_to_s'])}",
                     f"{t['commits']} / {t['attempts']}", errors])
    samples = [f"- {name}, {kind}: `{' '.join(sample.split())[:160]}`"
               for name, t in failover["targets"].items()
               for kind, sample in sorted(t["error_samples"].items())]
    return "\n".join([
        "## Failover drill: a write every "
        f"{next(iter(failover['targets'].values()))['interval_ms']} ms across "
        f"{failover['switchovers']} `patronictl switchover`s in a row (the first "
        f"{failover['old_leader']} → {failover['candidate']})", "",
        f"Seconds after the first `patronictl switchover` started: {failover['old_leader']}'s "
        f"`GET /primary` stopped answering 200 at {at(failover['old_leader_not_primary_s'])}, "
        f"{failover['candidate']}'s answered 200 at {at(failover['patroni_promotion_s'])} "
        "(Patroni's promotion time, polled every 20 ms), and patronictl returned at "
        f"{at(failover['patronictl_returned_s'])}. pgroute polls every "
        f"{failover['pgroute_poll_interval_s']:g} s ({failover['pgroute_fast_interval_s']:g} s "
        "while there is no leader); HAProxy checks every "
        f"{failover['haproxy_check_interval_s']:g} s (rise 2, fall 3).", "",
        table(["target", "write outage, s", "outage from → to, s", "commits / attempts",
               "client errors"], rows), "",
        "The write outage is the longest time between two commits. A write that fails is "
        "retried at the next 10 ms tick on a new session. PgBouncer is not in the drill: it has "
        "no way to learn which node leads.", "",
        "First message of each kind of error:", "", *samples, ""])
