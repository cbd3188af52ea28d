/**
 * config/docker-compose.yml: only known Compose keys, every reference resolves (depends_on,
 * configs, named volumes, bind-mounted repo files, build context), the inline shadowfig config
 * passes validation and points at the compose services and published ports, Prometheus
 * scrapes the admin port, Grafana's provisioning finds the dashboard, and the backend and
 * traffic entrypoints really run (the image's dist/demo code, here from src/ through tsx).
 */
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { request } from 'undici'
import { REPO, execForm, readDockerfile } from './dockerfile.js'
import { checkConfigText } from './config-check.js'
import { freePort, startServer } from '../record/helpers.js'

const DIR = join(REPO, 'config')
const FILE = join(DIR, 'docker-compose.yml')

const dependsOn = z.record(z.string(), z.strictObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) }))
const service = z.strictObject({
  image: z.string().regex(/:[\w.-]+$/, 'an image with a tag'),
  build: z.strictObject({ context: z.string(), dockerfile: z.string() }).optional(),
  init: z.boolean().optional(),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  healthcheck: z.strictObject({ test: z.array(z.string()), interval: z.string().optional(), retries: z.number().int().optional() }).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  configs: z.array(z.strictObject({ source: z.string(), target: z.string().startsWith('/') })).optional(),
  volumes: z.array(z.string()).optional(),
  ports: z.array(z.string().regex(/^\d+:\d+$/)).optional(),
  depends_on: dependsOn.optional(),
})
const compose = z.strictObject({
  name: z.string(),
  'x-image': z.unknown().optional(),
  services: z.record(z.string(), service),
  volumes: z.record(z.string(), z.strictObject({})).optional(),
  configs: z.record(z.string(), z.strictObject({ content: z.string() })).optional(),
})

type Compose = z.output<typeof compose>

function load (): Compose {
  return compose.parse(parse(readFileSync(FILE, 'utf8'), { merge: true }))
}

/** Compose unescapes `$$` to `$` in inline content. */
const content = (c: Compose, name: string): string => (c.configs?.[name]?.content ?? '').replaceAll('$$', '$')

t.test('compose file: known keys, and every reference resolves', async (t) => {
  const c = load()
  t.same(Object.keys(c.services).sort(), ['candidate', 'grafana', 'monolith', 'monolith-b', 'prometheus', 'shadowfig', 'traffic'])
  const imageHasHealthcheck = readDockerfile().stages.at(-1)?.steps.some((s) => s.op === 'HEALTHCHECK') ?? false
  for (const [name, s] of Object.entries(c.services)) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      t.ok(dep in c.services, `${name} depends on existing ${dep}`)
      if (condition === 'service_healthy') {
        const d = c.services[dep]
        t.ok(d.healthcheck || (d.image === 'shadowfig:dev' && imageHasHealthcheck), `${dep} has a healthcheck`)
      }
    }
    for (const cfg of s.configs ?? []) t.ok(c.configs?.[cfg.source], `${name}: config ${cfg.source} defined`)
    for (const v of s.volumes ?? []) {
      const src = v.split(':')[0]
      if (src.startsWith('.')) t.ok(existsSync(join(DIR, src)), `${name}: ${src} exists in the repo`)
      else t.ok(c.volumes && src in c.volumes, `${name}: named volume ${src} declared`)
    }
    if (s.build) t.ok(existsSync(join(DIR, s.build.context, s.build.dockerfile)), `${name}: build context has the Dockerfile`)
  }
})

