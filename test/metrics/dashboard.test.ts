/**
 * The Grafana dashboard's JSON against the shape of Grafana's dashboard model (the fields and
 * types its Dashboard/Panel/AnnotationQuery schema gives them), since no Grafana runs here:
 * unique panel ids, a 24-column grid without overlaps, known panel types, every query with a
 * refId and the templated datasource. The PromQL itself is checked against a real Prometheus
 * in prometheus.test.ts.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'

interface Target { refId: string, expr: string, datasource: { type: string, uid: string } }
interface Panel { id: number, type: string, title: string, gridPos: { h: number, w: number, x: number, y: number }, targets?: Target[], datasource?: { type: string, uid: string }, fieldConfig?: { defaults: Record<string, unknown>, overrides: unknown[] } }
interface Dashboard {
  uid: string, title: string, schemaVersion: number, panels: Panel[]
  annotations: { list: Array<{ name: string, enable: boolean, iconColor: string, expr: string, datasource: { type: string, uid: string }, titleFormat?: string, tagKeys?: string }> }
  templating: { list: Array<{ name: string }> }
}

const dash = JSON.parse(readFileSync(new URL('../../config/grafana/shadowfig.json', import.meta.url), 'utf8')) as Dashboard
const DS = { type: 'prometheus', uid: '${datasource}' }
const TYPES = new Set(['row', 'timeseries', 'stat', 'table', 'gauge', 'bargauge', 'state-timeline'])

t.test('panels fit Grafana\'s model', async (t) => {
  t.type(dash.uid, 'string')
  t.type(dash.schemaVersion, 'number')
  const ids = dash.panels.map((p) => p.id)
  t.equal(new Set(ids).size, ids.length, 'unique panel ids')
  const cells = new Map<string, string>()
  const overlaps: string[] = []
  for (const p of dash.panels) {
    t.ok(TYPES.has(p.type), `${p.title}: known panel type ${p.type}`)
    const g = p.gridPos
    t.ok(Number.isInteger(g.x) && Number.isInteger(g.y) && g.w > 0 && g.h > 0 && g.x + g.w <= 24, `${p.title}: on the 24-column grid`)
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const other = cells.get(`${x},${y}`)
        if (other !== undefined) overlaps.push(`${p.title} / ${other}`)
        cells.set(`${x},${y}`, p.title)
      }
    }
    if (p.type === 'row') continue
    t.same(p.datasource, DS, `${p.title}: the templated datasource`)
    t.ok(Array.isArray(p.fieldConfig?.overrides), `${p.title}: fieldConfig.defaults/overrides`)
    for (const q of p.targets ?? []) {
      t.match(q, { refId: String, expr: String }, `${p.title}: query shape`)
      t.same(q.datasource, DS)
    }
  }
  t.same([...new Set(overlaps)], [], 'no two panels overlap')
  t.ok(dash.templating.list.some((v) => v.name === 'datasource'))
})

t.test('latency comparison, readiness, and split weight steps', async (t) => {
  const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((q) => q.expr))
  t.ok(exprs.some((e) => /histogram_quantile\(0\.5, .*shadowfig_upstream_duration_seconds_bucket/.test(e) && e.includes('role')), 'p50 by role')
  t.ok(exprs.some((e) => /histogram_quantile\(0\.99, .*shadowfig_upstream_duration_seconds_bucket/.test(e) && e.includes('role')), 'p99 by role')
  t.ok(exprs.some((e) => e.includes('shadowfig_route_ready')), 'readiness per route')
  t.ok(exprs.some((e) => e.includes('shadowfig_route_mismatch_rate_upper_bound')), 'the statistical bound')
  const [steps] = dash.annotations.list
  t.match(steps, { name: 'Split weight steps', enable: true, iconColor: String, datasource: DS, tagKeys: 'route' })
  t.match(steps.expr, /changes\(shadowfig_split_weight_ratio/)
})
