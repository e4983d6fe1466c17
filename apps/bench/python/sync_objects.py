"""The Python side of `npm run bench -- --sync` (src/sync-objects.ts), standard library only.

    python3 python/sync_objects.py --method fork --settings '{"roundTrips": 5000, ...}'

The same measurements as the TypeScript child, with multiprocessing on the given start method:
Queue round trips/s, Pipe round trips/s, MB/s of 16 MiB send_bytes messages, one-way streams through a
Queue and through a Pipe(duplex=False) (items/s, timed by the consuming child), the busy parent and the
idle waiter, Manager list appends/s (timed in the child), Lock acquire/release pairs/s and locked
Value('i') increments/s with two contending children started together by an Event. Prints one result
line for the harness.
"""

import argparse
import json
import multiprocessing
import time

RESULT_MARKER = 'MPROC_BENCH_RESULT '
# Round trips are timed after this many (the same on mproc's side, where V8 compiles the path first).
WARM_UP = 3000
# The figures of streams(): a Queue's, then a one-way Pipe's.
STREAM_KEYS = ('streamChildInts', 'streamChildObjects', 'streamParentInts', 'streamParentObjects')
PIPE_STREAM_KEYS = ('pipeStreamChildInts', 'pipeStreamChildObjects', 'pipeStreamParentInts',
                    'pipeStreamParentObjects')


def queue_echo(inbox, outbox, count):
    for _ in range(count):
        outbox.put(inbox.get())


def pipe_echo(end, count, byte_trips):
    for _ in range(count):
        end.send(end.recv())
    for _ in range(byte_trips):
        end.send(len(end.recv_bytes()))


def list_appends(shared, report, count):
    for index in range(WARM_UP):
        shared.append(index)
    begin = time.perf_counter()
    for index in range(count):
        shared.append(index)
    report.put(time.perf_counter() - begin)


def stream_ends(ctx, channel):
    """A stream's ends, (the consumer's, the producer's): one Queue is both, a one-way Pipe has two."""
    if channel == 'Pipe':
        return ctx.Pipe(duplex=False)
    queue = ctx.Queue()
    return queue, queue


def stream_producer(end, count, objects, go=None):
    """A producer child's target, which the parent also calls: puts or sends count items after go."""
    write = end.send if hasattr(end, 'send') else end.put
    if go is not None:
        go.wait(60)
    for index in range(count):
        write({'index': index, 'text': 'x' * 1000} if objects else index)


def stream_consumer(end, report, count):
    read = end.recv if hasattr(end, 'recv') else end.get
    read()
    begin = time.perf_counter()
    for _ in range(count - 1):
        read()
    report.put(time.perf_counter() - begin)


def streams(ctx, channel, count):
    """The four streams of a channel: child → child, then parent → child; ints, then objects."""
    return [stream(ctx, channel, count, objects)
            for stream in (stream_child_to_child, stream_parent_to_child) for objects in (False, True)]


def stream_child_to_child(ctx, channel, count, objects):
    receiving, sending = stream_ends(ctx, channel)
    report, go = ctx.Queue(), ctx.Event()
    children = [ctx.Process(target=stream_consumer, args=(receiving, report, count)),
                ctx.Process(target=stream_producer, args=(sending, count, objects, go))]
    for child in children:
        child.start()
    go.set()
    seconds = report.get(timeout=60)
    for child in children:
        child.join()
    return (count - 1) / seconds


def stream_parent_to_child(ctx, channel, count, objects):
    receiving, sending = stream_ends(ctx, channel)
    report = ctx.Queue()
    child = ctx.Process(target=stream_consumer, args=(receiving, report, count))
    child.start()
    stream_producer(sending, count, objects)
    seconds = report.get(timeout=60)
    child.join()
    return (count - 1) / seconds


def busy_consumer(queue, done, count):
    for _ in range(count):
        queue.get()
    done.value = 1


def busy_parent(ctx):
    count = 2000
    queue, go, done = ctx.Queue(), ctx.Event(), ctx.Value('d', 0)
    children = [ctx.Process(target=busy_consumer, args=(queue, done, count)),
                ctx.Process(target=stream_producer, args=(queue, count, False, go))]
    for child in children:
        child.start()
    go.set()
    started = time.perf_counter()
    delivered = None
    while time.perf_counter() - started < 3:
        if delivered is None and done.value == 1:
            delivered = time.perf_counter() - started
    for child in children:
        child.join()
    return 1000 * (delivered if delivered is not None else time.perf_counter() - started)


