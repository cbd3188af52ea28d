#!/usr/bin/env node
/**
 * `shadowfig` command line: argument parsing, command dispatch and exit codes (0 ok, 1 bad
 * input, 2 runtime failure). Each command lives in src/commands/; nothing else happens here.
 */
import { parseArgs } from 'node:util'
import { App } from './app.js'
import { ShadowfigError } from './errors.js'

const USAGE = `shadowfig — shadow-traffic proxy for strangler-fig migrations

Usage:
  shadowfig [--config FILE] [--port N] [--admin-port N] [--log-level LEVEL] [--workers N]
  shadowfig check FILE
  shadowfig demo
  shadowfig replay CAPTURE --config FILE [--rate N] [--concurrency N] [--allow-writes] [--json]
  shadowfig rollback ROUTE [--admin URL] [--config FILE] [--weight N]

The config defaults to $SHADOWFIG_CONFIG, then config/shadowfig.yaml.
Exit codes: 0 ok, 1 bad input, 2 runtime failure.`

type Command = (args: string[]) => Promise<number>

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./commands/check.js')).main,
  demo: async () => (await import('./commands/demo.js')).main,
  replay: async () => (await import('./commands/replay.js')).main,
  rollback: async () => (await import('./commands/rollback.js')).main,
}

export async function run (argv: string[]): Promise<number> {
  const [first, ...rest] = argv
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) return (await COMMANDS[first]())(rest)
  if (first !== undefined && !first.startsWith('-')) {
    process.stderr.write(`shadowfig: unknown command "${first}"\n\n${USAGE}\n`)
    return 1
  }
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string' },
        'admin-port': { type: 'string' },
        'log-level': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
    }))
  } catch (err) {
    process.stderr.write(`shadowfig: ${(err as Error).message}\n\n${USAGE}\n`)
    return 1
  }
  if (values.help) { process.stdout.write(USAGE + '\n'); return 0 }
  if (values.version) {
    const { createRequire } = await import('node:module')
    process.stdout.write(`${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`)
    return 0
  }
  const port = intOption(values.port, '--port')
  const adminPort = intOption(values['admin-port'], '--admin-port')
  const workers = intOption(values.workers, '--workers') ?? 1
  if (port === null || adminPort === null || workers === null) return 1
  const configFile = values.config ?? process.env.SHADOWFIG_CONFIG ?? 'config/shadowfig.yaml'
  const opts = { configFile, port, adminPort, logLevel: values['log-level'] }
  if (workers > 1) {
    const { runCluster } = await import('./cluster/primary.js')
    return runCluster({ ...opts, workers })
  }
  try {
    await App.start(opts)
    return -1 // keep running; signals end the process
  } catch (err) {
    // Keyed on the code: the loader's ConfigError and a route that fails to compile are both bad input.
    if (err instanceof ShadowfigError && err.code === 'SHADOWFIG_ERR_CONFIG') {
      process.stderr.write(`shadowfig: ${configFile} is not a valid config:\n${err.message}\n`)
      return 1
    }
    process.stderr.write(`shadowfig: failed to start: ${(err as Error).message}\n`)
    return 2
  }
}

/** undefined when absent, null (after printing why) when not a non-negative integer. */
function intOption (v: string | undefined, name: string): number | undefined | null {
  if (v === undefined) return undefined
  const n = Number(v)
  if (Number.isInteger(n) && n >= 0) return n
  process.stderr.write(`shadowfig: ${name} takes a whole number (found "${v}")\n`)
  return null
}

const code = await run(process.argv.slice(2))
// One-shot commands end the process (pools and timers must not keep it alive); the proxy keeps running.
if (code >= 0) process.exit(code)
