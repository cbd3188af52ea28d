/**
 * The demo candidate: the "new orders service" being verified. Same routes and data as the
 * monolith, with the differences a real rewrite has:
 *  - a rounding bug: discounted orders (id % 4 == 0) get their total truncated to one
 *    decimal (1234.56 → 1234.5) — a real mismatch on `$.total` for those ids only;
 *  - a renamed field: order summaries carry `customerName` instead of `customer_name`;
 *  - reordered arrays: line items and order summaries newest/last first (the config matches
 *    them by `id`, so this alone is a match);
 *  - `generated_at` and `request_id` new on every call, as on the monolith;
 *  - an occasional failure: every 50th API request answers 500 (2 %, deterministic).
 */
import type { Order } from './data.js'
import { serveJson, type Backend, type BackendOptions, type JsonReply } from './http.js'
import { ORDER, ORDERS, monolithReply, type OrderSummary } from './monolith.js'

export const FAILURE_EVERY = 50

/** One decimal, truncated: the bug. */
export function truncatedTotal (total: number): number {
  return Math.floor(Math.round(total * 100) / 10) / 10
}

type Renamed<T> = Omit<T, 'customer_name'> & { customerName: string }

function rename ({ customer_name: customerName, ...rest }: OrderSummary): Renamed<OrderSummary> {
  return { ...rest, customerName }
}

/** A stateful handler: the failure counter is per candidate instance. */
export function candidateHandler (): (method: string, url: URL) => JsonReply {
  let apiCalls = 0
  return (method, url) => {
    const reply = monolithReply(method, url)
    const path = url.pathname
    if (!path.startsWith('/api/')) return reply
    if (++apiCalls % FAILURE_EVERY === 0) return { status: 500, body: { error: 'internal', message: 'connection pool exhausted' } }
    if (reply.status !== 200) return reply
    if (path.startsWith(ORDER)) {
      const o = reply.body as Order
      const items = [...o.items].reverse()
      return { status: 200, body: { ...o, items, total: o.discount_pct > 0 ? truncatedTotal(o.total) : o.total } }
    }
    if (path === ORDERS) {
      const list = reply.body as { orders: OrderSummary[] }
      return { status: 200, body: { ...list, orders: list.orders.map(rename).reverse() } }
    }
    return reply
  }
}

export function startCandidate (opts: BackendOptions = {}): Promise<Backend> {
  return serveJson('candidate', candidateHandler(), opts)
}
