/**
 * `${VAR}` and `${VAR:-default}` in config values, resolved from the environment.
 *
 * Interpolation happens on parsed scalar values, never on the raw text: an environment value
 * can never inject YAML structure (a `: ` or a newline in a token stays inside its string),
 * and line numbers stay those of the file. Keys and comments are not interpolated.
 *
 * - `${VAR}`: VAR must be set (an empty value is allowed); unset is an error naming VAR.
 * - `${VAR:-default}`: default when VAR is unset or empty (shell semantics).
 * - `$${...}`: a literal `${...}`.
 * - An unquoted value that becomes a number or boolean (`port: ${PORT:-8080}`) is typed as
 *   YAML would type it; quoted values stay strings.
 */
import { isPair, isScalar, isSeq, visit, type Document, type Scalar } from 'yaml'

export type Env = Readonly<Record<string, string | undefined>>

export interface InterpolationIssue {
  /** Key path of the value, e.g. ['admin', 'token']. */
  path: Array<string | number>
  /** Offset of the value in the text. */
  offset: number
  message: string
}

const REF = /\$(\$?)\{([^}]*)(\}?)/g
const NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s

/** Resolve the references in one string; errors are pushed, unresolved references left as written. */
export function interpolateString (value: string, env: Env, errors: string[]): string {
  if (!value.includes('${')) return value
  return value.replace(REF, (whole, escaped: string, body: string, close: string) => {
    if (escaped) return whole.slice(1)
    if (!close) { errors.push(`"${whole}" is not closed: write \${NAME} or \${NAME:-default}`); return whole }
    const m = NAME.exec(body)
    if (!m) { errors.push(`"${whole}" is not a variable reference: write \${NAME} or \${NAME:-default} (NAME: letters, digits, _)`); return whole }
    const [, name, fallback] = m
    const v = env[name]
    if (fallback !== undefined) return v ? v : fallback
    if (v === undefined) {
      errors.push(`environment variable ${name} is not set: export it, or give a default with \${${name}:-value}`)
      return whole
    }
    return v
  })
}

/** What a plain (unquoted) scalar that became `text` means in YAML's core schema: numbers and booleans only. */
function retype (text: string): string | number | boolean {
  if (/^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) return Number(text)
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true'
  return text
}

function keyPath (ancestors: readonly unknown[], node: unknown): Array<string | number> {
  const out: Array<string | number> = []
  const chain = [...ancestors, node]
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i]
    if (isPair(a)) out.push(isScalar(a.key) ? String(a.key.value) : String(a.key))
    else if (isSeq(a)) out.push(a.items.indexOf(chain[i + 1] as never))
  }
  return out
}

/** Interpolate every scalar value of `doc` in place; returns the problems found. */
export function interpolateDocument (doc: Document, env: Env): InterpolationIssue[] {
  const issues: InterpolationIssue[] = []
  visit(doc, {
    Scalar (key, node: Scalar, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return
      const errors: string[] = []
      const text = interpolateString(node.value, env, errors)
      const path = keyPath(ancestors, node)
      for (const message of errors) issues.push({ path, offset: node.range?.[0] ?? 0, message })
      node.value = node.type === 'PLAIN' ? retype(text) : text
    },
  })
  return issues
}

/** The text with every resolvable reference replaced (for the config hash: env changes change it). */
export function interpolateText (text: string, env: Env): string {
  return interpolateString(text, env, [])
}
