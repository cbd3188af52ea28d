/**
 * `shadowfig rollback ROUTE [--admin URL] [--config FILE] [--weight N]`
 *
 * Sets a route's live split weight through the running proxy's admin API
 * (`POST /api/routes/:name/split` with `{ "weight": N }`, default 0 = roll back); the admin
 * URL and token as admin-client.ts finds them.
 *
 * Exit codes (docs/traffic-shifting.md, "Steering and rollback"): 0 the weight was set (the
 * new weight is printed); 1 bad input or a 4xx (unknown route, bad token, bad weight: the
 * message says what to do); 2 the admin API could not be reached or failed (5xx).
 */
import { UsageError } from '../errors.js'
import { ADMIN_OPTIONS, adminUrl, callAdmin, noSplitAdvice, parseShareArg, type CommandIO } from './admin-client.js'
import { defineCommand, runCommand } from './command-line.js'

export type { CommandIO } from './admin-client.js'

const ROLLBACK = defineCommand({
  name: 'shadowfig rollback',
  synopsis: ['ROUTE [options]'],
  summary: 'Set a route\'s live split weight (default 0: roll back) through the running proxy\'s admin API.',
  positionals: true,
  options: {
    ...ADMIN_OPTIONS,
    weight: { type: 'string', value: 'N', help: 'the live weight to set: a ratio 0..1 or a percentage such as 5% (default 0)' },
  },
  notes: 'The token is read from $SHADOWFIG_ADMIN_TOKEN.\nExit codes: 0 the weight was set; 1 bad input or a 4xx answer; 2 the admin API could not be reached or answered 5xx.',
})

export async function main (args: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  return runCommand(ROLLBACK, args, io, async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one ROUTE name')
    const raw = values.weight ?? '0'
    const weight = parseShareArg(raw)
    if (weight === undefined) throw new UsageError(`--weight must be a ratio between 0 and 1 or a percentage such as 5% (got "${raw}")`)
    const route = positionals[0]
    const r = await callAdmin('shadowfig rollback', adminUrl(values, io.env), `/api/routes/${encodeURIComponent(route)}/split`, { weight }, io, (s) => advice(s, route))
    if (typeof r === 'number') return r
    const live = typeof r.body.weight === 'number' ? r.body.weight : weight
    const file = typeof r.body.fileWeight === 'number' ? ` (file weight ${r.body.fileWeight})` : ''
    io.stdout.write(`route ${route}: live split weight ${live}${file}\n`)
    return 0
  })
}

function advice (status: number, route: string): string | undefined {
  switch (status) {
    case 404: return noSplitAdvice(route)
    case 400: return 'The weight was rejected: use a ratio between 0 and 1 or a percentage such as 5%.\n'
    default: return undefined
  }
}
