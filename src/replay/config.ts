/**
 * The config replay runs against, through the shared loader (src/config/load.ts: line:col
 * errors, `${VAR}` interpolation, defaults merge, cross-reference checks), so a config that
 * `shadowfig check` accepts replays exactly as the proxy would run it. A bad file throws a
 * `ConfigError` carrying every issue.
 */
import { loadConfigFile, loadConfigText, type LoadResult } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { ConfigError } from '../errors.js'

type Env = Record<string, string | undefined>

function unwrap (r: LoadResult): Config {
  if (!r.ok) throw new ConfigError(r.issues)
  return r.config
}

export async function loadReplayConfig (file: string, env: Env = process.env): Promise<Config> {
  return unwrap(await loadConfigFile(file, { env }))
}

export function parseReplayConfig (text: string, file: string, env: Env = process.env): Config {
  return unwrap(loadConfigText(text, file, { env }))
}
