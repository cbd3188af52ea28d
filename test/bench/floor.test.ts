// The floor peer (a bare Node + undici proxy): it answers with the primary's bytes and, in its
// mirror mode, sends the candidate a copy of each request.
import t from 'tap'
import http from 'node:http'
import { readdirSync } from 'node:fs'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { startBackend, closedPort } from '../../bench/backends.js'
import { startFloor } from '../../bench/floor.js'
import { profilingArgs } from '../../bench/proc.js'

// The peer runs this repo's sources under tsx: tap's coverage hook must stay out of it
// (test/helpers/ts-loader.ts). Seen when it did not: the report's statements fell from 99.1% to
// 91.0%, the child's tsx-mapped coverage of src/ merged with the tests'. Set before any child
// starts; the bench's spawnNode passes this process's environment on.
process.env._TAPJS_PROCESSINFO_COVERAGE_ = '0'

t.test('passes the primary\'s answer through byte for byte and copies each request to the candidate', async (t) => {
  const primary = await startBackend({ variant: 'primary' })
  t.teardown(primary.close)
  const seen: string[] = []
  const candidate = http.createServer((req, res) => { seen.push(`${req.method} ${req.url}`); res.end('{}') })
  candidate.listen(0, '127.0.0.1')
  await once(candidate, 'listening')
  t.teardown(() => candidate.close())
  const upstreams = { primary: primary.port, candidate: (candidate.address() as AddressInfo).port, slow: 0, down: await closedPort() }

  const direct = Buffer.from(await (await fetch(`http://127.0.0.1:${primary.port}/json/2048`)).arrayBuffer())
  const floor = await startFloor('healthy', upstreams)
  t.teardown(floor.stop)
  const res = await fetch(`http://127.0.0.1:${floor.port}/json/2048`)
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'application/json', 'the primary\'s headers')
  t.same(Buffer.from(await res.arrayBuffer()), direct, 'the primary\'s bytes')
  // The copy leaves beside the primary request but may land after the answer: wait up to 2 s.
  for (let tries = 0; tries < 200 && !seen.includes('GET /json/2048'); tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(seen.includes('GET /json/2048'), 'the candidate got the copy')

  const pass = await startFloor('none', upstreams)
  t.teardown(pass.stop)
  const before = seen.length
  t.equal((await (await fetch(`http://127.0.0.1:${pass.port}/json/1024`)).arrayBuffer()).byteLength, 1024)
  t.equal(seen.length, before, 'pass-through mode sends no copy')
})

t.test('takes extra node flags: the bench\'s --cpu-prof profiles the floor as it does shadowfig', async (t) => {
  const primary = await startBackend({ variant: 'primary' })
  t.teardown(primary.close)
  const dir = t.testdir({})
  const upstreams = { primary: primary.port, candidate: primary.port, slow: 0, down: await closedPort() }
  const floor = await startFloor('none', upstreams, {}, profilingArgs(dir))
  t.equal((await fetch(`http://127.0.0.1:${floor.port}/json/1024`)).status, 200)
  await floor.stop()
  // One profile per thread at exit; the main thread's is `.0.`.
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  t.ok(profiles.some((f) => /\.0\.\d+\.cpuprofile$/.test(f)), `a main-thread profile in ${profiles.join(', ')}`)
})