def idle_waiter(queue, report):
    before = time.process_time()
    try:
        queue.get(timeout=2)
    except Exception:
        pass
    report.put(1000 * (time.process_time() - before))


def idle_get(ctx):
    queue, report = ctx.Queue(), ctx.Queue()
    child = ctx.Process(target=idle_waiter, args=(queue, report))
    child.start()
    milliseconds = report.get(timeout=60)
    child.join()
    return milliseconds


def lock_pairs(lock, go, done, count):
    done.put(0)
    go.wait(60)
    for _ in range(count):
        lock.acquire()
        lock.release()
    done.put(count)


def locked_increments(value, go, done, count):
    lock = value.get_lock()
    done.put(0)
    go.wait(60)
    for _ in range(count):
        with lock:
            value.value += 1
    done.put(count)


def contend(ctx, target, shared, count):
    go, done = ctx.Event(), ctx.Queue()
    children = [ctx.Process(target=target, args=(shared, go, done, count)) for _ in range(2)]
    for child in children:
        child.start()
    for _ in children:
        done.get(timeout=60)  # both ready: time the lock, not the start-up
    started = time.perf_counter()
    go.set()
    for _ in children:
        done.get(timeout=60)
    rate = 2 * count / (time.perf_counter() - started)
    for child in children:
        child.join()
    return rate


def measure(method, settings):
    ctx = multiprocessing.get_context(method)
    trips = settings['roundTrips']

    inbox, outbox = ctx.Queue(), ctx.Queue()
    child = ctx.Process(target=queue_echo, args=(inbox, outbox, WARM_UP + trips))
    child.start()
    for index in range(WARM_UP):
        inbox.put(index)
        outbox.get()
    started = time.perf_counter()
    for index in range(trips):
        inbox.put(index)
        outbox.get(timeout=60)
    queue = trips / (time.perf_counter() - started)
    child.join()

    parent_end, child_end = ctx.Pipe()
    child = ctx.Process(target=pipe_echo, args=(child_end, WARM_UP + trips, 1 + settings['byteTrips']))
    child.start()
    for index in range(WARM_UP):
        parent_end.send(index)
        parent_end.recv()
    started = time.perf_counter()
    for index in range(trips):
        parent_end.send(index)
        parent_end.recv()
    pipe = trips / (time.perf_counter() - started)
    payload = bytes([7]) * settings['bytes']
    parent_end.send_bytes(payload)  # warm-up
    parent_end.recv()
    started = time.perf_counter()
    for _ in range(settings['byteTrips']):
        parent_end.send_bytes(payload)
        if parent_end.recv() != settings['bytes']:
            raise RuntimeError('the child received a different number of bytes')
    sent = settings['byteTrips'] * settings['bytes'] / 1e6
    byte_rate = sent / (time.perf_counter() - started)
    child.join()

    with ctx.Manager() as manager:
        shared = manager.list()
        report = ctx.Queue()
        child = ctx.Process(target=list_appends, args=(shared, report, settings['appends']))
        child.start()
        append = settings['appends'] / report.get(timeout=60)
        child.join()
        if len(shared) != WARM_UP + settings['appends']:
            raise RuntimeError('appends were lost')
    items = settings['streamItems']
    stream = {
        **dict(zip(STREAM_KEYS, streams(ctx, 'Queue', items))),
        **dict(zip(PIPE_STREAM_KEYS, streams(ctx, 'Pipe', items))),
        'busy': busy_parent(ctx),
        'idle': idle_get(ctx),
    }
    pairs = settings['lockPairs']
    lock = contend(ctx, lock_pairs, ctx.Lock(), pairs)
    counter = ctx.Value('i', 0)
    incr = contend(ctx, locked_increments, counter, pairs)
    if counter.value != 2 * pairs:
        raise RuntimeError('locked increments were lost')
    return {'queue': queue, 'pipe': pipe, 'bytes': byte_rate, 'append': append, 'lock': lock, 'incr': incr,
            **stream}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--method', required=True)
    parser.add_argument('--settings', required=True)
    args = parser.parse_args()
    figures = measure(args.method, json.loads(args.settings))
    print(RESULT_MARKER + json.dumps(figures), flush=True)


if __name__ == '__main__':
    main()
