/**
 * Zod issues rewritten for the person fixing the file: what was expected, what was found,
 * and for unknown keys the closest known key. One zod issue may become several (one per
 * unknown key), each with its own position.
 */
import type { z } from 'zod'
import { describeAt, knownKeys } from './schema-walk.js'
import type { KeyPath } from './positions.js'

export interface DraftIssue {
  path: KeyPath
  message: string
  /** Point at the key (unknown keys) rather than the value. */
  at?: 'key' | 'value'
}

const NOUNS: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false',
  object: 'a mapping (key: value)', record: 'a mapping (key: value)', array: 'a list',
}

/** Keys whose values must never be echoed back (they hold secrets). */
const SECRET_KEY = /token|password|secret/i

export function valueAt (root: unknown, path: KeyPath): unknown {
  let v = root
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string | number, unknown>)[k]
  }
  return v
}

/** A short, safe rendering of what was found. */
export function describeValue (v: unknown, path: KeyPath): string {
  if (v === undefined) return 'nothing'
  if (v === null) return 'an empty value'
  if (SECRET_KEY.test(String(path[path.length - 1]))) return `a ${typeof v} (value hidden)`
  if (Array.isArray(v)) return v.length ? 'a list' : 'an empty list'
  if (typeof v === 'object') return 'a mapping'
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v)
  return String(v)
}

/** Edit distance, for "did you mean". Short strings only (config keys). */
export function distance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]
}

/** The closest candidate within a small edit distance, or undefined. */
export function closest (word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestD = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const c of candidates) {
    const d = distance(word, c)
    if (d < bestD) { best = c; bestD = d }
  }
  return best
}

function bound (issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, limit: number | bigint, dir: 'at least' | 'at most'): string {
  if (issue.origin === 'array') return limit === 1 && dir === 'at least' ? 'at least one item' : `${dir} ${limit} items`
  if (issue.origin === 'string') return `${dir} ${limit} characters`
  if (issue.inclusive === false) return `a number ${dir === 'at least' ? 'above' : 'below'} ${limit}`
  return `a number ${dir} ${limit}`
}

export function zodIssueToDrafts (issue: z.core.$ZodIssue, input: unknown): DraftIssue[] {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol')
  const found = describeValue(valueAt(input, path), path)
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(path)
      return issue.keys.map((key) => {
        const guess = closest(key, known)
        const hint = guess ? ` (did you mean "${guess}"?)` : ''
        return { path: [...path, key], at: 'key', message: `unknown key "${key}"${hint}; allowed here: ${known.join(', ')}` }
      })
    }
    case 'invalid_type': {
      const noun = NOUNS[issue.expected] ?? issue.expected
      if (valueAt(input, path) === undefined) return [{ path, message: `missing: expected ${noun}` }]
      return [{ path, message: `expected ${noun}, found ${found}` }]
    }
    case 'invalid_union':
      return [{ path, message: `expected ${describeAt(path) ?? 'another form'}, found ${found}` }]
    case 'invalid_key': {
      const inner = issue.issues[0]
      const want = inner?.code === 'invalid_format' && inner.format === 'starts_with'
        ? `a key starting with "${(inner as z.core.$ZodIssueStringStartsWith).prefix}"`
        : inner?.message ?? 'another key'
      return [{ path, at: 'key', message: `bad key ${JSON.stringify(String(path[path.length - 1]))}: expected ${want}` }]
    }
    case 'invalid_value':
      return [{ path, message: `expected one of ${issue.values.map(String).join(', ')}; found ${found}` }]
    case 'too_small':
      return [{ path, message: `expected ${bound(issue, issue.minimum, 'at least')}, found ${found}` }]
    case 'too_big':
      return [{ path, message: `expected ${bound(issue, issue.maximum, 'at most')}, found ${found}` }]
    case 'invalid_format':
      if (issue.format === 'url') return [{ path, message: `expected an http:// or https:// URL such as http://127.0.0.1:3001, found ${found}` }]
      if (issue.format === 'starts_with') return [{ path, message: `expected a value starting with "${(issue as z.core.$ZodIssueStringStartsWith).prefix}", found ${found}` }]
      return [{ path, message: `expected ${issue.message}, found ${found}` }]
    case 'custom':
      return [{ path, message: `${issue.message}, found ${found}` }]
    default:
      return [{ path, message: `${issue.message}, found ${found}` }]
  }
}
