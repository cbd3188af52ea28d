/** SIGTERM drains: in-flight requests finish, new connections are refused, exit code 0. */
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { httpServer } from '../helpers/servers.js'
import { spawnCli } from '../helpers/cli.js'

t.test('SIGTERM lets an in-flight request finish, then exits 0', async (t) => {
  const up = await httpServer((req, res) => {
    if (req.url === '/slow') setTimeout(() => res.end('slow done'), 800)
    else res.end('fast')
  })
  t.teardown(() => up.close())
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-drain-'))
  const file = join(dir, 'c.yaml')
  writeFileSync(file, `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
drainTimeout: 5s
upstreams: { primary: { url: "${up.url}" } }
routes:
  - { name: all, match: { pathPrefix: / }, primary: primary }
`)
  const cli = spawnCli(['--config', file])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const m = await cli.waitFor(/"proxy":"127\.0\.0\.1:(\d+)"/)
  const url = `http://127.0.0.1:${m[1]}`
  t.equal(await (await request(`${url}/fast`)).body.text(), 'fast')
  const slow = request(`${url}/slow`)
  await new Promise((resolve) => setTimeout(resolve, 150))
  cli.child.kill('SIGTERM')
  const r = await slow
  t.equal(await r.body.text(), 'slow done', 'the in-flight request completed during drain')
  t.equal(await cli.exited, 0, 'exit code 0')
  t.match(cli.stdout(), /"event":"shadowfig.draining"/)
  t.match(cli.stdout(), /"event":"shadowfig.stopped"/)
  await t.rejects(request(`${url}/fast`), 'new connections are refused after exit')
})

t.test('a bad config at start exits 1 with every error as file:line:col', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-bad-'))
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, 'upstreams: { a: { url: "http://127.0.0.1:1" } }\nroutes:\n  - { name: r, match: { pathPrefix: / }, primary: nope, sampel: 1 }\n')
  const cli = spawnCli(['--config', file])
  t.equal(await cli.exited, 1)
  t.match(cli.stderr(), new RegExp(`${file.replace(/[.]/g, '\\.')}:3:\\d+ `))
  t.match(cli.stderr(), /nope/)
  t.match(cli.stderr(), /sampel/)
})

t.test('CLI usage errors exit 1; --help exits 0', async (t) => {
  const bad = spawnCli(['--port', 'abc'])
  t.equal(await bad.exited, 1)
  t.match(bad.stderr(), /--port takes a whole number/)
  const unknown = spawnCli(['frobnicate'])
  t.equal(await unknown.exited, 1)
  t.equal(unknown.stderr(), 'shadowfig: unknown command frobnicate (see shadowfig --help)\n')
  const help = spawnCli(['--help'])
  t.equal(await help.exited, 0)
  t.match(help.stdout(), /\n {2}check FILE /)
})
