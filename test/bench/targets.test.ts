// The bench's shadowfig peer: started through its CLI on a one-route config, it serves the
// primary's bytes, mirrors and compares every request, and reports that through its counters.
import t from 'tap'
import { startBackend, closedPort } from '../../bench/backends.js'
import { startBackendProcesses, startShadowfig } from '../../bench/targets.js'

// The peer runs this repo's sources under tsx: tap's coverage hook must stay out of it
// (test/helpers/ts-loader.ts). Seen when it did not: the report's statements fell from 99.1% to
// 91.0%, the child's tsx-mapped coverage of src/ merged with the tests'. Set before any child
// starts; the bench's spawnNode passes this process's environment on.
process.env._TAPJS_PROCESSINFO_COVERAGE_ = '0'

t.test('a mirroring peer answers with the primary\'s bytes and counts a match per request', async (t) => {
  const primary = await startBackend({ variant: 'primary' })
  t.teardown(primary.close)
  const candidate = await startBackend({ variant: 'candidate' })
  t.teardown(candidate.close)
  const upstreams = { primary: primary.port, candidate: candidate.port, slow: 0, down: await closedPort() }
  const peer = await startShadowfig({ shadow: 'healthy', upstreams })
  t.teardown(peer.stop)
  t.equal(peer.name, 'shadowfig')
  const direct = Buffer.from(await (await fetch(`http://127.0.0.1:${primary.port}/json/2048`)).arrayBuffer())
  for (let i = 0; i < 5; i++) {
    t.same(Buffer.from(await (await fetch(`http://127.0.0.1:${peer.port}/json/2048`)).arrayBuffer()), direct, `request ${i + 1}: the primary's bytes`)
  }
  let counters: Record<string, number> = {}
  for (let tries = 0; tries < 100 && (counters['comparisons_total.match'] ?? 0) < 5; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    counters = await peer.counters()
  }
  t.equal(counters['mirror_total.sent'], 5, 'every request mirrored')
  t.equal(counters['comparisons_total.match'], 5, 'and compared: the candidate differs only where the config normalizes')
})

t.test('a peer that cannot start is an error, and leaves nothing running', async (t) => {
  const upstreams = { primary: await closedPort(), candidate: 0, slow: 0, down: 0 }
  await t.rejects(startShadowfig({ shadow: 'none', upstreams, root: '/nonexistent' }), /exited \(1\) before/)
})

t.test('the backend processes serve the primary and candidate documents, and a refused port stands for down', async (t) => {
  const backends = await startBackendProcesses()
  t.teardown(backends.stop)
  const { primary, candidate, slow, down } = backends.upstreams
  const body = async (port: number): Promise<{ generated_at: string }> => await (await fetch(`http://127.0.0.1:${port}/json/2048`)).json() as { generated_at: string }
  t.not((await body(primary)).generated_at, (await body(candidate)).generated_at, 'the candidate variant differs where the config normalizes')
  t.ok(slow > 0 && slow !== candidate, 'the slow candidate has a port of its own')
  await t.rejects(fetch(`http://127.0.0.1:${down}/json/16`), 'nothing listens on the down port')
})
