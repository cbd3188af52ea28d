/**
 * A fixed set of worker threads that each run one task at a time, fed from a FIFO queue on the
 * calling thread. It is all the comparison engine needs from a pool: one message per task each
 * way, a thread replaced when it dies (out of memory, a crash) or when its task is cancelled
 * (the engine's watchdog, batch.ts), and a close that ends every thread.
 *
 * Why not piscina (used before): each piscina task brings a TaskInfo (an AsyncResource), a
 * promise, an AbortSignal with its listeners and per-worker interface objects. Measured at
 * 1,000 req/s with mirror + compare on every request (bench/gc-trace.ts; docs/architecture.md,
 * "Hot-path rules", rule 5), that bookkeeping lived just long enough to be promoted out of the
 * young generation: the client thread's scavenges copied ~440 KB and promoted ~390 KB each
 * (1.8–2.3 ms pauses; the old generation grew ~1 MB/s for mark-compacts to collect). The same
 * batches through this pool: ~80 KB copied and ~20 KB promoted per scavenge, ~1 ms, as with
 * no comparison at all.
 *
 * The thread side is `serveTasks(handler)`, called by the entry module when it is loaded in a
 * pool thread. Threads start from a small bootstrap that loads the entry through whatever
 * module loader the process runs under (TypeScript sources in tests and `npm run bench`).
 */
import { isMainThread, parentPort, Worker, type ResourceLimits, type WorkerOptions } from 'node:worker_threads'
import { TaskAbortedError } from '../errors.js'

export interface ThreadPoolOptions {
  /** Module whose top level calls `serveTasks` when it is loaded in a pool thread. */
  entry: URL
  threads: number
  resourceLimits?: ResourceLimits
}

/** What the thread sends back for one task. */
type Reply<R> = { ok: true, result: R } | { ok: false, message: string }

/** One task: queued, then running on a thread, then done (exactly one `done` call). */
export interface PoolJob<T, R> {
  readonly task: T
  readonly done: (err: Error | undefined, result?: R) => void
}

interface Thread<T, R> {
  worker: Worker
  job: PoolJob<T, R> | undefined
  /** Set when the thread is being replaced: whatever it still says is ignored. */
  gone: boolean
}

/**
 * The thread's first module: loads the entry. require() first, then import(), as piscina did:
 * under tsx only require() finds the TypeScript sources, under tap's loader only import() does,
 * and dist/ (ES modules) needs import() on Node 20. A data: URL, so there is no file to ship.
 */
const BOOTSTRAP = new URL('data:text/javascript,' + encodeURIComponent(`
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { workerData } from 'node:worker_threads'
try { createRequire(workerData.entry)(fileURLToPath(workerData.entry)) } catch { await import(workerData.entry) }
`))

/**
 * A thread running module `entry` through BOOTSTRAP; `options.workerData` (an object) gets the
 * entry's URL added. Also used by the bench's pacer thread (bench/loadgen.ts).
 */
export function startEntryThread (entry: URL, options: WorkerOptions & { workerData?: object } = {}): Worker {
  return new Worker(BOOTSTRAP, { ...options, workerData: { ...options.workerData, entry: entry.href } })
}

export class ThreadPool<T, R> {
  private readonly threads: Array<Thread<T, R>> = []
  private readonly queue: Array<PoolJob<T, R>> = []
  private closed = false

  /** No thread yet: `start()` them ahead of the first task, or `run()` starts what it needs. */
  constructor (private readonly opts: ThreadPoolOptions) {}

  /**
   * Starts every thread not yet running, so that a first task does not wait for module loading
   * (hundreds of milliseconds under a TypeScript loader). Called when there is work to expect.
   */
  start (): void {
    while (!this.closed && this.threads.length < this.opts.threads) this.spawn()
  }

  /** Threads running (started and not retired). */
  get size (): number { return this.threads.length }

  /** Queues `task`; `done` is called once, with the thread's result or why there is none. */
  run (task: T, done: PoolJob<T, R>['done']): PoolJob<T, R> {
    const job: PoolJob<T, R> = { task, done }
    if (this.closed) { done(new TaskAbortedError('thread pool closed')); return job }
    this.queue.push(job)
    this.dispatch()
    return job
  }

