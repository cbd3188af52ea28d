/**
 * Config loading: YAML text → interpolated → defaults merged → validated → cross-checked →
 * every expression compiled (compile.ts).
 * Never throws for a bad file: every problem comes back at once as a `ConfigIssue` with
 * `file:line:col`, the key path, what was expected and what was found. A result with
 * `ok: true` is a complete, validated `Config`; nothing half-applied can come out of here.
 *
 * The `hash` (sha256 of the interpolated text, 12 hex) names the live config
 * (`shadowfig_config_info{hash}`); it changes when the file or a referenced variable changes.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { LineCounter, parseDocument, visit, type Alias, type Document } from 'yaml'
import type { ConfigIssue } from '../errors.js'
import { configSchema, type Config } from './schema.js'
import { interpolateDocument, interpolateText, type Env } from './interpolate.js'
import { mergeDefaults } from './merge.js'
import { zodIssueToDrafts } from './messages.js'
import { crossCheck, type CheckIssue } from './crossref.js'
import { compileExpressions, compileModules } from './compile.js'
import { formatKeyPath, Locator } from './positions.js'

export type LoadResult =
  | { ok: true, config: Config, hash: string, file: string, warnings: ConfigIssue[] }
  | { ok: false, issues: ConfigIssue[] }

/** Largest config accepted, in characters. */
export const MAX_CONFIG_CHARS = 1024 * 1024

export interface LoadOptions {
  /** Variables for `${VAR}`; default `process.env`. */
  env?: Env
}

/** First line of a yaml parse error, without the position (we print our own). */
function yamlMessage (message: string, source: string): string {
  let m = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  if (m.startsWith('Source contains multiple documents')) return 'the file holds more than one YAML document (---); a config is a single document'
  if (source.includes('${') && /flow|scalar/i.test(m)) m += ' (a ${VAR} inside { } or [ ] must be quoted: token: "${VAR}")'
  return m
}

function byPosition (a: ConfigIssue, b: ConfigIssue): number {
  return a.line - b.line || a.col - b.col || a.message.localeCompare(b.message)
}

/** A parsed, interpolated, merged and schema-checked file, before its issues are positioned. */
interface Prepared {
  file: string
  text: string
  env: Env
  locator: Locator
  merged: unknown
  parsed: ReturnType<typeof configSchema.safeParse>
  /** Key paths whose values a missing variable left unresolved (they already have an issue). */
  interpolated: Set<string>
  issues: ConfigIssue[]
  drafts: CheckIssue[]
}

function prepare (text: string, file: string, opts: LoadOptions): Prepared | LoadResult {
  const env = opts.env ?? process.env
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  if (text.length > MAX_CONFIG_CHARS) {
    // yaml's parser slows down badly on huge inputs (seconds per MiB on a busy host); a reload
    // must answer quickly, and no real config comes near this (1,000 routes are ~150 KiB)
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: `the file has ${text.length} characters; a config is limited to ${MAX_CONFIG_CHARS} (1 MiB): is this the right file?` }] }
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, merge: true, uniqueKeys: true })
  if (doc.errors.length) {
    // one error per line: after the first, the parser's errors on that line are its own confusion
    const textLines = text.split('\n')
    const byLine = new Map<number, ConfigIssue>()
    for (const e of doc.errors) {
      const { line, col } = e.linePos?.[0] ?? lines.linePos(e.pos[0])
      if (!byLine.has(line)) byLine.set(line, { file, line, col, path: '', message: `YAML syntax: ${yamlMessage(e.message, textLines[line - 1] ?? '')}` })
    }
    return { ok: false, issues: [...byLine.values()] }
  }
  const issues: ConfigIssue[] = []
  const interpolated = new Set<string>()
  for (const i of interpolateDocument(doc, env)) {
    const { line, col } = lines.linePos(i.offset)
    interpolated.add(formatKeyPath(i.path))
    issues.push({ file, line, col, path: formatKeyPath(i.path), message: i.message })
  }

  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 1000 })
  } catch (err) {
    // yaml resolves aliases only here: an alias to no anchor, or an expansion past
    // maxAliasCount (an alias bomb), throws. A bad file like any other, never a crash
    // (found by test/fuzz/config.test.ts; it took a running proxy down on reload).
    return { ok: false, issues: [aliasIssue(doc, lines, file, err)] }
  }
  if (raw === null || raw === undefined) {
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: 'the file is empty: a config needs at least upstreams: and routes: (see config/example.yaml)' }] }
  }
  const merged = mergeDefaults(raw)
  const parsed = configSchema.safeParse(merged)
  const drafts: CheckIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => zodIssueToDrafts(i, merged))
  drafts.push(...crossCheck(merged, file), ...compileExpressions(merged, file))
  return { file, text, env, locator: new Locator(doc, lines), merged, parsed, interpolated, issues, drafts }
}

/** Positions every draft; the result is ok only when nothing but warnings remain. */
function conclude (p: Prepared): LoadResult {
  const { file, issues } = p
  const warnings: ConfigIssue[] = []
  const seen = new Set<string>()
  for (const d of p.drafts) {
    const pos = p.locator.locate(d.path, d.at)
    const path = formatKeyPath(pos.path)
    // a value left unresolved by a missing variable already has its error
    if (d.at !== 'key' && p.interpolated.has(path)) continue
    const issue = { file, line: pos.line, col: pos.col, path, message: d.message }
    const key = `${issue.line}:${issue.col}:${path}:${issue.message}`
    if (seen.has(key)) continue // a bad value in defaults is reported once, not once per route
    seen.add(key)
    ;(d.warning ? warnings : issues).push(issue)
  }
  if (issues.length || !p.parsed.success) return { ok: false, issues: issues.sort(byPosition) }
  const hash = createHash('sha256').update(interpolateText(p.text, p.env)).digest('hex').slice(0, 12)
  return { ok: true, config: p.parsed.data, hash, file, warnings: warnings.sort(byPosition) }
}

/**
 * Everything but importing comparator modules (those are only checked to exist): for callers
 * that cannot wait. `loadConfig` and `loadConfigFile` run the whole compile step.
 */
export function loadConfigText (text: string, file: string, opts: LoadOptions = {}): LoadResult {
  const p = prepare(text, file, opts)
  return 'ok' in p ? p : conclude(p)
}

/** The full load: loadConfigText plus importing and checking every comparator module. */
export async function loadConfig (text: string, file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const p = prepare(text, file, opts)
  if ('ok' in p) return p
  p.drafts.push(...await compileModules(p.merged, file))
  return conclude(p)
}

/** The issue for an alias toJS refused, at the unresolved alias (else the first alias). */
function aliasIssue (doc: Document, lines: LineCounter, file: string, err: unknown): ConfigIssue {
  let at: Alias | undefined
  visit(doc, {
    Alias (_key, node) {
      if (at === undefined || (at.resolve(doc) !== undefined && node.resolve(doc) === undefined)) at = node
    },
  })
  // toJS throws only on aliases, so there is one; parsed nodes always carry their range.
  const { line, col } = lines.linePos((at as Alias & { range: [number, number, number] }).range[0])
  return { file, line, col, path: '', message: `YAML: ${(err as Error).message.split('\n')[0]}` }
}

export async function loadConfigFile (file: string, opts: LoadOptions = {}): Promise<LoadResult> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error'
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message
    return { ok: false, issues: [{ file, line: 1, col: 1, path: '', message: `cannot read the config file (${code}: ${why}); check the path (or SHADOWFIG_CONFIG) and its permissions` }] }
  }
  return loadConfig(text, file, opts)
}
