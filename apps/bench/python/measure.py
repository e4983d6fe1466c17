"""One measurement child for the Python systems, standard library only.

The Node harness (src/runner.ts) runs it exactly like its Node children and reads the same
result line, so Python rows have the same metrics, units and JSON shape:

    python3 python/measure.py --system mp-fork --measurement tiny --settings '{...}'
    python3 python/measure.py --system ppe --probe

Systems: mp-fork / mp-spawn are multiprocessing.Pool with that start method; ppe is
concurrent.futures.ProcessPoolExecutor with the platform's default context (fork on Linux
before Python 3.14). Each metric mirrors the TypeScript file of the same name in src/metrics/.
"""

import argparse
import collections
import itertools
import json
import multiprocessing
import os
import resource
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from bench_tasks import echo, fib, inc, square

RESULT_MARKER = 'MPROC_BENCH_RESULT '
MIB = 1024 * 1024


class MpPool:
    """multiprocessing.Pool behind the small interface the metrics use (see src/systems/adapter.ts)."""

    def __init__(self, method, workers):
        self.pool = multiprocessing.get_context(method).Pool(workers)

    def submit(self, fn, arg):
        return self.pool.apply_async(fn, (arg,))

    @staticmethod
    def result(pending):
        return pending.get()

    def map(self, fn, items):
        return self.pool.map(fn, items)  # Python's default chunksize: ceil(n / (4 * workers))

    def stream(self, fn, items, deadline, in_flight):
        # Pool.imap is lazy enough: its feeder thread blocks once the pipe to the workers is full.
        count = 0
        for _ in self.pool.imap(fn, items):
            count += 1
            if time.perf_counter() >= deadline:
                break
        return count

    def close(self):
        self.pool.terminate()


class PpePool:
    """ProcessPoolExecutor behind the same interface."""

    def __init__(self, workers):
        self.executor = ProcessPoolExecutor(max_workers=workers)

    def submit(self, fn, arg):
        return self.executor.submit(fn, arg)

    @staticmethod
    def result(pending):
        return pending.result()

    def map(self, fn, items):
        return list(self.executor.map(fn, items))  # the executor's default chunksize is 1

    def stream(self, fn, items, deadline, in_flight):
        # Executor.map submits its whole input first, so an endless input never starts: use the
        # same bounded ring of in-flight tasks as the Node peers without a lazy imap.
        ring = collections.deque(self.executor.submit(fn, next(items)) for _ in range(in_flight))
        count = 0
        while time.perf_counter() < deadline:
            ring.popleft().result()
            count += 1
            ring.append(self.executor.submit(fn, next(items)))
        for pending in ring:
            pending.result()
        return count

    def close(self):
        self.executor.shutdown(wait=False, cancel_futures=True)


def create_pool(system, workers):
    if system == 'mp-fork':
        return MpPool('fork', workers)
    if system == 'mp-spawn':
        return MpPool('spawn', workers)
    if system == 'ppe':
        return PpePool(workers)
    raise ValueError(f'unknown Python system {system}')


def expect_equal(actual, expected, what):
    if actual != expected:
        raise RuntimeError(f'{what} returned {actual!r}, expected {expected!r}')


def warm_up(pool, workers):
    """Two small CPU tasks per worker, all at once: timings then exclude worker start-up."""
    pending = [pool.submit(fib, 20) for _ in range(workers * 2)]
    expect_equal([pool.result(p) for p in pending][0], 6765, 'fib(20)')


def process_rss(pid):
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f'no VmRSS in /proc/{pid}/status')


def measure_tiny(pool, s):
    warm_up(pool, s['workers'])
    count = s['tinyTasks']
    start = time.perf_counter()
    pending = [pool.submit(inc, i) for i in range(count)]
    results = [pool.result(p) for p in pending]
    seconds = time.perf_counter() - start
    expect_equal(results[-1], count, 'the last inc')
    return [{'metric': 'tiny', 'value': count / seconds, 'unit': 'tasks/s'}]


def measure_map(pool, s):
    items = list(range(s['mapItems']))
    warm_up(pool, s['workers'])
    start = time.perf_counter()
    results = pool.map(square, items)
    seconds = time.perf_counter() - start
    expect_equal(len(results), len(items), 'map length')
    expect_equal(results[-1], items[-1] ** 2, 'the last square')
    return [{'metric': 'map', 'value': len(items) / seconds, 'unit': 'items/s'}]


