// The soak over the fault matrix's routes (bench/faults/soak.ts), on a tiny setting: one phase
// of the refused candidate; it reports RSS, heap and fds at start and end, and client errors.
import t from 'tap'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { phaseSeconds, soakMain, type SoakSummary } from '../../bench/faults/soak.js'

// The proxy and backends run this repo's sources under tsx: tap's coverage hook must stay out
// of them (test/helpers/ts-loader.ts). Set before any child starts; spawnNode passes it on.
process.env._TAPJS_PROCESSINFO_COVERAGE_ = '0'

t.test('phases: every fault at least once, 5 to 30 s each', async (t) => {
  t.equal(phaseSeconds(10, 9), 30)
  t.equal(phaseSeconds(1, 6), 10)
  t.equal(phaseSeconds(0.05, 2), 5)
})

t.test('a one-phase soak reports start and end and no healthy-route error', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shadowfig-soak-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  let out = ''
  const code = await soakMain({
    faults: ['refused'], minutes: 0.05, rate: 100, warmupMs: 200, settleTimeoutMs: 5000, idleMs: 0,
    check: true, resultsDir: pathToFileURL(dir + '/'), out: { write: (s: string) => { out += s } }, log: () => {},
  })
  t.match(out, /soak: 1 phases, 0\.05 min at 100 req\/s/)
  t.match(out, /RSS [\d.]+ → [\d.]+ MiB/)
  t.match(out, /open fds \d+ → \d+/)
  const files = readdirSync(dir)
  t.equal(files.length, 1, 'one JSON file')
  const { summary, series } = JSON.parse(readFileSync(path.join(dir, files[0] as string), 'utf8')) as { summary: SoakSummary, series: Array<{ fault: string }> }
  t.same(series.map((s) => s.fault), ['none'], 'the phases cycle from `none`')
  t.ok(summary.start.rssMiB > 0 && summary.end.rssMiB > 0 && summary.start.heapMiB > 0 && summary.start.fds > 0, 'RSS, heap and fds read')
  t.equal(summary.clientErrors.healthy, 0)
  t.equal(code, Object.values(summary.held).includes(false) ? 1 : 0, '--check: exit 1 only when something did not hold')
})