  /** Ends `job` with a TaskAbortedError now; if a thread is running it, that thread is replaced. */
  cancel (job: PoolJob<T, R>): void {
    const queued = this.queue.indexOf(job)
    if (queued >= 0) {
      this.queue.splice(queued, 1)
      job.done(new TaskAbortedError('task cancelled'))
      return
    }
    const thread = this.threads.find((th) => th.job === job)
    if (thread === undefined) return
    this.retire(thread, new TaskAbortedError('task cancelled'))
    this.dispatch()
  }

  /** Ends every thread; queued and running tasks end with a TaskAbortedError. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const job of this.queue.splice(0)) job.done(new TaskAbortedError('thread pool closed'))
    // A copy: retire() takes each thread out of the list.
    const stopping = [...this.threads].map((th) => this.retire(th, new TaskAbortedError('thread pool closed')))
    await Promise.all(stopping)
  }

  private spawn (): Thread<T, R> {
    const worker = startEntryThread(this.opts.entry, { resourceLimits: this.opts.resourceLimits })
    const thread: Thread<T, R> = { worker, job: undefined, gone: false }
    // Idle threads never keep the process alive; a thread with a task does (see dispatch).
    worker.unref()
    worker.on('message', (reply: Reply<R>) => { this.onReply(thread, reply) })
    // A thread that dies (heap cap: ERR_WORKER_OUT_OF_MEMORY; an uncaught error; process.exit
    // in a custom comparator) fails only its own task; dispatch() starts a new thread in its
    // place as soon as there is work for it (never in a loop for an entry that cannot load).
    worker.on('error', (err) => { this.onDeath(thread, err) })
    worker.on('exit', (code) => { this.onDeath(thread, new Error(`comparison thread exited with code ${code}`)) })
    this.threads.push(thread)
    return thread
  }

  private dispatch (): void {
    while (this.queue.length > 0) {
      let thread = this.threads.find((th) => th.job === undefined)
      if (thread === undefined && this.threads.length < this.opts.threads) thread = this.spawn()
      if (thread === undefined) return
      const job = this.queue.shift() as PoolJob<T, R>
      thread.job = job
      try {
        thread.worker.postMessage(job.task)
        thread.worker.ref()
      } catch (err) {
        // Not cloneable (a function, a symbol): that task's fault alone; the thread stays.
        thread.job = undefined
        job.done(err as Error)
      }
    }
  }

  private onReply (thread: Thread<T, R>, reply: Reply<R>): void {
    const job = thread.job
    if (thread.gone || job === undefined) return
    thread.job = undefined
    thread.worker.unref()
    if (reply.ok) job.done(undefined, reply.result)
    else job.done(new Error(reply.message))
    this.dispatch()
  }

  private onDeath (thread: Thread<T, R>, err: Error): void {
    if (thread.gone) return
    void this.retire(thread, err)
    this.dispatch()
  }

  /** Takes `thread` out of the pool, ends its task with `err`, and stops it. */
  private retire (thread: Thread<T, R>, err: Error): Promise<number> {
    thread.gone = true
    const i = this.threads.indexOf(thread)
    if (i >= 0) this.threads.splice(i, 1)
    const job = thread.job
    thread.job = undefined
    job?.done(err)
    return thread.worker.terminate()
  }
}

/**
 * The thread side: answers each task message with `handler`'s result. Does nothing on a main
 * thread, so the entry module stays importable there (tests call its handler directly).
 */
export function serveTasks<T, R> (handler: (task: T) => R | Promise<R>): void {
  if (isMainThread || parentPort === null) return
  const port = parentPort
  port.on('message', (task: T) => {
    Promise.resolve().then(() => handler(task)).then(
      (result) => { port.postMessage({ ok: true, result } satisfies Reply<R>) },
      (err: unknown) => { port.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) } satisfies Reply<R>) },
    )
  })
}
