/**
 * A seeded PRNG (mulberry32) and the picks the fuzz tests make with it. The seed comes from
 * FUZZ_SEED or a fixed default, and every test prints it: a failure replays exactly.
 */
export const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed10)

export class Rng {
  private s: number
  constructor (seed: number) { this.s = seed >>> 0 }

  /** Uniform in [0, 1). */
  next (): number {
    let z = (this.s = (this.s + 0x6d2b79f5) >>> 0)
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }

  /** Integer in [0, n). */
  int (n: number): number { return Math.floor(this.next() * n) }

  pick<T> (xs: readonly T[]): T { return xs[this.int(xs.length)] as T }

  bytes (n: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = this.int(256)
    return b
  }
}
