/**
 * BullMQ's event stream of the queue, read only while the producer has work. BullMQ guards each
 * blocking read with a referenced timer, so an open reader would keep an idle producer's process
 * alive; a local pool's idle workers never do (core unreferences them).
 */
import { type Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

/** An idle reader closes after this, so that work coming back soon does not reopen it. */
const IDLE_CLOSE_MS = 250;

export interface JobEvents {
  completed(jobId: string, returnvalue: unknown): void;
  failed(jobId: string, failedReason: string): void;
}

export class EventsReader {
  readonly #queue: Queue;
  readonly #client: Redis;
  readonly #listener: JobEvents;
  #reading: Promise<QueueEvents> | undefined;
  #closer: NodeJS.Timeout | undefined;

  constructor(queue: Queue, client: Redis, listener: JobEvents) {
    this.#queue = queue;
    this.#client = client;
    this.#listener = listener;
  }

  /** Resolves once reading: a job added after that cannot finish unseen. */
  async open(): Promise<void> {
    clearTimeout(this.#closer);
    this.#reading ??= this.#start().catch((error: unknown) => {
      this.#reading = undefined; // the next job tries again
      throw error;
    });
    await this.#reading;
  }

  /** Closes it once it has been idle a while, unless `open()` is called first. */
  closeWhenIdle(): void {
    clearTimeout(this.#closer);
    this.#closer = setTimeout(() => void this.close(), IDLE_CLOSE_MS);
    this.#closer.unref();
  }

  async close(): Promise<void> {
    clearTimeout(this.#closer);
    const reading = this.#reading;
    this.#reading = undefined;
    const events = await reading?.catch(() => undefined);
    if (!events) return;
    // Disconnecting first: a graceful close would wait out the blocking read.
    ((await events.getBackend().connection.client) as unknown as Redis).disconnect();
    await events.close().catch(() => {});
  }

  async #start(): Promise<QueueEvents> {
    // From the stream's last entry, not from "$" (what arrives once the first blocking read is
    // issued), so that no job added meanwhile can finish unseen.
    const [last] = await this.#client.xrevrange(this.#queue.keys.events as string, '+', '-', 'COUNT', 1);
    // BullMQ reads on a duplicate of the client it is given, which it owns.
    const events = new QueueEvents(this.#queue.name, {
      connection: this.#client,
      prefix: this.#queue.opts.prefix,
      lastEventId: last?.[0] ?? '0',
    });
    events.on('completed', ({ jobId, returnvalue }) => this.#listener.completed(jobId, returnvalue));
    events.on('failed', ({ jobId, failedReason }) => this.#listener.failed(jobId, failedReason));
    events.on('error', () => {}); // connection trouble: BullMQ reconnects; lookups cover the gap
    await events.waitUntilReady();
    return events;
  }
}
