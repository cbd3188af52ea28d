/**
 * Human units in the config file: durations (`250ms`, `2s`, `5m`, `1h`, or a number of ms),
 * sizes (`512`, `64KiB`, `1MiB`, `1GiB`, or a number of bytes) and shares (`20%` or 0..1).
 * Parsed once at config load; the runtime only sees milliseconds, bytes and ratios.
 */

export const DURATION_PATTERN = '^\\d+(\\.\\d+)?\\s*(ms|s|m|h)$'
export const SIZE_PATTERN = '^\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB|KB|MB|GB)?$'
export const SHARE_PATTERN = '^\\d+(\\.\\d+)?\\s*%$'

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
const SIZE_BYTES: Record<string, number> = {
  B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, KB: 1000, MB: 1000 ** 2, GB: 1000 ** 3,
}

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration (text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text.trim())
  return m ? Number(m[1]) * DURATION_MS[m[2]] : undefined
}

/** Bytes (rounded down), or undefined when `text` is not a size. */
export function parseSize (text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/.exec(text.trim())
  return m ? Math.floor(Number(m[1]) * SIZE_BYTES[m[2] ?? 'B']) : undefined
}

/** Ratio 0..1, or undefined when `text` is not a percentage in 0..100. */
export function parseShare (text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim())
  if (!m) return undefined
  const pct = Number(m[1])
  return pct <= 100 ? pct / 100 : undefined
}

/** A ratio as the config writes it: 0.05 → "5%", 0.001 → "0.1%" (up to 4 decimals of a percent). */
export function formatShare (r: number): string {
  return `${+(r * 100).toFixed(4)}%`
}