def fastest_of(rounds, body):
    fastest = float('inf')
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def measure_cpu(pool, s):
    # Fastest of several rounds on each side, as in src/metrics/cpu.ts.
    n, tasks, rounds = s['fibN'], s['fibTasks'], s['cpuRounds']
    expected = fib(n)

    def serial_run():
        for _ in range(tasks):
            expect_equal(fib(n), expected, 'serial fib')

    def pool_run():
        pending = [pool.submit(fib, n) for _ in range(tasks)]
        expect_equal([pool.result(p) for p in pending][-1], expected, 'pool fib')

    serial = fastest_of(rounds, serial_run)
    warm_up(pool, s['workers'])
    parallel = fastest_of(rounds, pool_run)
    return [{'metric': 'cpu', 'value': serial / parallel, 'unit': 'x'}]


def measure_payload(pool, s):
    # bytes is Python's counterpart of a Uint8Array; processes copy it both ways.
    warm_up(pool, s['workers'])
    size, trips = s['payloadBytes'], s['payloadTrips']
    data = pool.result(pool.submit(echo, bytes([7]) * size))  # warm-up trip of the full size
    start = time.perf_counter()
    for _ in range(trips):
        data = pool.result(pool.submit(echo, data))
    seconds = time.perf_counter() - start
    expect_equal(len(data), size, 'echoed length')
    expect_equal(data[-1], 7, 'echoed last byte')
    return [{'metric': 'payload', 'variant': 'copy', 'value': size * trips / 1e6 / seconds, 'unit': 'MB/s'}]


def measure_memory(pool, s):
    settle = s['memorySettleMs'] / 1000
    time.sleep(settle)
    warm_up(pool, s['workers'])
    time.sleep(settle)
    pids = [child.pid for child in multiprocessing.active_children()]
    if len(pids) != s['workers']:
        raise RuntimeError(f"found {len(pids)} worker processes, expected {s['workers']}")
    sizes = [process_rss(pid) for pid in pids]
    return [{'metric': 'memory', 'value': sum(sizes) / len(sizes) / MIB, 'unit': 'MiB'}]


def measure_stream(pool, s):
    warm_up(pool, s['workers'])
    start = time.perf_counter()
    deadline = start + s['streamSeconds']
    count = pool.stream(square, itertools.count(), deadline, s['streamInFlight'])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB  # kB on Linux
    return [
        {'metric': 'stream', 'value': count / seconds, 'unit': 'items/s'},
        {'metric': 'stream-rss', 'value': peak, 'unit': 'MiB'},
    ]


MEASURES = {
    'tiny': measure_tiny,
    'map': measure_map,
    'cpu': measure_cpu,
    'payload': measure_payload,
    'memory': measure_memory,
    'stream': measure_stream,
}


def report(result, exit_code):
    sys.stdout.write(f'\n{RESULT_MARKER}{json.dumps(result)}\n')
    sys.stdout.flush()
    return exit_code


def run(args):
    """Measures; returns the samples and the pool to close once they are reported."""
    s = json.loads(args.settings)
    workers = s['workers']
    if args.probe:
        pool = create_pool(args.system, workers)
        expect_equal(pool.result(pool.submit(inc, 1)), 2, 'inc(1)')
        return [], pool
    if args.measurement == 'startup':
        # From the pool's construction to the first result (ppe starts its workers on first submit).
        start = time.perf_counter()
        pool = create_pool(args.system, workers)
        result = pool.result(pool.submit(inc, 1))
        ms = (time.perf_counter() - start) * 1000
        expect_equal(result, 2, 'inc(1)')
        return [{'metric': 'startup', 'value': ms, 'unit': 'ms'}], pool
    if args.measurement == 'payload' and args.variant not in (None, 'copy'):
        raise ValueError('Python processes have no transfer variant')
    pool = create_pool(args.system, workers)
    return MEASURES[args.measurement](pool, s), pool


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--system', required=True, choices=['mp-fork', 'mp-spawn', 'ppe'])
    parser.add_argument('--measurement')
    parser.add_argument('--variant')
    parser.add_argument('--settings', default='{"workers": 2}')
    parser.add_argument('--probe', action='store_true')
    args = parser.parse_args()
    pool = None
    try:
        samples, pool = run(args)
        code = report({'samples': samples}, 0)
    except Exception as error:  # every failure becomes the child's error result
        code = report({'error': f'{type(error).__name__}: {error}'}, 1)
    # The result is out. Whatever then hangs in shutdown (Pool.imap's feeder thread on an endless
    # input, a worker that does not exit), the child still ends within 5 s.
    watchdog = threading.Timer(5, os._exit, args=(code,))
    watchdog.daemon = True
    watchdog.start()
    if pool is not None:
        pool.close()
    sys.exit(code)


if __name__ == '__main__':
    main()
