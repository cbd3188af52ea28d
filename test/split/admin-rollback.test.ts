/** End to end: `shadowfig rollback` against the real admin server, steering a real SplitRegistry. */
import t from 'tap'
import { request } from 'undici'
import { routeSchema } from '../../src/config/schema.js'
import { main } from '../../src/commands/rollback.js'
import { Metrics } from '../../src/metrics/registry.js'
import { SplitRegistry } from '../../src/split/registry.js'
import { collector, splitAdmin, value } from './fixtures.js'

t.test('rollback through the admin API sets the live weight, and /api/report shows it', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const reg = new SplitRegistry({ metrics, log: collector().log }, [
    routeSchema.parse({ name: 'invoices', match: { pathPrefix: '/invoices' }, primary: 'monolith', split: { to: 'billing-svc', weight: '5%' } }),
  ])
  const url = await splitAdmin(t, reg, metrics)
  const out: string[] = []
  const err: string[] = []
  const io = (token?: string): Parameters<typeof main>[1] => ({ stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: { SHADOWFIG_ADMIN_TOKEN: token } })

  t.equal(await main(['invoices', '--admin', url], io('s3cret')), 0)
  t.same(out, ['route invoices: live split weight 0 (file weight 0.05)\n'])
  t.equal(reg.get('invoices')?.weight, 0)
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0)

  const res = await request(`${url}/api/report`, { headers: { authorization: 'Bearer s3cret' } })
  const report = await res.body.json() as { live: Record<string, { weight: number, fileWeight: number }> }
  t.equal(res.statusCode, 200)
  t.match(report.live, { invoices: { weight: 0, fileWeight: 0.05, route: 'invoices', to: 'billing-svc' } })

  t.equal(await main(['invoices', '--admin', url, '--weight', '20%'], io('s3cret')), 0)
  t.equal(reg.get('invoices')?.weight, 0.2)

  t.equal(await main(['orders', '--admin', url], io('s3cret')), 1)
  t.match(err.join(''), /404: SHADOWFIG_ERR_NOT_FOUND route "orders" has no split/)
  t.equal(await main(['invoices', '--admin', url], io('wrong')), 1)
  t.match(err.join(''), /401: SHADOWFIG_ERR_UNAUTHORIZED/)
  t.equal(reg.get('invoices')?.weight, 0.2, 'refused requests changed nothing')
})