t.test('inline configs agree with the services, ports and provisioning', async (t) => {
  const c = load()
  const sf = c.services.shadowfig
  t.same(sf.configs?.map((x) => x.target), ['/etc/shadowfig/shadowfig.yaml'])
  const config = await checkConfigText(content(c, 'shadowfig'), { SHADOWFIG_ADMIN_TOKEN: 'demo' })
  t.equal(config.admin.token, 'demo', 'token comes from the container env, not the file')
  t.same(sf.ports, [`${config.listen.port}:${config.listen.port}`, `${config.admin.port}:${config.admin.port}`])
  for (const [name, up] of Object.entries(config.upstreams)) {
    const u = new URL(up.url)
    const backend = c.services[u.hostname]
    t.ok(backend, `upstream ${name} is the ${u.hostname} service`)
    t.equal(backend?.environment?.PORT, u.port, `${u.hostname} listens on ${u.port}`)
    t.match(backend?.entrypoint?.join(' ') ?? '', new RegExp(`port: ${u.port} \\}`))
  }
  for (const r of config.routes) if (r.record) t.match(r.record.file, /^\/var\/lib\/shadowfig\//, 'captures on the volume')
  t.ok(sf.volumes?.includes('captures:/var/lib/shadowfig'))

  const prom = parse(content(c, 'prometheus')) as { scrape_configs: Array<{ metrics_path: string, static_configs: Array<{ targets: string[] }> }> }
  t.equal(prom.scrape_configs[0].metrics_path, '/metrics')
  t.same(prom.scrape_configs[0].static_configs[0].targets, [`shadowfig:${config.admin.port}`])
  t.same(c.services.prometheus.configs?.map((x) => x.target), ['/etc/prometheus/prometheus.yml'])

  const ds = parse(readFileSync(join(DIR, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ url: string }> }
  const dsUrl = new URL(ds.datasources[0].url)
  t.ok(dsUrl.hostname in c.services, 'Grafana datasource points at a compose service')
  t.ok(c.services[dsUrl.hostname].ports?.some((p) => p.endsWith(`:${dsUrl.port}`)), 'on its port')
  const provider = parse(readFileSync(join(DIR, 'grafana/provisioning/dashboards/shadowfig.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> }
  const dashMount = c.services.grafana.volumes?.find((v) => v.startsWith('./grafana/shadowfig.json:'))?.split(':')[1] ?? ''
  t.equal(dashMount, `${provider.providers[0].options.path}/shadowfig.json`, 'dashboard mounted where the provider looks')
  t.equal(c.services.grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, dashMount)
})

/** Runs a service's `node --input-type=module -e` entrypoint against the sources (tsx maps .js to .ts). */
function runEntrypoint (t: Test, argv: string[], replace: Array<[string, string]>, env: Record<string, string> = {}): void {
  const [cmd, ...rest] = argv
  t.equal(cmd, 'node')
  const args = rest.map((a) => replace.reduce((s, [from, to]) => s.replaceAll(from, to), a))
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } })
  t.teardown(() => { child.kill('SIGKILL') })
}

async function until (fn: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (await fn().catch(() => false)) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return false
}

t.test('backend and traffic entrypoints run the demo code and pass their healthcheck', async (t) => {
  const c = load()
  const src = join(REPO, 'src') + '/'
  for (const name of ['monolith', 'monolith-b', 'candidate']) {
    const s = c.services[name]
    const p = String(await freePort())
    runEntrypoint(t, s.entrypoint ?? [], [['/app/dist/', src], [`port: ${s.environment?.PORT}`, `port: ${p}`], ["host: '0.0.0.0'", "host: '127.0.0.1'"]])
    t.ok(await until(async () => (await request(`http://127.0.0.1:${p}/api/v1/users/1`)).statusCode === 200), `${name} serves`)
    const hc = s.healthcheck?.test ?? []
    t.equal(hc[0], 'CMD')
    const code = await new Promise<number | null>((resolve) => {
      spawn(process.execPath, hc.slice(2), { env: { ...process.env, PORT: p }, stdio: 'ignore' }).on('exit', resolve)
    })
    t.equal(code, 0, `${name} healthcheck passes`)
  }
  let hits = 0
  const target = await startServer(t, (_req, res) => { hits++; res.end('{}') })
  runEntrypoint(t, c.services.traffic.entrypoint ?? [], [['/app/dist/', src], ['http://shadowfig:8080', target]])
  t.ok(await until(async () => hits >= 3), 'traffic loop sends requests through the proxy address')
  // The image's entrypoint serves these (dist/ layout mirrors src/).
  t.same(execForm(readDockerfile().stages.at(-1)?.steps.find((s) => s.op === 'ENTRYPOINT')?.args ?? '[]').slice(2), ['node', '/app/dist/cli.js'])
})
