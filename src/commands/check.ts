/**
 * `shadowfig check FILE`: validate a config without running anything.
 * Exit 0 and one summary line on stdout (`config/x.yaml: ok — 3 routes, 3 upstreams,
 * 1 shadowed, 1 split`), warnings on stderr; exit 1 and every error as `file:line:col message`
 * on stderr. Same loader as the proxy and its reloads, so "check passes" means "reload accepts".
 */
import { formatConfigIssue, type ConfigIssue } from '../errors.js'
import { loadConfigFile } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { compileRoutes } from '../routing/table.js'

export interface CheckIO {
  out: (s: string) => void
  err: (s: string) => void
}

const USAGE = 'usage: shadowfig check FILE\n  validate a config file; exit 0 if it is valid, 1 with every error as file:line:col message'

const count = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`

export function summarize (file: string, config: Config): string {
  const routes = config.routes
  return `${file}: ok — ${count(routes.length, 'route')}, ${count(Object.keys(config.upstreams).length, 'upstream')}, ` +
    `${routes.filter((r) => r.shadow).length} shadowed, ${routes.filter((r) => r.split).length} split`
}

const warning = (i: ConfigIssue): string => formatConfigIssue({ ...i, message: `warning: ${i.message}` })

export async function main (args: string[], io: CheckIO = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) { io.out(USAGE); return 0 }
  const files = args.filter((a) => !a.startsWith('-'))
  if (files.length !== 1 || files.length !== args.length) { io.err(USAGE); return 1 }
  const file = files[0]
  const r = await loadConfigFile(file)
  if (!r.ok) {
    for (const i of r.issues) io.err(formatConfigIssue(i))
    io.err(`${file}: ${count(r.issues.length, 'error')}; the config is not valid`)
    return 1
  }
  compileRoutes(r.config.routes) // what the proxy does next; the loader has already vetted every pattern
  for (const w of r.warnings) io.err(warning(w))
  io.out(summarize(file, r.config))
  return 0
}
