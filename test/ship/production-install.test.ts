/**
 * The Dockerfile's runtime stage, run without Docker: build dist/ like the build stage, copy
 * what the runtime stage copies into a clean temp dir, run the runtime stage's own `npm ci`
 * command (read from the Dockerfile, plus --prefer-offline so it installs from the local
 * cache), then start the proxy the way ENTRYPOINT/CMD do, probe it with the HEALTHCHECK
 * command, send a request through it to a real upstream, and stop it with SIGTERM (exit 0).
 */
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { cp, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { freePort, startServer, tempDir } from '../record/helpers.js'
import { REPO, execForm, npmCi, readDockerfile } from './dockerfile.js'

// A full tsc build plus an npm install: minutes, not seconds, on a loaded 2-core machine.
t.setTimeout(360_000)

const { args: dockerArgs, stages } = readDockerfile()
const runtime = stages.find((s) => s.name === 'runtime')
if (!runtime) throw new Error('Dockerfile has no runtime stage')

function run (cmd: string, argv: string[], cwd: string): Promise<{ code: number | null, out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { out += d.toString() })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, out }))
  })
}

async function waitHealthy (url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`proxy exited ${child.exitCode}:\n${log()}`)
    const ok = await request(url).then(async (r) => { await r.body.dump(); return r.statusCode === 200 }, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`no healthy ${url}:\n${log()}`)
}

t.test('Dockerfile pins a Node LTS slim base, runs as node under tini, exposes both ports', async (t) => {
  t.match(dockerArgs.NODE_VERSION, /^(22|24)\.\d+\.\d+$/, 'exact Node LTS version')
  for (const s of stages) t.match(s.from, /^node:(22|24)\.\d+\.\d+-bookworm-slim$/, `${s.name} base pinned`)
  const ops = (op: string): string[] => runtime.steps.filter((s) => s.op === op).map((s) => s.args)
  t.same(ops('USER'), ['node'])
  t.same(ops('EXPOSE'), ['8080 9901'])
  t.match(ops('ENV').join(' '), /SHADOWFIG_CONFIG=\/etc\/shadowfig\/shadowfig\.yaml/)
  t.same(execForm(ops('ENTRYPOINT')[0]).slice(0, 2), ['/usr/bin/tini', '--'])
  t.match(ops('RUN').join(' '), /apt-get install .*\btini\b/)
  t.ok(npmCi(runtime).includes('--omit=dev') && npmCi(runtime).includes('--ignore-scripts'), 'runtime installs production deps without running prepare')
})

t.test('production install from a clean dir serves traffic and exits 0 on SIGTERM', async (t) => {
  const dir = await tempDir(t, 'shadowfig-prod-')
  // Build stage: `npm run build` is `tsc -p tsconfig.build.json`; emit into the temp dir.
  const tsc = await run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')], REPO)
  t.equal(tsc.code, 0, `build stage compiles\n${tsc.out}`)
  // Runtime stage: COPY package.json package-lock.json, RUN npm ci …, COPY dist, COPY config.
  await cp(join(REPO, 'package.json'), join(dir, 'package.json'))
  await cp(join(REPO, 'package-lock.json'), join(dir, 'package-lock.json'))
  await cp(join(REPO, 'config'), join(dir, 'config'), { recursive: true })
  const [npm, ...npmArgs] = npmCi(runtime)
  const install = await run(npm, [...npmArgs, '--prefer-offline'], dir)
  t.equal(install.code, 0, `npm ci --omit=dev succeeds\n${install.out}`)
  t.notOk(existsSync(join(dir, 'node_modules/typescript')), 'no dev dependency installed')
  t.ok(existsSync(join(dir, 'node_modules/undici')), 'runtime dependencies installed')

  const upstream = await startServer(t, (req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ from: 'upstream', path: req.url }))
  })
  const [port, adminPort] = [await freePort(), await freePort()]
  const config = join(dir, 'shadowfig.yaml')
  await writeFile(config, [
    `listen: { host: 127.0.0.1, port: ${port} }`,
    `admin: { host: 127.0.0.1, port: ${adminPort} }`,
    'logging: { level: warn }',
    `upstreams: { monolith: { url: "${upstream}" } }`,
    'routes:',
    '  - { name: all, match: { pathPrefix: / }, primary: monolith }',
  ].join('\n') + '\n')

  // ENTRYPOINT minus tini (it only forwards signals), CMD with the temp config.
  const entry = execForm(runtime.steps.find((s) => s.op === 'ENTRYPOINT')?.args ?? '[]').slice(2)
  t.equal(entry[1], '/app/dist/cli.js')
  const child = spawn(process.execPath, [join(dir, 'dist/cli.js'), '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } })
  let log = ''
  child.stdout?.on('data', (d: Buffer) => { log += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { log += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })

  await waitHealthy(`http://127.0.0.1:${adminPort}/healthz`, child, () => log)
  // The image's HEALTHCHECK command itself, pointed at this admin port.
  const health = execForm(runtime.steps.find((s) => s.op === 'HEALTHCHECK')?.args ?? '[]')
  t.equal(health[0], 'node')
  const probe = await run(process.execPath, health.slice(1).map((a) => a.replace(':9901/', `:${adminPort}/`)), dir)
  t.equal(probe.code, 0, 'HEALTHCHECK passes')

  const res = await request(`http://127.0.0.1:${port}/hello?x=1`)
  t.equal(res.statusCode, 200)
  t.same(await res.body.json(), { from: 'upstream', path: '/hello?x=1' })

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'SIGTERM drains and exits 0')
  const after = await run(process.execPath, health.slice(1).map((a) => a.replace(':9901/', `:${adminPort}/`)), dir)
  t.equal(after.code, 1, 'HEALTHCHECK fails once the process is gone')
})
