#!/usr/bin/env node
/**
 * `shadowfig` command line: argument parsing, command dispatch and exit codes (0 ok, 1 bad
 * input, 2 runtime failure). Each command lives in src/commands/; nothing else happens here.
 */
import { App } from './app.js'
import { defineCommand, runCommand } from './commands/command-line.js'
import { ShadowfigError, UsageError } from './errors.js'

const SHADOWFIG = defineCommand({
  name: 'shadowfig',
  synopsis: ['[options]', 'COMMAND [options]     (see Commands below; each answers --help)'],
  summary: 'shadowfig — shadow-traffic proxy for strangler-fig migrations. Without a command: run the proxy.',
  positionals: true,
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', help: 'the config (default $SHADOWFIG_CONFIG, then config/shadowfig.yaml)' },
    port: { type: 'string', value: 'N', help: 'proxy port, over listen.port of the config (0 = any free port)' },
    'admin-port': { type: 'string', value: 'N', help: 'admin port, over admin.port of the config (0 = any free port)' },
    'log-level': { type: 'string', value: 'LEVEL', help: 'fatal, error, warn, info, debug, trace or silent (over logging.level)' },
    workers: { type: 'string', value: 'N', help: 'run N worker processes on the shared port (cluster mode; default 1)' },
    version: { type: 'boolean', help: 'print the version and exit' },
  },
  notes: `Commands:
  check FILE          validate a config file
  demo                demo monolith, candidate, proxy and traffic; prints where to look
  replay CAPTURE...   replay recorded traffic against primary and candidate (for CI)
  rollback ROUTE      set a route's live split weight through the admin API
  promote ROUTE       approve a route's next split step through the admin API

Exit codes: 0 ok, 1 bad input, 2 runtime failure.`,
})

type Command = (args: string[]) => Promise<number>

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./commands/check.js')).main,
  demo: async () => (await import('./commands/demo.js')).main,
  replay: async () => (await import('./commands/replay.js')).main,
  rollback: async () => (await import('./commands/rollback.js')).main,
  promote: async () => (await import('./commands/promote.js')).main,
}

export async function run (argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return (await COMMANDS[first]())(rest)
  return runCommand(SHADOWFIG, argv, process, async ({ values, positionals }) => {
    // Positionals are allowed only so that a misspelt command gets its own message.
    if (positionals.length > 0) throw new UsageError(`unknown command ${positionals[0]}`)
    if (values.version === true) {
      const { createRequire } = await import('node:module')
      process.stdout.write(`${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`)
      return 0
    }
    const configFile = values.config ?? process.env.SHADOWFIG_CONFIG ?? 'config/shadowfig.yaml'
    const opts = { configFile, port: intOption(values.port, '--port'), adminPort: intOption(values['admin-port'], '--admin-port'), logLevel: values['log-level'] }
    const workers = intOption(values.workers, '--workers') ?? 1
    return workers > 1 ? (await import('./cluster/primary.js')).runCluster({ ...opts, workers }) : startProxy(opts)
  })
}

async function startProxy (opts: { configFile: string, port?: number, adminPort?: number, logLevel?: string }): Promise<number> {
  try {
    await App.start(opts)
    return -1 // keep running; signals end the process
  } catch (err) {
    // Keyed on the code: the loader's ConfigError and a route that fails to compile are both bad input.
    if (err instanceof ShadowfigError && err.code === 'SHADOWFIG_ERR_CONFIG') {
      process.stderr.write(`shadowfig: ${opts.configFile} is not a valid config:\n${err.message}\n`)
      return 1
    }
    process.stderr.write(`shadowfig: failed to start: ${(err as Error).message}\n`)
    return 2
  }
}

/** undefined when absent; a UsageError when not a non-negative integer. */
function intOption (v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (Number.isInteger(n) && n >= 0) return n
  throw new UsageError(`${name} takes a whole number (found "${v}")`)
}

const code = await run(process.argv.slice(2))
// One-shot commands end the process (pools and timers must not keep it alive); the proxy keeps running.
if (code >= 0) process.exit(code)
