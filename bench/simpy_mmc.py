#!/usr/bin/env python3
"""The benchmark M/M/c queue in SimPy 3, for comparison with capsim (see docs/performance.md).

Arrivals 9/s (Poisson), 10 servers (a simpy.Resource of capacity 10), exponential service with
mean 1 s. Runs until the simulated time in which about CUSTOMERS customers arrive
(CUSTOMERS / 9 s), then prints the customers that arrived, the wall and CPU seconds, and
customers per second (per CPU second: steadier on a shared machine).

Usage: bench/simpy_mmc.py [--customers N] [--seed S] [--json]
Needs SimPy 3 (Debian: python3-simpy3, for /usr/bin/python3).
"""

import argparse
import json
import random
import sys
import time

try:
    import simpy
except ImportError:
    sys.exit("simpy_mmc.py: SimPy is not installed (Debian: apt-get install python3-simpy3; "
             "run it with /usr/bin/python3)")

ARRIVAL_RATE_PER_S = 9.0
SERVICE_RATE_PER_S = 1.0
SERVERS = 10


class Stats:
    def __init__(self):
        self.arrived = 0
        self.departed = 0
        self.sojourn_sum_s = 0.0


def customer(env, servers, rng, stats):
    arrived_s = env.now
    with servers.request() as request:
        yield request
        yield env.timeout(rng.expovariate(SERVICE_RATE_PER_S))
    stats.departed += 1
    stats.sojourn_sum_s += env.now - arrived_s


def source(env, servers, rng, stats):
    while True:
        yield env.timeout(rng.expovariate(ARRIVAL_RATE_PER_S))
        stats.arrived += 1
        env.process(customer(env, servers, rng, stats))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200_000,
                        help="expected customers: runs CUSTOMERS / 9 simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args()

    duration_s = args.customers / ARRIVAL_RATE_PER_S
    rng = random.Random(args.seed)
    stats = Stats()
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=SERVERS)
    env.process(source(env, servers, rng, stats))

    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    env.run(until=duration_s)
    cpu_s = time.process_time() - cpu_start
    wall_s = time.perf_counter() - wall_start

    result = {
        "simpy_version": simpy.__version__,
        "simulated_s": duration_s,
        "customers": stats.arrived,
        "departed": stats.departed,
        "mean_sojourn_s": stats.sojourn_sum_s / stats.departed if stats.departed else 0.0,
        "wall_seconds": wall_s,
        "cpu_seconds": cpu_s,
        "customers_per_wall_second": stats.arrived / wall_s,
        "customers_per_second": stats.arrived / cpu_s,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"SimPy {result['simpy_version']} M/M/{SERVERS}: {stats.arrived} customers in "
              f"{duration_s:.0f} s simulated, mean sojourn {result['mean_sojourn_s']:.3f} s")
        print(f"  wall {wall_s:.2f} s, CPU {cpu_s:.2f} s: "
              f"{result['customers_per_second']:.0f} customers per CPU second "
              f"({result['customers_per_wall_second']:.0f} per wall second)")


if __name__ == "__main__":
    main()
