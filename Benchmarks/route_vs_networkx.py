#!/usr/bin/env python3
"""Ferry router vs networkx: same graphs, same queries, identical costs required.

For each graph (50 chains / 2,000 lanes, and the Lightning-size preset of 16,000 nodes / 80,000 lanes) the
script generates the graph with `ferry route gen`, picks seeded random exact-output queries, and answers them
twice:
  * networkx: Dijkstra on backward amounts over an nx.MultiDiGraph (G.pred adjacency, heapq), exact Python
    integers: a lane delivering `out` needs out + flat_fee + ceil(out * fee_ppm / 1e6), usable if out <= capacity;
  * ferry: `ferry route bench`, one process for all queries, timing each query inside the process (start-up and
    graph loading are not measured; nor are they for networkx).
Every query's cost (amount to send, or "no route") must be identical; then p50/p95 times and the ratio print.

Usage: python3 Benchmarks/route_vs_networkx.py [--ferry .build/release/ferry] [--queries 200] [--seed 1]
Python 3.6+, networkx.
"""
import argparse
import heapq
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import networkx as nx


def load(path):
    with open(path) as f:
        data = json.load(f)
    g = nx.MultiDiGraph()
    for n in data["nodes"]:
        g.add_node(n["id"])
    for lane in data["lanes"]:
        cap = lane.get("capacity")
        g.add_edge(lane["from"], lane["to"], flat=int(lane["flat_fee"]), ppm=int(lane["fee_ppm"]),
                   cap=int(cap) if cap is not None else None)
    return g


def nx_backward_dijkstra(g, source, target, deliver):
    """Least amount to send from `source` so that `deliver` arrives at `target` (None when unreachable)."""
    dist = {target: deliver}
    done = set()
    heap = [(deliver, target)]
    pred = g.pred
    while heap:
        amount, v = heapq.heappop(heap)
        if v in done:
            continue
        if v == source:
            return amount
        done.add(v)
        for u, lanes in pred[v].items():
            if u in done:
                continue
            for data in lanes.values():
                cap = data["cap"]
                if cap is not None and amount > cap:
                    continue
                need = amount + data["flat"] + (-(-amount * data["ppm"] // 1000000))
                if need < dist.get(u, need + 1):
                    dist[u] = need
                    heapq.heappush(heap, (need, u))
    return None


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def run(ferry, name, gen_args, queries, seed, workdir):
    graph_path = os.path.join(workdir, name + ".json")
    subprocess.check_call([ferry, "route", "gen"] + gen_args + ["-o", graph_path])
    g = load(graph_path)
    nodes = sorted(g.nodes())
    rng = random.Random(seed)
    qs = []
    while len(qs) < queries:
        a, b = rng.choice(nodes), rng.choice(nodes)
        if a != b:
            qs.append({"from": a, "to": b, "deliver": str(rng.randint(10 ** 6, 10 ** 9))})
    q_path = os.path.join(workdir, name + "-queries.json")
    with open(q_path, "w") as f:
        json.dump(qs, f)

    nx_costs, nx_times = [], []
    for q in qs:
        t0 = time.perf_counter()
        cost = nx_backward_dijkstra(g, q["from"], q["to"], int(q["deliver"]))
        nx_times.append(time.perf_counter() - t0)
        nx_costs.append(cost)

    out = subprocess.check_output([ferry, "route", "bench", "--graph", graph_path, "--queries", q_path, "--repeat", "1"])
    ferry_costs, ferry_times = [], []
    for line in out.decode().splitlines():
        r = json.loads(line)
        ferry_costs.append(int(r["send"]) if "send" in r else None)
        ferry_times.append(r["ns"] / 1e9)
    mismatches = [i for i, (a, b) in enumerate(zip(nx_costs, ferry_costs)) if a != b]
    routed = sum(1 for c in nx_costs if c is not None)
    nx_p50, f_p50 = percentile(nx_times, 50), percentile(ferry_times, 50)
    print("%s: %d nodes, %d lanes, %d queries (%d routable)" % (name, g.number_of_nodes(), g.number_of_edges(), len(qs), routed))
    print("  networkx p50 %.3f ms  p95 %.3f ms" % (nx_p50 * 1e3, percentile(nx_times, 95) * 1e3))
    print("  ferry    p50 %.3f ms  p95 %.3f ms" % (f_p50 * 1e3, percentile(ferry_times, 95) * 1e3))
    print("  speed-up p50 %.1fx; identical costs: %s" % (nx_p50 / f_p50 if f_p50 > 0 else float("inf"),
                                                      "yes" if not mismatches and len(ferry_costs) == len(qs) else "NO"))
    for i in mismatches[:5]:
        print("  MISMATCH query %d %s: networkx %s, ferry %s" % (i, qs[i], nx_costs[i], ferry_costs[i]))
    return not mismatches and len(ferry_costs) == len(qs)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ferry", default=os.path.join(here, "..", ".build", "release", "ferry"))
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", choices=["small", "lightning"])
    args = p.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as workdir:
        if args.only in (None, "small"):
            ok &= run(args.ferry, "chains50-lanes2000", ["--chains", "50", "--lanes", "2000", "--seed", str(args.seed)],
                      args.queries, args.seed, workdir)
        if args.only in (None, "lightning"):
            ok &= run(args.ferry, "lightning", ["--preset", "lightning", "--seed", str(args.seed)], args.queries, args.seed, workdir)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
