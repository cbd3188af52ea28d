// What the bench feeds its peers: every scenario's shadowfig config is valid under the real
// schema (so the bench cannot drift from the config the proxy accepts), nginx accepts its
// config when installed, and the /metrics counters parse into outcome and verdict totals.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { configSchema } from '../../src/config/schema.js'
import { shadowfigConfig, nginxConfig, parseCounters, type ShadowMode } from '../../bench/configs.js'

const upstreams = { primary: 3001, candidate: 3002, slow: 3003, down: 3004 }
const modes: ShadowMode[] = ['none', 'healthy', 'same', 'slow', 'down']

t.test('each scenario config passes the shadowfig schema and mirrors to the right port', async (t) => {
  for (const shadow of modes) {
    const parsed = configSchema.safeParse(shadowfigConfig({ shadow, upstreams }, 8080, 9901, '/tmp/d.ndjson'))
    t.ok(parsed.success, `${shadow}: ${parsed.error?.message ?? 'valid'}`)
    const cfg = parsed.data
    const route = cfg?.routes[0]
    if (shadow === 'none') {
      t.equal(route?.shadow, undefined)
      t.equal(cfg?.upstreams.candidate, undefined)
      continue
    }
    t.equal(route?.shadow?.sample, 1, 'every request mirrored')
    t.equal(route?.compare.maxBodySize, 2 * 1024 * 1024, '1 MiB bodies are compared, not skipped')
    t.equal(cfg?.upstreams.candidate?.url, `http://127.0.0.1:${{ healthy: 3002, same: 3001, slow: 3003, down: 3004 }[shadow]}`)
  }
})

t.test('a scenario may set the comparator chain', async (t) => {
  const parsed = configSchema.parse(shadowfigConfig({ shadow: 'healthy', upstreams, comparators: ['status'] }, 8080, 9901, '/tmp/d.ndjson'))
  t.same(parsed.routes[0]?.compare.comparators, ['status'])
})

t.test('nginx configs mirror only when asked, and nginx -t accepts them', async (t) => {
  t.notMatch(nginxConfig('/d', 1, 'none', upstreams), /mirror/)
  const slow = nginxConfig('/d', 1, 'slow', upstreams)
  t.match(slow, /mirror \/mirror;/)
  t.match(slow, /upstream candidate \{ server 127\.0\.0\.1:3003;/)
  const nginx = spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0
  t.test('nginx -t', { skip: nginx ? false : 'nginx not installed' }, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-nginx-test-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    for (const shadow of modes) {
      writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, 18080, shadow, upstreams))
      const r = spawnSync('nginx', ['-t', '-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`], { encoding: 'utf8' })
      t.equal(r.status, 0, `${shadow}: ${r.stderr}`)
    }
  })
})

t.test('counters sum mirror outcomes and verdicts across routes', async (t) => {
  const text = [
    '# HELP shadowfig_mirror_total Mirrored requests by outcome',
    'shadowfig_mirror_total{route="a",outcome="sent"} 10',
    'shadowfig_mirror_total{route="b",outcome="sent"} 5',
    'shadowfig_mirror_total{route="a",outcome="saturated"} 2',
    'shadowfig_comparisons_total{route="a",verdict="match"} 9',
    'shadowfig_comparisons_total{route="a"} 1',
    'shadowfig_requests_total{route="a",method="GET",code_class="2xx"} 15',
  ].join('\n')
  t.same(parseCounters(text), { 'mirror_total.sent': 15, 'mirror_total.saturated': 2, 'comparisons_total.match': 9, 'comparisons_total.': 1 })
})
