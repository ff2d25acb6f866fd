#!/usr/bin/env python3
"""Per-phase numbers of a recorded run (docs/default-scenario.md measures the bookstore with it).

    meshsim-cli run SCENARIO --record RUN.rec --record-budget 1GiB -q
    tools/phase_report.py RUN.rec --phases 10,40,70,100,120

For each phase [a, b): the client requests sent in it (error rate, outcomes, p99, per route), the
mean utilisation of every node, the call edges that retried or failed (calls/s, tries/s, share
failed), the instances ejected and the breakers open, and the state changes. Request numbers come
from the recorded requests, so they are exact only when the recording kept all of them (a sample
of 100%: give it a budget large enough; the script says when it did not); the other numbers come
from the recording's per-window series (a window counts what ended in it) and are always complete.
"""
import argparse
import collections
import json
import math
import os
import subprocess
import sys


def nearest_rank(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, math.ceil(q * len(values)) - 1)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recording", help="a recording written by meshsim-cli run --record")
    p.add_argument("--phases", required=True, help="phase boundaries in seconds, e.g. 10,40,70,100,120")
    p.add_argument("--cli", default=os.path.join(here, "..", "build", "default", "app", "meshsim-cli"),
                   help="the meshsim-cli to read the recording with")
    a = p.parse_args()
    bounds = [float(x) for x in a.phases.split(",")]
    phases = list(zip(bounds, bounds[1:]))

    proc = subprocess.Popen([a.cli, "recording", a.recording, "--jsonl"], stdout=subprocess.PIPE, text=True)
    header, windows, states, end = None, [], [], None
    requests = []  # (sent s, latency ms, outcome, route)
    for line in proc.stdout:
        o = json.loads(line)
        t = o["type"]
        if t == "request":
            h = o["hops"][0]
            requests.append((h["start_ns"] / 1e9, (h["end_ns"] - h["start_ns"]) / 1e6, h["outcome"], o["route"]))
        elif t == "window":
            windows.append(o)
        elif t == "state":
            states.append(o)
        elif t == "header":
            header = o
        elif t == "end":
            end = o
    if proc.wait() != 0 or header is None:
        sys.exit("cannot read " + a.recording)

    view = header["view"]
    names = [c["name"] for c in view["components"]]
    tiers = names[view["first_tier"]:]
    routes = [r["path"] for r in view["routes"]]
    nodes = [n["name"] for n in view["nodes"] if not n["clients"]]
    edges = [f"{names[f]} -> {names[t]}" for f, t in header["layout"]["edges"]]
    window_s = header["window_ns"] / 1e9
    print(f"{header['scenario']} ({view['architecture']}, {header['engine']}, seed {header['seed']})")
    if end and end["requests"] != end["requests_seen"]:
        print(f"warning: the recording kept {end['requests']} of {end['requests_seen']} requests: "
              "request numbers are those of a sample (raise --record-budget)")

    for lo, hi in phases:
        sent = [r for r in requests if lo <= r[0] < hi]
        bad = collections.Counter(r[2] for r in sent if r[2] != "ok")
        err = sum(bad.values()) / max(1, len(sent))
        print(f"\n[{lo:g} s, {hi:g} s): {len(sent)} requests, errors {100 * err:.2f}%, "
              f"p99 {nearest_rank([r[1] for r in sent], 0.99):.1f} ms" + (f"  {dict(bad)}" if bad else ""))
        for i, path in enumerate(routes):
            rs = [r for r in sent if r[3] == i]
            e = sum(1 for r in rs if r[2] != "ok") / max(1, len(rs))
            print(f"  {path:12s} {len(rs):7d} requests, errors {100 * e:6.2f}%, p99 {nearest_rank([r[1] for r in rs], 0.99):8.1f} ms")
        ws = [w for w in windows if lo <= w["index"] * window_s < hi]
        if not ws:
            continue
        n = len(ws)
        print("  node CPU     " + ", ".join(f"{nodes[k]} {100 * sum(w['nodes'][k] for w in ws) / n:.0f}%" for k in range(len(nodes))))
        for k, e in enumerate(edges):
            calls = sum(sum(w["edges"][k]["calls"]["outcomes"].values()) for w in ws)
            tries = sum(w["edges"][k]["attempts"] for w in ws)
            failed = calls - sum(w["edges"][k]["calls"]["outcomes"].get("ok", 0) for w in ws)
            breakers = max(w["edges"][k]["breakers_open"] for w in ws)
            if tries > calls * 1.01 or failed > calls * 0.01 or breakers:
                print(f"  {e:28s} {calls / (n * window_s):7.1f} calls/s {tries / (n * window_s):7.1f} tries/s "
                      f"{100 * failed / max(1, calls):5.1f}% failed" + (f", breakers open: {breakers}" if breakers else ""))
        ejected = {t: max(w["tiers"][k]["ejected_max"] for w in ws) for k, t in enumerate(tiers)}
        if any(ejected.values()):
            print("  ejected      " + ", ".join(f"{t} {v}" for t, v in ejected.items() if v))
        for s in states:
            at = s["at_ns"] / 1e9
            if lo <= at < hi:
                who = f"{names[s['component']]}/{s['instance']}"
                if s["target"] is not None:
                    who += f" -> {names[s['target']]}" + (f"/{s['host']}" if s["host"] is not None else "")
                what = s["kind"] + (f" {s['breaker']}" if s["kind"] == "circuit_breaker" else "")
                print(f"  {at:8.3f} s   {what:22s} {who}")


if __name__ == "__main__":
    main()
