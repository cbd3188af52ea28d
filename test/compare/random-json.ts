/** A small seeded random-JSON generator for the property tests (mulberry32; reproducible by seed). */

import { prng } from '../../src/demo/data.js'

export type Rng = () => number

/** The demo's seeded PRNG (mulberry32): one implementation, same sequences. */
export const rng: (seed: number) => Rng = prng

const KEYS = ['a', 'b', 'id', 'name', 'odd key', 'items', 'price', 'ts', 'x-y']
const STRINGS = ['', 'x', 'hello world', '2024-05-01T10:00:00Z', '0b6f2c7e-1d2a-4c59-9a3e-6b1f0c2d3e4f', "it's"]

const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]

export function randomJson (r: Rng, depth = 0): unknown {
  const roll = r()
  if (depth > 3 || roll < 0.45) {
    const p = r()
    if (p < 0.1) return null
    if (p < 0.2) return r() < 0.5
    if (p < 0.45) return Math.floor(r() * 100)
    if (p < 0.6) return Math.round(r() * 10000) / 1000
    return pick(r, STRINGS)
  }
  if (roll < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(r, depth + 1))
  const o: Record<string, unknown> = {}
  for (let i = Math.floor(r() * 5); i > 0; i--) o[pick(r, KEYS)] = randomJson(r, depth + 1)
  return o
}

/** A copy of `v` with a few random edits: changed, added, removed and retyped values. */
export function mutate (r: Rng, v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object') return r() < 0.3 ? randomJson(r, depth) : v
  if (Array.isArray(v)) {
    const out = v.map((x) => mutate(r, x, depth + 1))
    if (r() < 0.2) out.push(randomJson(r, depth + 1))
    if (r() < 0.2 && out.length > 0) out.splice(Math.floor(r() * out.length), 1)
    return out
  }
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) if (r() > 0.15) out[k] = mutate(r, x, depth + 1)
  if (r() < 0.3) out[pick(r, KEYS)] = randomJson(r, depth + 1)
  return out
}
