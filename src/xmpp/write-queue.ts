/**
 * Stanzas written in the same turn of the event loop leave in one socket write: a write per
 * stanza costs a system call each, while a burst of concurrent HTTP requests joined costs one.
 * The turn ends at setImmediate, after the I/O callbacks of this loop iteration: the requests
 * that came in together (one callback each, their microtasks drained in between) share the
 * write, where a microtask flush wrote once per request. Order is kept: the queue is the link's
 * only writer; whoever closes the stream waits for `drain` first, or what was written last
 * (a bot's leave presence at a stop) never leaves.
 */
export interface WriteQueue {
  /** Resolves when the write that carries `xml` has been handed to the socket. */
  write(xml: string): Promise<void>;
  /**
   * Runs `hook` once, just before the next write is joined: what it writes rides in that same
   * write, after everything queued so far (the confirmation ping of barrier.ts).
   */
  beforeFlush(hook: () => void): void;
  /** Writes what is pending now; resolves when it is handed to the socket (at once when nothing is). */
  drain(): Promise<void>;
}

export function createWriteQueue(writeOut: (chunk: string) => Promise<void>): WriteQueue {
  let pending: string[] = [];
  let hooks: Array<() => void> = [];
  let flushed: PromiseWithResolvers<void> | undefined;
  let scheduled = false;
  const flush = (): Promise<void> => {
    const due = hooks;
    hooks = [];
    for (const hook of due) hook();
    // Cleared after the hooks: what they write joins this chunk instead of scheduling another.
    scheduled = false;
    if (hooks.length > 0) schedule();
    const done = flushed;
    // `drain` may have written it already: the scheduled flush then finds nothing.
    if (done === undefined) return Promise.resolve();
    const chunk = pending.join("");
    pending = [];
    flushed = undefined;
    writeOut(chunk).then(done.resolve, done.reject);
    return done.promise;
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  return {
    drain: flush,
    write(xml) {
      pending.push(xml);
      if (!flushed) {
        flushed = Promise.withResolvers<void>();
        schedule();
      }
      return flushed.promise;
    },
    beforeFlush(hook) {
      hooks.push(hook);
      schedule();
    },
  };
}
