/**
 * `shadowfig promote ROUTE [--to N%] [--force] [--admin URL] [--config FILE]`
 *
 * Approves a route's next climb step (`split.steps`), or the share given with --to, through
 * the running proxy's admin API (`POST /api/routes/:name/promote`); the admin URL and token as
 * admin-client.ts finds them. The proxy refuses while the route's guard is tripped or the
 * route is not ready, saying why; --force promotes anyway (the proxy logs it).
 *
 * Exit codes: 0 promoted (from and to are printed); 1 bad input or a 4xx (unknown route, no
 * climb, tripped, not ready: the message says what to do); 2 the admin API could not be
 * reached or failed (5xx).
 */
import { formatShare } from '../config/units.js'
import { UsageError } from '../errors.js'
import { ADMIN_OPTIONS, adminUrl, callAdmin, noSplitAdvice, parseShareArg, type CommandIO } from './admin-client.js'
import { defineCommand, runCommand } from './command-line.js'

const PROMOTE = defineCommand({
  name: 'shadowfig promote',
  synopsis: ['ROUTE [options]'],
  summary: 'Approve a route\'s next split step (or --to a share) through the running proxy\'s admin API.',
  positionals: true,
  options: {
    ...ADMIN_OPTIONS,
    to: { type: 'string', value: 'N', help: 'the share to move to instead of the next step: a ratio 0..1 or a percentage such as 50%' },
    force: { type: 'boolean', help: 'promote even when the route is tripped or not ready (logged by the proxy)' },
  },
  notes: 'The token is read from $SHADOWFIG_ADMIN_TOKEN.\nExit codes: 0 promoted; 1 bad input or a 4xx answer (tripped, not ready: see the message); 2 the admin API could not be reached or answered 5xx.',
})

export async function main (args: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  return runCommand(PROMOTE, args, io, async ({ values, positionals }) => {
    if (positionals.length !== 1) throw new UsageError('give exactly one ROUTE name')
    const to = values.to === undefined ? undefined : parseShareArg(values.to)
    if (values.to !== undefined && to === undefined) throw new UsageError(`--to must be a ratio between 0 and 1 or a percentage such as 50% (got "${values.to}")`)
    const route = positionals[0]
    const payload = { ...to === undefined ? {} : { to }, ...values.force === true ? { force: true } : {} }
    const r = await callAdmin('shadowfig promote', adminUrl(values, io.env), `/api/routes/${encodeURIComponent(route)}/promote`, payload, io, (s) => advice(s, route))
    if (typeof r === 'number') return r
    const forced = r.body.forced === true ? ' (forced)' : ''
    io.stdout.write(`route ${route}: promoted from ${pct(r.body.from)} to ${pct(r.body.to)}${forced}\n`)
    return 0
  })
}

function pct (v: unknown): string {
  return typeof v === 'number' ? formatShare(v) : '?'
}

function advice (status: number, route: string): string | undefined {
  switch (status) {
    case 404: return noSplitAdvice(route)
    case 409: return `See the route's readiness in /api/report or the report page; shadowfig promote ${route} --force overrides, shadowfig rollback ${route} rolls back.\n`
    default: return undefined
  }
}
