/**
 * Value masks: volatile values (ids, timestamps) are replaced by a placeholder `<name>` before
 * comparison, so `a1b2…` vs `c3d4…` compare equal while a missing or extra id still differs.
 *
 * - `uuid`: RFC 4122 textual UUIDs, any version, case-insensitive.
 * - `iso8601`: dates `2024-05-01`, date-times with optional fraction and zone.
 * - `epoch`: integers with exactly 10 (seconds) or 13 (milliseconds) digits, as JSON numbers
 *   or as whole strings. No "near now" check: simple and predictable, documented in
 *   docs/comparators.md; do not enable it on routes whose ids are 10/13-digit numbers.
 * - `{ name, pattern }`: a custom JavaScript regex (global flag added), replaced by `<name>`.
 */
import type { CompareConfig } from '../config/schema.js'
import { configRegExp } from '../errors.js'

export interface CompiledMask {
  name: string
  /** Global regex for use in strings. */
  re: RegExp
}

export interface MaskSet {
  readonly strings: readonly CompiledMask[]
  /** True when epoch numbers become `<epoch>`. */
  readonly epoch: boolean
}

const BUILTIN: Record<'uuid' | 'iso8601' | 'epoch', string> = {
  uuid: '\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b',
  iso8601: '\\b\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?\\b',
  epoch: '^(?:\\d{10}|\\d{13})$',
}

/** Throws an ExpressionError on a custom pattern that is not a regular expression. */
export function compileMasks (rules: CompareConfig['masks']): MaskSet {
  const strings: CompiledMask[] = []
  let epoch = false
  for (const r of rules) {
    if (typeof r === 'string') {
      if (r === 'epoch') epoch = true
      strings.push({ name: r, re: new RegExp(BUILTIN[r], 'g') })
    } else {
      strings.push({ name: r.name, re: configRegExp(r.pattern, 'g') })
    }
  }
  return { strings, epoch }
}

export function maskString (s: string, masks: MaskSet): string {
  let out = s
  for (const m of masks.strings) {
    m.re.lastIndex = 0
    // Leave an existing placeholder alone, so masking twice equals masking once (a pattern
    // such as `hel+o` named `hello` would otherwise nest: <<hello>>).
    out = out.replace(m.re, (match: string, ...rest: unknown[]) => {
      const at = rest[rest.length - 2] as number
      const whole = rest[rest.length - 1] as string
      return whole[at - 1] === '<' && whole[at + match.length] === '>' ? match : `<${m.name}>`
    })
  }
  return out
}

/** An epoch-looking integer becomes the placeholder string; other numbers are returned as is. */
export function maskNumber (n: number, masks: MaskSet): number | string {
  if (!masks.epoch || !Number.isInteger(n)) return n
  return (n >= 1e9 && n < 1e10) || (n >= 1e12 && n < 1e13) ? '<epoch>' : n
}
