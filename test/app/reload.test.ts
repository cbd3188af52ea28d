/**
 * Hot reload as ops do it: the file rewritten while traffic flows, good and bad versions
 * alternately; SIGHUP; the admin endpoint. No request fails, a bad file never replaces the
 * running config, and the final state is the last good file.
 */
import t from 'tap'
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { App } from '../../src/app.js'
import { httpServer } from '../helpers/servers.js'
import { counterValue } from '../helpers/metrics.js'
import { spawnCli } from '../helpers/cli.js'

const a = await httpServer((_req, res) => res.end('A'))
const b = await httpServer((_req, res) => res.end('B'))
t.teardown(async () => { await a.close(); await b.close() })

function good (target: 'a' | 'b'): string {
  return `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
upstreams:
  a: { url: "${a.url}" }
  b: { url: "${b.url}" }
routes:
  - { name: all, match: { pathPrefix: / }, primary: ${target} }
`
}
const BAD = [
  'listen: { port: 0 }\nupstreams: { a: { url: "http://x" } }\nroutes: [ { name: all, match: { pathPrefix: / }, primary: missing } ]\n',
  'routes: [ this is: not: yaml\n',
  '',
]

/** Atomic replace (write a temp file, rename), as editors and kubectl do. */
function replace (file: string, text: string): void {
  writeFileSync(file + '.tmp', text)
  renameSync(file + '.tmp', file)
}

t.test('50 rewrites, good and bad alternately, under a request loop: zero failures', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-reload-'))
  const file = join(dir, 'shadowfig.yaml')
  writeFileSync(file, good('a'))
  const app = await App.start({ configFile: file, signals: false, defaultMetrics: false })
  t.teardown(() => app.shutdown('test'))
  const url = `http://127.0.0.1:${app.proxyPort}`
  let stop = false
  let ok = 0
  const failures: string[] = []
  const loop = (async () => {
    while (!stop) {
      try {
        const r = await request(`${url}/x`)
        const body = await r.body.text()
        if (r.statusCode === 200 && (body === 'A' || body === 'B')) ok++
        else failures.push(`${r.statusCode} ${body}`)
      } catch (err) { failures.push(String(err)) }
    }
  })()
  // Churn: 50 rewrites, faster than the watcher's debounce, so many coalesce. What must hold
  // throughout is that no request fails and no bad file is ever applied.
  for (let i = 0; i < 50; i++) {
    if (i % 2 === 0) replace(file, good((i / 2) % 2 === 0 ? 'b' : 'a')); else replace(file, BAD[i % BAD.length])
    await new Promise((resolve) => setTimeout(resolve, 60))
  }
  // Then a deterministic tail: a good file is applied, and a bad one after it is not. The bad
  // one is new text: the watcher reloads on content it has not seen yet, and the churn may
  // have shown it BAD[0] last (a file that goes back to text already refused is not retried).
  const served = async (): Promise<string> => (await request(`${url}/x`)).body.text()
  const until = async (cond: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  replace(file, good('b'))
  await until(async () => (await served()) === 'B')
  const failuresBefore = await counterValue(app.metrics, 'shadowfig_config_reloads_total', { result: 'failure' })
  replace(file, BAD[0] + '# the tail\n')
  await until(async () => await counterValue(app.metrics, 'shadowfig_config_reloads_total', { result: 'failure' }) > failuresBefore)
  stop = true
  await loop
  t.same(failures, [], 'no request failed')
  t.ok(ok > 50, `${ok} requests succeeded during the rewrites`)
  t.equal(await served(), 'B', 'final state is the last good file; the bad one after it was refused')
  t.ok(await counterValue(app.metrics, 'shadowfig_config_reloads_total', { result: 'failure' }) > failuresBefore, 'the bad file was counted as a failure')
  t.ok(await counterValue(app.metrics, 'shadowfig_config_reloads_total', { result: 'success' }) > 0, 'successes counted')
})

t.test('admin reload: 400 with the errors for a bad file, the old config keeps serving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-admin-reload-'))
  const file = join(dir, 'shadowfig.yaml')
  writeFileSync(file, good('a'))
  const app = await App.start({ configFile: file, signals: false, watch: false, defaultMetrics: false })
  t.teardown(() => app.shutdown('test'))
  const admin = `http://127.0.0.1:${app.adminPort}`
  writeFileSync(file, BAD[0])
  const r = await request(`${admin}/api/reload`, { method: 'POST' })
  t.equal(r.statusCode, 400)
  const body = await r.body.json() as { errors: string[] }
  t.match(body.errors.join('\n'), /shadowfig\.yaml:3:\d+ .*missing/)
  t.equal(await (await request(`http://127.0.0.1:${app.proxyPort}/`)).body.text(), 'A')
  writeFileSync(file, good('b'))
  const ok = await request(`${admin}/api/reload`, { method: 'POST' })
  t.equal(ok.statusCode, 200)
  await ok.body.text()
  t.equal(await (await request(`http://127.0.0.1:${app.proxyPort}/`)).body.text(), 'B')
  const metrics = await (await request(`${admin}/metrics`)).body.text()
  t.match(metrics, /shadowfig_config_info\{hash="[0-9a-f]+"\} 1/)
})

t.test('SIGHUP reloads the config in the running process', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-hup-'))
  const file = join(dir, 'shadowfig.yaml')
  writeFileSync(file, good('a').replace('level: silent', 'level: info'))
  const cli = spawnCli(['--config', file])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const m = await cli.waitFor(/"proxy":"127\.0\.0\.1:(\d+)"/)
  const url = `http://127.0.0.1:${m[1]}`
  t.equal(await (await request(url)).body.text(), 'A')
  // Same inode, no rename: only SIGHUP (or the watcher) can tell; wait for the SIGHUP reload.
  writeFileSync(file, good('b').replace('level: silent', 'level: info'))
  cli.child.kill('SIGHUP')
  await cli.waitFor(/"event":"shadowfig\.reload\.ok"/)
  t.equal(await (await request(url)).body.text(), 'B')
  cli.child.kill('SIGTERM')
  t.equal(await cli.exited, 0)
})
