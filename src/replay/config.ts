/**
 * Loads the config replay runs against. Interim: until src/config/load.ts (the shared
 * loader with line numbers, defaults merge and reload) lands, this reads the YAML, expands
 * `${VAR}` / `${VAR:-default}`, validates with the one schema and checks upstream references.
 * Errors are `ConfigError`s, so the command prints them the way `shadowfig check` does.
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { configSchema, type Config } from '../config/schema.js'
import { ConfigError, type ConfigIssue } from '../errors.js'

type Env = Record<string, string | undefined>

export async function loadReplayConfig (file: string, env: Env = process.env): Promise<Config> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: (err as Error).message }])
  }
  return parseReplayConfig(text, file, env)
}

export function parseReplayConfig (text: string, file: string, env: Env = process.env): Config {
  const issue = (path: string, message: string): ConfigIssue => ({ file, line: 1, col: 1, path, message })
  const expanded = text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_m, name: string, def: string | undefined) => env[name] ?? def ?? '')
  let value: unknown
  try {
    value = parse(expanded)
  } catch (err) {
    throw new ConfigError([issue('', (err as Error).message)])
  }
  const r = configSchema.safeParse(value)
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => issue(i.path.join('.'), i.message)))
  const issues: ConfigIssue[] = []
  r.data.routes.forEach((route, n) => {
    const refs = { primary: route.primary, 'shadow.candidate': route.shadow?.candidate, 'shadow.secondary': route.shadow?.secondary }
    for (const [key, name] of Object.entries(refs)) {
      if (name !== undefined && !(name in r.data.upstreams)) issues.push(issue(`routes[${n}].${key}`, `unknown upstream ${name}`))
    }
  })
  if (issues.length > 0) throw new ConfigError(issues)
  return r.data
}
