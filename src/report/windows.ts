/**
 * Time windows for `/api/report?window=`: per key, three rings of 30 time slots (5m in 10 s
 * slots, 1h in 2 min slots, 24h in 48 min slots) plus one since-start block. A slot holds the
 * verdict counts and, once a measured exchange lands in it, the latency histograms. A window
 * reads the 30 newest slots, so it covers between 29/30 and all of its length: the slot is the
 * resolution. A slot is reused (zeroed) when the clock comes round to it: constant memory, no
 * timer.
 */
import type { FinalVerdict } from '../compare/types.js'
import { VERDICTS } from './aggregates.js'
import { addLatency, newLatencyCounts } from './latency.js'

export type WindowName = '5m' | '1h' | '24h' | 'all'
export const WINDOW_NAMES: readonly WindowName[] = ['5m', '1h', '24h', 'all']
export const SLOTS = 30
export const WINDOW_MS: Record<Exclude<WindowName, 'all'>, number> = { '5m': 300_000, '1h': 3_600_000, '24h': 86_400_000 }

const VERDICT_INDEX = new Map(VERDICTS.map((v, i) => [v, i]))

/** Counts of one slot (or of a sum of slots). */
export class Block {
  readonly verdicts = new Float64Array(VERDICTS.length)
  latency: Uint32Array | undefined

  add (verdict: FinalVerdict, latency: { primary: number, candidate: number } | undefined): void {
    this.verdicts[VERDICT_INDEX.get(verdict) as number]++
    if (latency !== undefined) addLatency(this.latency ??= newLatencyCounts(), latency.primary, latency.candidate)
  }

  addBlock (other: Block): void {
    for (let i = 0; i < this.verdicts.length; i++) this.verdicts[i] += other.verdicts[i]
    if (other.latency === undefined) return
    const mine = this.latency ??= newLatencyCounts()
    for (let i = 0; i < mine.length; i++) mine[i] += other.latency[i]
  }

  verdictCounts (): Record<FinalVerdict, number> {
    return Object.fromEntries(VERDICTS.map((v, i) => [v, this.verdicts[i]])) as Record<FinalVerdict, number>
  }

  get total (): number {
    return this.verdicts.reduce((a, b) => a + b, 0)
  }
}

class Ring {
  private readonly slotMs: number
  private readonly blocks: Array<Block | undefined> = new Array(SLOTS)
  /** Absolute slot index (time / slotMs) each block holds. */
  private readonly at = new Float64Array(SLOTS).fill(-1)

  constructor (windowMs: number) {
    this.slotMs = windowMs / SLOTS
  }

  block (time: number): Block {
    const idx = Math.floor(time / this.slotMs)
    const i = idx % SLOTS
    if (this.at[i] !== idx) {
      // An exchange older than the slot's content (clock step, late result) joins the newer slot.
      if (this.at[i] > idx && this.blocks[i] !== undefined) return this.blocks[i]
      this.blocks[i] = new Block()
      this.at[i] = idx
    }
    return this.blocks[i] as Block
  }

  sumInto (now: number, out: Block): void {
    const newest = Math.floor(now / this.slotMs)
    for (let i = 0; i < SLOTS; i++) {
      const b = this.blocks[i]
      if (b !== undefined && this.at[i] > newest - SLOTS) out.addBlock(b)
    }
  }
}

export class WindowedCounts {
  readonly all = new Block()
  private readonly rings = new Map<Exclude<WindowName, 'all'>, Ring>(
    (Object.entries(WINDOW_MS) as Array<[Exclude<WindowName, 'all'>, number]>).map(([w, ms]) => [w, new Ring(ms)]),
  )

  add (time: number, verdict: FinalVerdict, latency: { primary: number, candidate: number } | undefined): void {
    this.all.add(verdict, latency)
    for (const ring of this.rings.values()) ring.block(time).add(verdict, latency)
  }

  read (window: WindowName, now: number): Block {
    if (window === 'all') return this.all
    const out = new Block()
    ;(this.rings.get(window) as Ring).sumInto(now, out)
    return out
  }
}

export function parseWindow (value: string | null): WindowName | undefined {
  if (value === null || value === '') return 'all'
  return (WINDOW_NAMES as readonly string[]).includes(value) ? value as WindowName : undefined
}
