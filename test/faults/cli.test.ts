/**
 * End to end through the real CLI: a `limits:` block in the YAML file is in force, a reload of
 * the file changes it, and rejections show on the admin /metrics as shadowfig_rejected_total.
 */
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { spawnCli } from '../helpers/cli.js'
import { splitResponse } from '../helpers/servers.js'
import { rawExchange, recordingUpstream } from './harness.js'

const config = (upstream: string, headers: number): string => `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
limits:
  maxHeaderCount: ${headers}
  headersTimeout: 2s
upstreams: { primary: { url: "${upstream}" } }
routes:
  - { name: all, match: { pathPrefix: / }, primary: primary }
`

t.test('limits from the file, reloaded from the file, counted on /metrics', async (t) => {
  const up = await recordingUpstream()
  t.teardown(() => up.close())
  const file = join(mkdtempSync(join(tmpdir(), 'shadowfig-limits-')), 'c.yaml')
  writeFileSync(file, config(up.url, 4))
  const cli = spawnCli(['--config', file])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const proxy = Number((await cli.waitFor(/"proxy":"127\.0\.0\.1:(\d+)"/))[1])
  const admin = Number((await cli.waitFor(/"admin":"127\.0\.0\.1:(\d+)"/))[1])
  const five = 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n'
  t.match(splitResponse(await rawExchange(proxy, five)).statusLine, /^HTTP\/1\.1 431 /, '5 lines over a limit of 4')

  writeFileSync(file, config(up.url, 10))
  await cli.waitFor(/"event":"shadowfig\.reload\.ok"/)
  t.match(splitResponse(await rawExchange(proxy, five)).statusLine, /^HTTP\/1\.1 200 /, 'the reloaded limit of 10 lets it through')

  const metrics = await (await request(`http://127.0.0.1:${admin}/metrics`)).body.text()
  t.match(metrics, /^shadowfig_rejected_total\{reason="too_many_headers"\} 1$/m)
  t.match(metrics, /^shadowfig_rejected_total\{reason="smuggling"\} 0$/m, 'every reason is exported from the start')
  t.equal(up.requests, 1)
})
