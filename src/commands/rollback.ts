/**
 * `shadowfig rollback ROUTE [--admin URL] [--config FILE] [--weight N]`
 *
 * Sets a route's live split weight through the running proxy's admin API
 * (`POST /api/routes/:name/split` with `{ "weight": N }`, default 0 = roll back), with the
 * token from SHADOWFIG_ADMIN_TOKEN as `Authorization: Bearer`. The admin URL is `--admin`,
 * else the `admin:` address of `--config FILE` (or SHADOWFIG_CONFIG, or
 * config/shadowfig.yaml when present), else http://127.0.0.1:9901.
 *
 * Exit codes (docs/traffic-shifting.md, "Steering and rollback"): 0 the weight was set (the
 * new weight is printed); 1 bad input or a 4xx (unknown route, bad token, bad weight: the
 * message says what to do); 2 the admin API could not be reached or failed (5xx).
 */
import { existsSync, readFileSync } from 'node:fs'
import { Agent, request } from 'undici'
import { parse as parseYaml } from 'yaml'
import { share } from '../config/schema.js'
import { UsageError } from '../errors.js'
import { defineCommand, runCommand, type CommandLine } from './command-line.js'

export interface CommandIO {
  stdout: { write (s: string): unknown }
  stderr: { write (s: string): unknown }
  env: Record<string, string | undefined>
}

const DEFAULT_ADMIN = 'http://127.0.0.1:9901'
const DEFAULT_CONFIG = 'config/shadowfig.yaml'

const ROLLBACK = defineCommand({
  name: 'shadowfig rollback',
  synopsis: ['ROUTE [options]'],
  summary: 'Set a route\'s live split weight (default 0: roll back) through the running proxy\'s admin API.',
  positionals: true,
  options: {
    admin: { type: 'string', value: 'URL', help: `the admin API (default: the admin address of --config, else ${DEFAULT_ADMIN})` },
    config: { type: 'string', value: 'FILE', help: `the config to take the admin address from (default $SHADOWFIG_CONFIG, else ${DEFAULT_CONFIG} when present)` },
    weight: { type: 'string', value: 'N', help: 'the live weight to set: a ratio 0..1 or a percentage such as 5% (default 0)' },
  },
  notes: 'The token is read from $SHADOWFIG_ADMIN_TOKEN.\nExit codes: 0 the weight was set; 1 bad input or a 4xx answer; 2 the admin API could not be reached or answered 5xx.',
})

export async function main (args: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  return runCommand(ROLLBACK, args, io, async (line) => rollback(target(line, io.env), io))
}

async function rollback ({ route, admin, weight }: { route: string, admin: string, weight: number }, io: CommandIO): Promise<number> {
  const token = io.env.SHADOWFIG_ADMIN_TOKEN
  const url = `${admin.replace(/\/+$/, '')}/api/routes/${encodeURIComponent(route)}/split`
  // A private agent so the CLI exits as soon as it is done (no pooled keep-alive socket).
  const agent = new Agent({ connect: { timeout: 5_000 }, headersTimeout: 10_000, bodyTimeout: 10_000 })
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ weight }),
    })
    const text = await res.body.text()
    const body = parseJson(text)
    if (res.statusCode >= 200 && res.statusCode < 300) {
      const live = typeof body?.weight === 'number' ? body.weight : weight
      const file = typeof body?.fileWeight === 'number' ? ` (file weight ${body.fileWeight})` : ''
      io.stdout.write(`route ${route}: live split weight ${live}${file}\n`)
      return 0
    }
    const detail = errorMessage(body) ?? text.slice(0, 200)
    io.stderr.write(`shadowfig rollback: ${url} answered ${res.statusCode}${detail ? `: ${detail}` : ''}\n${advice(res.statusCode, route, token !== undefined && token !== '')}`)
    return res.statusCode >= 400 && res.statusCode < 500 ? 1 : 2
  } catch (err) {
    const e = err as Error & { code?: string }
    io.stderr.write(`shadowfig rollback: cannot reach the admin API at ${admin} (${e.code ?? e.message}). Is shadowfig running? Pass --admin URL or --config FILE.\n`)
    return 2
  } finally {
    await agent.close()
  }
}

/** The route, admin URL and weight the command line names; each failure is a UsageError (one line, exit 1). */
function target ({ values, positionals }: CommandLine<typeof ROLLBACK.options, true>, env: CommandIO['env']): { route: string, admin: string, weight: number } {
  if (positionals.length !== 1) throw new UsageError('give exactly one ROUTE name')
  const raw = values.weight ?? '0'
  // The config's share syntax: 5% or a ratio 0..1 (plain numbers arrive as strings here).
  const w = share.safeParse(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw)
  if (!w.success) throw new UsageError(`--weight must be a ratio between 0 and 1 or a percentage such as 5% (got "${raw}")`)
  return { route: positionals[0], admin: values.admin ?? adminFromConfig(values.config ?? env.SHADOWFIG_CONFIG, env), weight: w.data }
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
function errorMessage (body: Record<string, unknown> | undefined): string | undefined {
  const e = body?.error
  if (typeof e === 'string') return e
  if (typeof e === 'object' && e !== null) {
    const { code, message } = e as { code?: unknown, message?: unknown }
    return [code, message].filter((x) => typeof x === 'string').join(' ') || undefined
  }
  return undefined
}

function advice (status: number, route: string, hasToken: boolean): string {
  switch (status) {
    case 401: return hasToken
      ? 'The token was refused: set SHADOWFIG_ADMIN_TOKEN to the admin.token of the running config.\n'
      : 'The admin API needs a token: set SHADOWFIG_ADMIN_TOKEN to the admin.token of the running config.\n'
    case 403: return 'The admin API refused this client: without a configured token it only answers on loopback.\n'
    case 404: return `No route named "${route}" with a split in the running config; check the route's name: and split: in the config.\n`
    case 400: return 'The weight was rejected: use a ratio between 0 and 1 or a percentage such as 5%.\n'
    default: return status >= 500 ? 'The proxy failed to apply the change; see its log.\n' : ''
  }
}
