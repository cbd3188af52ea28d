/**
 * `shadowfig check FILE`: validate a config without running anything.
 * Exit 0 and one summary line on stdout (`config/x.yaml: ok — 3 routes, 3 upstreams,
 * 1 shadowed, 1 split`), warnings on stderr; exit 1 and every error as `file:line:col message`
 * on stderr. Same loader and compile step (src/config/compile.ts: every JSONPath, pattern,
 * rewrite and comparator module) as the proxy and its reloads, so "check passes" means
 * "start-up and reload accept".
 */
import { formatConfigIssue, UsageError, type ConfigIssue } from '../errors.js'
import { loadConfigFile } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { compileRoutes } from '../routing/table.js'
import { defineCommand, runCommand } from './command-line.js'

export interface CheckIO {
  out: (s: string) => void
  err: (s: string) => void
}

const CHECK = defineCommand({
  name: 'shadowfig check',
  synopsis: ['FILE'],
  summary: 'Validate a config file with the loader the proxy and its reloads use; nothing is started.',
  positionals: true,
  options: {},
  notes: 'Exit codes: 0 valid (a summary on stdout, warnings on stderr); 1 invalid, with every error as file:line:col message.',
})

const count = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`

export function summarize (file: string, config: Config): string {
  const routes = config.routes
  return `${file}: ok — ${count(routes.length, 'route')}, ${count(Object.keys(config.upstreams).length, 'upstream')}, ` +
    `${routes.filter((r) => r.shadow).length} shadowed, ${routes.filter((r) => r.split).length} split`
}

const warning = (i: ConfigIssue): string => formatConfigIssue({ ...i, message: `warning: ${i.message}` })

/** CheckIO takes lines; the shared command-line code writes newline-terminated text. */
const lines = (line: (s: string) => void): { write (s: string): void } => ({ write: (s) => line(s.replace(/\n$/, '')) })

export async function main (args: string[], io: CheckIO = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') }): Promise<number> {
  return runCommand(CHECK, args, { stdout: lines(io.out), stderr: lines(io.err) }, async ({ positionals }) => {
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no FILE given' : 'give exactly one FILE')
    return check(positionals[0], io)
  })
}

async function check (file: string, io: CheckIO): Promise<number> {
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
