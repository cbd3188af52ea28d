/**
 * What the admin-API commands (`rollback`, `promote`) share: where the admin API is, one
 * POST with the token, and the error text the API answers.
 *
 * The admin URL is `--admin`, else the `admin:` address of `--config FILE` (or
 * SHADOWFIG_CONFIG, or config/shadowfig.yaml when present), else http://127.0.0.1:9901. The
 * token is SHADOWFIG_ADMIN_TOKEN, sent as `Authorization: Bearer`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import { parse as parseYaml } from 'yaml'
import { share } from '../config/schema.js'
import { UsageError } from '../errors.js'

export interface CommandIO {
  stdout: { write (s: string): unknown }
  stderr: { write (s: string): unknown }
  env: Record<string, string | undefined>
}

const DEFAULT_ADMIN = 'http://127.0.0.1:9901'
const DEFAULT_CONFIG = 'config/shadowfig.yaml'

/** The admin API to talk to, from the command's --admin / --config and the environment. */
export function adminUrl (values: { admin?: string, config?: string }, env: CommandIO['env']): string {
  return values.admin ?? adminFromConfig(values.config ?? env.SHADOWFIG_CONFIG, env)
}

/**
 * POSTs `payload` as JSON to `{admin}{path}` with the token. On a 2xx answer: its JSON body.
 * Otherwise the failure is written to stderr as one line plus advice, and the exit code is
 * returned: 1 for a 4xx (the message says what to do), 2 for a 5xx or an unreachable API.
 */
export async function callAdmin (
  command: string, admin: string, path: string, payload: unknown, io: CommandIO, advice: (status: number) => string | undefined,
): Promise<{ body: Record<string, unknown> } | number> {
  const token = io.env.SHADOWFIG_ADMIN_TOKEN
  const url = `${admin.replace(/\/+$/, '')}${path}`
  // A private agent so the CLI exits as soon as it is done (no pooled keep-alive socket).
  const agent = new Agent({ connect: { timeout: 5_000 }, headersTimeout: 10_000, bodyTimeout: 10_000 })
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(payload),
    })
    const text = await res.body.text()
    const body = parseJson(text)
    if (res.statusCode >= 200 && res.statusCode < 300) return { body: body ?? {} }
    const detail = errorMessage(body) ?? text.slice(0, 200)
    const help = advice(res.statusCode) ?? authAdvice(res.statusCode, token !== undefined && token !== '') ?? ''
    io.stderr.write(`${command}: ${url} answered ${res.statusCode}${detail ? `: ${detail}` : ''}\n${help}`)
    return res.statusCode >= 400 && res.statusCode < 500 ? 1 : 2
  } catch (err) {
    const e = err as Error & { code?: string }
    io.stderr.write(`${command}: cannot reach the admin API at ${admin} (${e.code ?? e.message}). Is shadowfig running? Pass --admin URL or --config FILE.\n`)
    return 2
  } finally {
    await agent.close()
  }
}

/** The --admin and --config options of every admin-API command. */
export const ADMIN_OPTIONS = {
  admin: { type: 'string', value: 'URL', help: `the admin API (default: the admin address of --config, else ${DEFAULT_ADMIN})` },
  config: { type: 'string', value: 'FILE', help: `the config to take the admin address from (default $SHADOWFIG_CONFIG, else ${DEFAULT_CONFIG} when present)` },
} as const

/** A share as the config writes it (5% or a ratio 0..1) from a command-line string; undefined when unusable. */
export function parseShareArg (raw: string): number | undefined {
  // Plain numbers arrive as strings here.
  const w = share.safeParse(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw)
  return w.success ? w.data : undefined
}

/**
 * The admin address of a config file. Only `${VAR}` / `${VAR:-default}` interpolation is
 * applied (before parsing, as the loader does: `${…}` is not valid inside a YAML flow map).
 */
function adminFromConfig (file: string | undefined, env: CommandIO['env']): string {
  const path = file ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined)
  if (path === undefined) return DEFAULT_ADMIN
  let doc: unknown
  try {
    const text = readFileSync(path, 'utf8').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, dflt?: string) => env[name] || (dflt ?? ''))
    doc = parseYaml(text)
  } catch (err) {
    // The yaml library adds a code excerpt on further lines; the usage failure is one line.
    throw new UsageError(`cannot read config ${path}: ${(err as Error).message.split('\n')[0]}`)
  }
  const a = (doc as { admin?: { host?: unknown, port?: unknown } } | null)?.admin
  // An unset variable leaves a key present but null: that is an error, not the default.
  const host = a?.host === undefined ? '127.0.0.1' : a.host
  const port = a?.port === undefined ? 9901 : a.port
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port)) {
    throw new UsageError(`cannot tell the admin address from ${path} (admin.host ${JSON.stringify(host)}, admin.port ${JSON.stringify(port)}); pass --admin URL`)
  }
  // A wildcard listen address is reachable on loopback; an IPv6 literal needs brackets.
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`
}

function parseJson (text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null ? v as Record<string, unknown> : undefined
  } catch {
    return undefined
  }
}

/** The admin API answers `{ error: "…" }` or `{ error: { code, message } }`. */
export function errorMessage (body: Record<string, unknown> | undefined): string | undefined {
  const e = body?.error
  if (typeof e === 'string') return e
  if (typeof e === 'object' && e !== null) {
    const { code, message } = e as { code?: unknown, message?: unknown }
    return [code, message].filter((x) => typeof x === 'string').join(' ') || undefined
  }
  return undefined
}

export function noSplitAdvice (route: string): string {
  return `No route named "${route}" with a split in the running config; check the route's name: and split: in the config.\n`
}

/** Advice for the admin answers both commands share (auth), else undefined. */
function authAdvice (status: number, hasToken: boolean): string | undefined {
  switch (status) {
    case 401: return hasToken
      ? 'The token was refused: set SHADOWFIG_ADMIN_TOKEN to the admin.token of the running config.\n'
      : 'The admin API needs a token: set SHADOWFIG_ADMIN_TOKEN to the admin.token of the running config.\n'
    case 403: return 'The admin API refused this client: without a configured token it only answers on loopback.\n'
    default: return status >= 500 ? 'The proxy failed to apply the change; see its log.\n' : undefined
  }
}
