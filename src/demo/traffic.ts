/**
 * The demo's client: a light, steady request loop against the proxy, or a fixed burst (tests).
 * The mix is the shop's: 45 % one order (1 in 20 of them a missing id, a 404 on both sides),
 * 20 % a user's order list, 30 % one user, 5 % /healthz. Seeded, so a run is repeatable.
 *
 * The loop never queues: at most `concurrency` requests are in flight, and ticks that find no
 * room skip their requests (counted in `skipped`) rather than bursting later, so a slow proxy
 * sees less load, not a backlog.
 */
import { Pool } from 'undici'
import { USERS, orderIdsOf, prng } from './data.js'

export interface TrafficOptions {
  /** Proxy origin, e.g. http://127.0.0.1:8080. */
  target: string
  /** Requests per second for `start()` (default 20). */
  rate?: number
  concurrency?: number
  seed?: number
}

export interface TrafficStats {
  sent: number
  /** Responses by status code. */
  status: Record<number, number>
  /** Requests that got no response (connection refused, reset, …). */
  failed: number
  /** Requests the rate loop left out because `concurrency` were already in flight. */
  skipped: number
}

const TICK_MS = 100

/** The next path of the mix. */
export function nextPath (rnd: () => number): string {
  const u = 1 + Math.floor(rnd() * USERS)
  const r = rnd()
  if (r < 0.45) {
    const ids = orderIdsOf(u)
    const id = rnd() < 0.05 ? (u - 1) * 10 + 10 : ids[Math.floor(rnd() * ids.length)]
    return `/api/v1/orders/${id}`
  }
  if (r < 0.65) return `/api/v1/orders?user=${u}`
  if (r < 0.95) return `/api/v1/users/${u}`
  return '/healthz'
}

export class Traffic {
  readonly stats: TrafficStats = { sent: 0, status: {}, failed: 0, skipped: 0 }
  private readonly pool: Pool
  private readonly rnd: () => number
  private readonly rate: number
  private readonly concurrency: number
  private readonly inFlight = new Set<Promise<void>>()
  private timer: NodeJS.Timeout | undefined

  constructor (opts: TrafficOptions) {
    this.concurrency = opts.concurrency ?? 16
    this.pool = new Pool(opts.target, { connections: this.concurrency })
    this.rnd = prng(opts.seed ?? 42)
    this.rate = opts.rate ?? 20
  }

  /** Starts the steady loop at `rate` requests per second until `stop()`. */
  start (): void {
    if (this.timer) return
    const t0 = performance.now()
    let due = 0
    this.timer = setInterval(() => {
      const target = Math.floor(this.rate * (performance.now() - t0) / 1000)
      for (; due < target; due++) {
        if (this.inFlight.size >= this.concurrency) this.stats.skipped++
        else this.fire()
      }
    }, TICK_MS)
  }

  /** Sends `n` requests, `concurrency` at a time, and resolves when all have answered. */
  async burst (n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight)
      this.fire()
    }
    await Promise.all(this.inFlight)
  }

  /** Stops the loop, waits for the requests in flight, closes the connections. */
  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await Promise.all(this.inFlight)
    await this.pool.close()
  }

  private fire (): void {
    const path = nextPath(this.rnd)
    this.stats.sent++
    const p = this.send(path).finally(() => this.inFlight.delete(p))
    this.inFlight.add(p)
  }

  private async send (path: string): Promise<void> {
    try {
      const { statusCode, body } = await this.pool.request({ path, method: 'GET' })
      await body.dump()
      this.stats.status[statusCode] = (this.stats.status[statusCode] ?? 0) + 1
    } catch {
      this.stats.failed++
    }
  }
}
