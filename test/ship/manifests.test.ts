/**
 * The Kubernetes example (config/k8s/sidecar.yaml) parses, uses only fields that exist
 * (./k8s-schema.ts), and is consistent with itself and with shadowfig: container ports are
 * the config's listen/admin ports, probes hit real admin endpoints, the ConfigMap's config
 * passes shadowfig's own validation, mounts name existing volumes, the Service reaches the
 * proxy port but not the admin port, and captures fit the volume they are written to.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { KINDS, type ConfigMap, type Container, type Deployment, type Service } from './k8s-schema.js'
import { REPO } from './dockerfile.js'
import { checkConfigText } from './config-check.js'
import { parseSize } from '../../src/config/units.js'

const FILE = `${REPO}config/k8s/sidecar.yaml`
const ADMIN_ENDPOINTS = new Set(['/healthz', '/readyz', '/metrics'])

type Known = Deployment | Service | ConfigMap

function load (file: string): Known[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${i}: ${doc.errors[0].message}`)
    const value = doc.toJS() as { kind?: string }
    const schema = KINDS[value.kind as keyof typeof KINDS]
    if (!schema) throw new Error(`${file} document ${i}: kind ${String(value.kind)} is not one the examples use`)
    const r = schema.safeParse(value)
    if (!r.success) throw new Error(`${file} document ${i} (${value.kind}): ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`)
    return r.data
  })
}

/** A probe or Service port (number or container port name) resolved to a number. */
function portOf (c: Container, port: number | string): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort
}

t.test('sidecar example: every document has a known kind and only real fields', async (t) => {
  const docs = load(FILE)
  t.same(docs.map((d) => d.kind), ['ConfigMap', 'Deployment', 'Service'])
})

t.test('sidecar example is consistent with shadowfig and with itself', async (t) => {
  const docs = load(FILE)
  const cm = docs.find((d): d is ConfigMap => d.kind === 'ConfigMap')!
  const dep = docs.find((d): d is Deployment => d.kind === 'Deployment')!
  const svc = docs.find((d): d is Service => d.kind === 'Service')!
  const pod = dep.spec.template
  const sf = pod.spec.containers.find((c) => c.name === 'shadowfig')!
  t.ok(sf, 'a shadowfig container beside the monolith')
  t.ok(pod.spec.containers.length >= 2)

  // The config the container reads is the ConfigMap key, mounted as a directory.
  const configPath = sf.args?.[sf.args.indexOf('--config') + 1] ?? ''
  const mount = sf.volumeMounts?.find((m) => configPath.startsWith(m.mountPath + '/'))
  t.ok(mount, `${configPath} is on a mounted volume`)
  t.equal(mount?.subPath, undefined, 'no subPath: ConfigMap updates (..data swap) must reach the file')
  const vol = pod.spec.volumes?.find((v) => v.name === mount?.name)
  t.equal(vol?.configMap?.name, cm.metadata.name)
  const key = configPath.slice((mount?.mountPath.length ?? 0) + 1)
  t.ok(key in cm.data, `ConfigMap has key ${key}`)

  const config = await checkConfigText(cm.data[key], { SHADOWFIG_ADMIN_TOKEN: 'x' })
  t.same(sf.ports?.map((p) => p.containerPort).sort(), [config.admin.port, config.listen.port].sort(), 'container ports are the config\'s listen and admin ports')
  t.equal(config.admin.host, '0.0.0.0', 'admin reachable by kubelet probes and Prometheus')
  t.equal(config.listen.host, '0.0.0.0')

  // Probes: real admin endpoints on the admin port.
  t.equal(sf.livenessProbe?.httpGet.path, '/healthz')
  t.equal(sf.readinessProbe?.httpGet.path, '/readyz')
  for (const p of [sf.livenessProbe, sf.readinessProbe]) {
    t.ok(ADMIN_ENDPOINTS.has(p?.httpGet.path ?? ''))
    t.equal(portOf(sf, p?.httpGet.port ?? 0), config.admin.port)
  }
  const ann = pod.metadata.annotations ?? {}
  t.equal(ann['prometheus.io/scrape'], 'true')
  t.equal(Number(ann['prometheus.io/port']), config.admin.port)
  t.ok(ADMIN_ENDPOINTS.has(ann['prometheus.io/path'] ?? ''))

  // Every mount names a volume; every volume is used.
  for (const c of pod.spec.containers) {
    for (const m of c.volumeMounts ?? []) t.ok(pod.spec.volumes?.some((v) => v.name === m.name), `${c.name}: volume ${m.name} exists`)
  }
  // The upstream on the pod's loopback is the monolith container's port.
  const mono = pod.spec.containers.find((c) => c.name === 'monolith')!
  const monoPort = Number(new URL(config.upstreams.monolith.url).port)
  t.ok(mono.ports?.some((p) => p.containerPort === monoPort), 'monolith upstream is the monolith container port')
  for (const c of pod.spec.containers) {
    if (c.readinessProbe) t.ok(portOf(c, c.readinessProbe.httpGet.port), `${c.name} probe port resolves`)
  }

  // Captures go to a writable volume big enough for maxFileSize × maxFiles of every route.
  const captures = sf.volumeMounts?.find((m) => m.mountPath === '/var/lib/shadowfig')
  t.ok(captures && !captures.readOnly, 'capture dir is a writable mount (root filesystem is read-only)')
  const emptyDir = pod.spec.volumes?.find((v) => v.name === captures?.name)?.emptyDir
  const limit = parseSize(String(emptyDir?.sizeLimit).replace(/i$/, 'iB')) ?? 0
  let need = 0
  for (const r of config.routes) {
    if (!r.record) continue
    t.ok(r.record.file.startsWith('/var/lib/shadowfig/'), `${r.name} records into the capture volume`)
    need += r.record.maxFileSize * r.record.maxFiles
  }
  t.ok(need > 0 && need <= limit, `captures (${need} B) fit the volume (${limit} B)`)

  // Deployment and Service select the pod; the Service reaches the proxy port only.
  t.same(dep.spec.selector.matchLabels, Object.fromEntries(Object.entries(pod.metadata.labels ?? {}).filter(([k]) => k in dep.spec.selector.matchLabels)))
  for (const [k, v] of Object.entries(svc.spec.selector)) t.equal(pod.metadata.labels?.[k], v, `service selector ${k}`)
  const targets = svc.spec.ports.map((p) => portOf(sf, p.targetPort ?? p.port))
  t.same(targets, [config.listen.port], 'the Service targets the proxy port and nothing else')
  t.ok((dep.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000 > config.drainTimeout, 'grace period outlasts the drain')
})

t.test('the structural check rejects typos and unquoted annotation values', async (t) => {
  const dep = load(FILE).find((d) => d.kind === 'Deployment') as Deployment
  const typo = structuredClone(dep) as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } }
  typo.spec.template.spec.containers[1].readinessProbes = typo.spec.template.spec.containers[1].readinessProbe
  t.notOk(KINDS.Deployment.safeParse(typo).success)
  const bool = structuredClone(dep) as unknown as { spec: { template: { metadata: { annotations: Record<string, unknown> } } } }
  bool.spec.template.metadata.annotations['prometheus.io/scrape'] = true
  t.notOk(KINDS.Deployment.safeParse(bool).success)
})
