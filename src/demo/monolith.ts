/**
 * The demo monolith: the system of record the proxy forwards to (and, started a second time,
 * the secondary the noise model learns from). Routes:
 *   GET /api/v1/orders/:id       one order with its line items (items by id, ascending)
 *   GET /api/v1/orders?user=ID   the user's orders as summaries (ascending id)
 *   GET /api/v1/users/:id        one user, with a `request_id` new on every call
 *   GET /healthz                 { status: "ok" }
 * Every body also carries `generated_at`, the time of the call (the config ignores it).
 * `request_id` differs between any two calls, so primary vs secondary differ there too: the
 * config does not ignore it, and the noise model has to find out that it is noise.
 */
import { randomBytes } from 'node:crypto'
import { order, orderIdsOf, user, type Order } from './data.js'
import { idAfter, notFound, serveJson, type Backend, type BackendOptions, type JsonReply } from './http.js'

export const ORDER = '/api/v1/orders/'
export const ORDERS = '/api/v1/orders'
export const USER = '/api/v1/users/'

export interface OrderSummary { id: number, status: string, placed_at: string, item_count: number, customer_name: string }

export function summaryOf (o: Order): OrderSummary {
  return { id: o.id, status: o.status, placed_at: o.placed_at, item_count: o.items.length, customer_name: o.customer_name }
}

/** The monolith's answer to one request; the candidate builds on it. */
export function monolithReply (method: string, url: URL): JsonReply {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: 'method_not_allowed' } }
  const path = url.pathname
  const stamp = { generated_at: new Date().toISOString() }
  if (path === '/healthz') return { status: 200, body: { status: 'ok' } }
  const oid = idAfter(path, ORDER)
  if (oid !== undefined) {
    const o = order(oid)
    if (!o) return notFound(`order ${oid}`)
    return { status: 200, body: { ...o, ...stamp } }
  }
  if (path === ORDERS) {
    const u = user(Number(url.searchParams.get('user')))
    if (!u) return { status: 400, body: { error: 'bad_request', message: 'query parameter user must be a known user id' } }
    const orders = orderIdsOf(u.id).map((id) => summaryOf(order(id) as Order))
    return { status: 200, body: { user_id: u.id, count: orders.length, orders, ...stamp } }
  }
  const uid = idAfter(path, USER)
  if (uid !== undefined) {
    const u = user(uid)
    if (!u) return notFound(`user ${uid}`)
    return { status: 200, body: { ...u, request_id: `req-${randomBytes(6).toString('hex')}`, ...stamp } }
  }
  return notFound(`route ${path}`)
}

export function startMonolith (opts: BackendOptions & { name?: string } = {}): Promise<Backend> {
  return serveJson(opts.name ?? 'monolith', monolithReply, opts)
}
