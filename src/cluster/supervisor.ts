/**
 * Forks and keeps `count` cluster workers, primary side.
 *
 *  - `start()` resolves once every worker sent `ready`; it rejects with a `ClusterStartError`
 *    (src/errors.ts) when one could not start (bad config: exit code 1), so the CLI can
 *    answer exactly as the single-process mode does.
 *  - A worker that exits while the cluster is not stopping is replaced, after a backoff that
 *    doubles per consecutive failure of its slot (minMs … maxMs) and resets once a worker in
 *    that slot stayed up `stableMs`. Every exit and restart is logged.
 *  - A replacement adopts its peers' live split state (`sync`), so an operator's weight or a
 *    tripped guard survives a crash; a guard trip in one worker is relayed to all the others.
 *  - `stop()` asks every worker to drain and waits for their exits; past the deadline the
 *    stragglers are killed (SIGKILL) and `stop` resolves false.
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from 'pino'
import type { Fanout } from './fanout.js'
import { ClusterStartError } from '../errors.js'
import { isOurs, WORKER_OPTIONS_ENV, type Notice, type Reply, type WorkerEvent, type WorkerOptions } from './protocol.js'

export interface SupervisorOptions {
  count: number
  worker: WorkerOptions
  fanout: Fanout
  log: Logger
  backoff?: { minMs?: number, maxMs?: number, stableMs?: number }
}

interface Slot { index: number, worker?: Worker, ready: boolean, failures: number, readyAt: number, timer?: NodeJS.Timeout }

export class Supervisor {
  proxyPort = 0
  /** Largest drain timeout any worker reported (it follows config reloads). */
  drainTimeout = 0
  restarts = 0
  private stopping = false
  private readonly slots: Slot[]
  private readonly opts: SupervisorOptions
  private readonly backoff: { minMs: number, maxMs: number, stableMs: number }
  private starting: { resolve (): void, reject (e: Error): void } | undefined

  constructor (opts: SupervisorOptions) {
    this.opts = opts
    this.backoff = { minMs: 250, maxMs: 30_000, stableMs: 30_000, ...opts.backoff }
    this.slots = Array.from({ length: opts.count }, (_, index) => ({ index, ready: false, failures: 0, readyAt: 0 }))
  }

  start (): Promise<void> {
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject }
      for (const slot of this.slots) this.fork(slot)
    })
  }

  ready (): Worker[] {
    return this.slots.flatMap((s) => s.ready && s.worker !== undefined ? [s.worker] : [])
  }

  allReady (): boolean {
    return !this.stopping && this.slots.every((s) => s.ready)
  }

  /** Sends a notice to every ready worker but `except`. */
  broadcast (notice: Notice, except?: Worker): void {
    for (const w of this.ready()) if (w !== except) w.send(notice)
  }

  async stop (reason: string, timeoutMs: number): Promise<boolean> {
    this.stopping = true
    const live: Worker[] = []
    for (const s of this.slots) {
      clearTimeout(s.timer)
      if (s.worker === undefined || s.worker.isDead()) continue
      live.push(s.worker)
      // A worker still starting has no message handler yet; SIGTERM ends it at once.
      if (s.ready) s.worker.send({ shadowfig: true, type: 'shutdown', reason } satisfies Notice)
      else s.worker.process.kill('SIGTERM')
    }
    const exits = live.map((w) => new Promise<boolean>((resolve) => {
      if (w.isDead()) return resolve(w.process.exitCode === 0)
      w.once('exit', (code) => resolve(code === 0))
    }))
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs) })
    const outcome = await Promise.race([Promise.all(exits), deadline])
    clearTimeout(timer)
    if (outcome !== 'timeout') return outcome.every(Boolean)
    for (const w of live) {
      if (w.isDead()) continue
      this.opts.log.error({ event: 'shadowfig.cluster.kill', worker: w.id, workerPid: w.process.pid, timeoutMs }, 'worker did not drain in time; killing it')
      w.process.kill('SIGKILL')
    }
    await Promise.all(exits)
    return false
  }

  private fork (slot: Slot): void {
    const worker = cluster.fork({ [WORKER_OPTIONS_ENV]: JSON.stringify({ ...this.opts.worker, slot: slot.index }) })
    slot.worker = worker
    slot.ready = false
    worker.on('message', (m: unknown) => { if (isOurs(m)) this.onMessage(slot, worker, m as WorkerEvent) })
    worker.on('exit', (code, signal) => this.onExit(slot, worker, code, signal))
  }

  private onMessage (slot: Slot, worker: Worker, m: WorkerEvent): void {
    switch (m.type) {
      case 'reply': this.opts.fanout.onMessage(m as Reply); break
      case 'ready': this.onReady(slot, worker, m); break
      case 'failed':
        this.opts.log.error({ event: 'shadowfig.cluster.worker_failed', worker: worker.id, errors: m.errors }, 'worker could not start')
        if (this.starting !== undefined) this.abortStart(new ClusterStartError(m.errors, m.exitCode))
        break
      case 'trip':
        this.opts.log.warn({ event: 'shadowfig.cluster.trip_relayed', route: m.route, reason: m.trip.reason, from: worker.id }, `split guard of route ${m.route} tripped in worker ${worker.id}; rolling back in every worker`)
        this.broadcast({ shadowfig: true, type: 'applyTrip', route: m.route, trip: m.trip }, worker)
        break
      case 'step':
        this.opts.log.info({ event: 'shadowfig.cluster.step_relayed', route: m.route, to: m.to, from: worker.id }, `split of route ${m.route} stepped to ${m.to} in worker ${worker.id}; every worker follows`)
        this.broadcast({ shadowfig: true, type: 'applyStep', route: m.route, to: m.to }, worker)
        break
    }
  }

  private onReady (slot: Slot, worker: Worker, m: Extract<WorkerEvent, { type: 'ready' }>): void {
    this.proxyPort = m.proxyPort
    this.drainTimeout = Math.max(this.drainTimeout, m.drainTimeout)
    const peer = this.ready()[0]
    if (peer === undefined) return this.markReady(slot, worker, m.hash)
    // Counted ready only once the peer's state was sent: IPC keeps order, so no fan-out or
    // scrape can reach this worker before it adopted the cluster's live split state.
    this.opts.fanout.ask(peer, { op: 'status' }).then(
      (status) => { if (!worker.isDead()) worker.send({ shadowfig: true, type: 'sync', status } satisfies Notice) },
      (err: Error) => this.opts.log.warn({ event: 'shadowfig.cluster.sync_failed', worker: worker.id, err: err.message }, 'could not copy live split state to a new worker'),
    ).finally(() => { if (slot.worker === worker && !worker.isDead()) this.markReady(slot, worker, m.hash) })
  }

  private markReady (slot: Slot, worker: Worker, hash: string): void {
    this.opts.log.info({ event: 'shadowfig.cluster.worker_ready', worker: worker.id, workerPid: worker.process.pid, hash }, 'worker ready')
    slot.ready = true
    slot.readyAt = Date.now()
    if (this.starting !== undefined && this.slots.every((s) => s.ready)) {
      this.starting.resolve()
      this.starting = undefined
    }
  }

  private onExit (slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    this.opts.fanout.onExit(worker.id)
    if (slot.worker !== worker) return
    const wasReady = slot.ready
    slot.ready = false
    if (this.stopping) return
    if (this.starting !== undefined) {
      return this.abortStart(new ClusterStartError([`worker ${worker.id} exited during startup (code ${code}, signal ${signal})`], 2))
    }
    if (wasReady && Date.now() - slot.readyAt >= this.backoff.stableMs) slot.failures = 0
    slot.failures++
    const delay = Math.min(this.backoff.maxMs, this.backoff.minMs * 2 ** (slot.failures - 1))
    this.restarts++
    this.opts.log.warn({ event: 'shadowfig.cluster.worker_exit', worker: worker.id, workerPid: worker.process.pid, code, signal, restartInMs: delay, failures: slot.failures }, `worker exited unexpectedly (code ${code}, signal ${signal}); restarting in ${delay} ms`)
    slot.timer = setTimeout(() => { if (!this.stopping) this.fork(slot) }, delay)
  }

  private abortStart (err: ClusterStartError): void {
    const starting = this.starting
    this.starting = undefined
    this.stopping = true
    for (const s of this.slots) if (s.worker !== undefined && !s.worker.isDead()) s.worker.process.kill('SIGKILL')
    starting?.reject(err)
  }
}
