/**
 * The demo's shop data: users and orders generated from their id alone, so the monolith, its
 * second copy and the candidate all agree on every record without sharing state, and the
 * same id gives the same record on every run.
 *
 * Ids: users 1..USERS; user u owns orders (u-1)*10+1 .. (u-1)*10+n with n in 1..5 (so order
 * ids are sparse: an id past its owner's n is a 404, as in a real shop). Money is computed in
 * integer cents so the monolith's totals are exact to the cent.
 */

export const USERS = 200

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John']
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'Backus']
const PRODUCTS = [
  ['KB-101', 'Mechanical keyboard', 8999], ['MS-220', 'Wireless mouse', 2450], ['MN-270', '27" monitor', 27999],
  ['HD-500', 'USB-C hub', 3995], ['CB-010', 'Cable, 2 m', 799], ['DK-300', 'Standing desk', 41900],
  ['LP-014', 'Laptop stand', 4599], ['WC-720', 'Webcam', 6349], ['HS-330', 'Headset', 7995],
] as const
const STATUSES = ['placed', 'paid', 'shipped', 'delivered'] as const
const TIERS = ['bronze', 'silver', 'gold'] as const
const EPOCH = Date.UTC(2024, 0, 1)
const DAY = 86_400_000

export interface User { id: number, name: string, email: string, tier: string, created_at: string }
export interface LineItem { id: string, sku: string, name: string, qty: number, unit_price: number }
export interface Order {
  id: number
  user_id: number
  customer_name: string
  status: string
  currency: string
  placed_at: string
  items: LineItem[]
  /** Percent off the subtotal (0 or 15): the orders where the candidate's rounding bug shows. */
  discount_pct: number
  subtotal: number
  total: number
}

/** mulberry32: a tiny seeded PRNG; good enough for fake data and stable across platforms. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T> (rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)]
}

export function user (id: number): User | undefined {
  if (!Number.isInteger(id) || id < 1 || id > USERS) return undefined
  const rnd = prng(id * 7919)
  const first = pick(rnd, FIRST)
  const last = pick(rnd, LAST)
  return {
    id,
    name: `${first} ${last}`,
    email: `${first}.${last}${id}@example.com`.toLowerCase(),
    tier: pick(rnd, TIERS),
    created_at: new Date(EPOCH - Math.floor(rnd() * 900) * DAY).toISOString(),
  }
}

/** Number of orders user `u` has (1..5). */
export function orderCount (u: number): number {
  return 1 + Math.floor(prng(u * 104729)() * 5)
}

/** Order ids of user `u`, ascending. */
export function orderIdsOf (u: number): number[] {
  return Array.from({ length: orderCount(u) }, (_, i) => (u - 1) * 10 + i + 1)
}

export function order (id: number): Order | undefined {
  if (!Number.isInteger(id) || id < 1) return undefined
  const owner = user(Math.floor((id - 1) / 10) + 1)
  if (!owner || (id - 1) % 10 >= orderCount(owner.id)) return undefined
  const rnd = prng(id * 15485863)
  const items: LineItem[] = []
  const n = 1 + Math.floor(rnd() * 4)
  let subtotalCents = 0
  for (let k = 1; k <= n; k++) {
    const [sku, name, cents] = pick(rnd, PRODUCTS)
    const qty = 1 + Math.floor(rnd() * 3)
    subtotalCents += qty * cents
    items.push({ id: `li-${id}-${k}`, sku, name, qty, unit_price: cents / 100 })
  }
  const discount = id % 4 === 0 ? 15 : 0
  const totalCents = Math.round(subtotalCents * (100 - discount) / 100)
  return {
    id,
    user_id: owner.id,
    customer_name: owner.name,
    status: pick(rnd, STATUSES),
    currency: 'EUR',
    placed_at: new Date(EPOCH + (id % 10) * DAY + Math.floor(rnd() * DAY)).toISOString(),
    items,
    discount_pct: discount,
    subtotal: subtotalCents / 100,
    total: totalCents / 100,
  }
}
