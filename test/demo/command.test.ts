/**
 * `shadowfig demo` as users run it: the real CLI in a child process (its --duration run and
 * its SIGTERM stop both exit 0 after a clean shutdown, and the printed report URL answers
 * while it runs), plus the command's option errors and a taken port, in process.
 */
import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { DIFFS_FILE, main, parseDemoArgs } from '../../src/commands/demo.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

// The child runs the CLI as users do (through tsx) with tap's coverage off (@tapjs/processinfo
// README): coverage from a second TypeScript loader either drops the files both processes
// load from tap's report or, through tsx's source maps, counts unrun lines as run. The
// in-process tests below cover the command's lines.
const CHILD_ENV = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' }

interface Run { code: number | null, signal: NodeJS.Signals | null, out: string, err: string }

/** Runs the CLI; `onOutput` sees stdout as it grows and may return a promise to wait for. */
function runCli (args: string[], onOutput?: (out: string, kill: (s: NodeJS.Signals) => void) => Promise<void> | void): Promise<Run & { during?: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', ...args], { cwd: ROOT, env: CHILD_ENV, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let pending: Promise<unknown> = Promise.resolve()
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const r = onOutput?.(out, (s) => child.kill(s))
      if (r) pending = pending.then(() => r)
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
    child.on('error', reject)
    child.on('close', (code, signal) => { pending.then(() => resolve({ code, signal, out, err }), reject) })
  })
}

class Text { text = ''; write (s: string): void { this.text += s } }

async function tempDiffs (t: Tap.Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shadowfig-demo-cmd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return join(dir, 'diffs.ndjson')
}

const REPORT_URL = /report \(open me\) {2}(http:\/\/127\.0\.0\.1:\d+\/report)/

t.test('shadowfig demo --duration runs, serves the report, prints a summary and exits 0', async (t) => {
  let status: number | undefined
  const diffs = await tempDiffs(t)
  const run = await runCli(['--duration', '5', '--port', '0', '--admin-port', '0', '--rate', '30', '--diffs', diffs], async (out) => {
    const m = REPORT_URL.exec(out)
    if (m && status === undefined) {
      status = 0
      const res = await request(m[1])
      await res.body.dump()
      status = res.statusCode
    }
  })
  t.equal(run.code, 0, run.err)
  t.match(run.out, REPORT_URL)
  t.match(run.out, /metrics +http:\/\/127\.0\.0\.1:\d+\/metrics/)
  t.match(run.out, /proxy +http:\/\/127\.0\.0\.1:\d+ /)
  t.match(run.out, /requests \d+ · compared \d+ · match \d+ · mismatch \d+/, 'the summary line (plain: not a terminal)')
  t.match(run.out, /demo stopped \(duration\)/)
  t.equal(status, 200, 'the printed report URL answered while the demo ran')
  t.match(run.out, `diff events       ${diffs}`)
  t.match(await readFile(diffs, 'utf8'), /"event":"shadowfig.diff"/, 'diff events went to the file, not stdout')
  t.notMatch(run.out, /shadowfig\.diff/)
})

t.test('SIGTERM stops the demo cleanly with exit 0', async (t) => {
  let killed = false
  const run = await runCli(['--port', '0', '--admin-port', '0', '--no-traffic', '--diffs', await tempDiffs(t)], (out, kill) => {
    // Once: a second signal during shutdown gets the default action (a hard stop), as usual.
    if (!killed && REPORT_URL.test(out)) { killed = true; kill('SIGTERM') }
  })
  t.equal(run.code, 0, run.err)
  t.match(run.out, /No traffic \(--no-traffic\)/)
  t.match(run.out, /demo stopped \(SIGTERM\)/)
})

t.test('options are checked', async (t) => {
  t.same(parseDemoArgs([]), { duration: undefined, port: undefined, adminPort: undefined, rate: 20, traffic: true, diffs: DIFFS_FILE })
  t.same(parseDemoArgs(['--duration', '1.5', '--rate', '5', '--no-traffic', '--port', '0', '--diffs', 'd.ndjson']), { duration: 1.5, port: 0, adminPort: undefined, rate: 5, traffic: false, diffs: 'd.ndjson' })
  for (const [args, msg] of [
    [['--duration', '0'], /--duration takes a number of seconds/],
    [['--port', '70000'], /--port takes a port number/],
    [['--admin-port', ''], /--admin-port takes a port number/],
    [['--rate', 'fast'], /--rate takes requests per second/],
    [['--bogus'], /unknown option --bogus/],
    [['extra'], /unexpected argument extra/],
  ] as const) t.throws(() => parseDemoArgs([...args]), { code: 'SHADOWFIG_ERR_USAGE', message: msg }, args.join(' '))

  const out = new Text()
  const err = new Text()
  const signals = new EventEmitter()
  t.equal(await main(['--rate', '0'], { out, err, signals }), 1)
  t.match(err.text, /^shadowfig demo: --rate takes [^\n]* \(see shadowfig demo --help\)\n$/)
  t.equal(await main(['--help'], { out, err, signals }), 0)
  t.match(out.text, /^Usage:\n {2}shadowfig demo /)
})

t.test('a taken proxy port: exit 2 with a hint, nothing left running', async (t) => {
  const blocker: Server = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const port = (blocker.address() as { port: number }).port
  const out = new Text()
  const err = new Text()
  t.equal(await main(['--port', String(port), '--admin-port', '0', '--duration', '1', '--diffs', await tempDiffs(t)], { out, err, signals: new EventEmitter() }), 2)
  t.match(err.text, /cannot start: .*EADDRINUSE[^]*try --port 0 --admin-port 0/)
})

t.test('any other start failure: exit 2 with the reason, backends closed', async (t) => {
  const err = new Text()
  const dir = await tempDiffs(t) // its parent directory exists; a directory cannot be the diff file
  t.equal(await main(['--port', '0', '--admin-port', '0', '--diffs', join(dir, '..')], { out: new Text(), err, signals: new EventEmitter() }), 2)
  t.match(err.text, /^shadowfig demo: cannot start: .*\n$/)
  t.notMatch(err.text, /a port is taken/)
})

t.test('in process: traffic and summary for --duration, then a signal stops an idle demo', async (t) => {
  const out = new Text()
  const err = new Text()
  const diffs = await tempDiffs(t)
  t.equal(await main(['--duration', '1.5', '--rate', '40', '--port', '0', '--admin-port', '0', '--diffs', diffs], { out, err, signals: new EventEmitter() }), 0, err.text)
  t.match(out.text, /Sending 40 requests\/s through the proxy\. Stopping after 1\.5 s\./)
  t.match(out.text, /\nrequests [1-9]\d* · compared \d+/, 'final summary line')
  t.match(out.text, /demo stopped \(duration\)/)

  const signals = new EventEmitter()
  const idle = new Text()
  const stopped = main(['--no-traffic', '--port', '0', '--admin-port', '0', '--diffs', diffs], { out: idle, err, signals })
  while (!idle.text.includes('Ctrl-C to stop')) await new Promise((resolve) => setTimeout(resolve, 20))
  signals.emit('SIGINT', 'SIGINT')
  t.equal(await stopped, 0)
  t.match(idle.text, /compared 0 · match 0 .* top diffs: none yet\ndemo stopped \(SIGINT\)/)
  t.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0, 'handlers removed')
})
