/**
 * `shadowfig_config_reloads_total` on a cluster's /metrics counts one reload once: the primary
 * counts each fan-out itself (success when every worker reloaded, failure otherwise) and
 * leaves the workers' own counts out of the sum. Fake workers (a Fanout answering from Metrics
 * instances) keep it cheap: no process is forked.
 */
import type { Worker } from 'node:cluster'
import pino from 'pino'
import t from 'tap'
import { request } from 'undici'
import { createClusterAdmin } from '../../src/cluster/primary-admin.js'
import type { Fanout } from '../../src/cluster/fanout.js'
import type { Supervisor } from '../../src/cluster/supervisor.js'
import { Metrics } from '../../src/metrics/registry.js'
import { metricSum } from './harness.js'

t.test('three workers reload: counted once per fan-out, success and failure', async (t) => {
  const workers = [1, 2, 3].map((id) => ({ id, metrics: new Metrics({ defaultMetrics: false }) }))
  let fileOk = true
  const fanout = {
    async ask (w: Worker, body: { op: string }) {
      const worker = workers[w.id - 1]
      if (body.op === 'metrics') return await worker.metrics.registry.getMetricsAsJSON()
      // What App.reload does in each worker: count its own attempt.
      worker.metrics.configReloads.labels(fileOk ? 'success' : 'failure').inc()
      return fileOk ? { ok: true, hash: 'h1' } : { ok: false, errors: ['config.yaml:1:1 bad'] }
    },
  } as unknown as Fanout
  const supervisor = { restarts: 0, ready: () => workers.map((w) => ({ id: w.id })), allReady: () => true } as unknown as Supervisor
  const { server, reloadAll } = createClusterAdmin({ host: '127.0.0.1', port: 0, supervisor, fanout, log: pino({ level: 'silent' }) })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  const scrape = async (): Promise<string> => await (await request(`http://127.0.0.1:${port}/metrics`)).body.text()

  t.match(await reloadAll('test'), { ok: true })
  t.match(await reloadAll('test'), { ok: true })
  fileOk = false
  t.match(await reloadAll('test'), { ok: false })
  const text = await scrape()
  t.equal(metricSum(text, 'shadowfig_config_reloads_total', { result: 'success' }), 2, 'two reloads, not six')
  t.equal(metricSum(text, 'shadowfig_config_reloads_total', { result: 'failure' }), 1)
  t.equal(metricSum(text, 'shadowfig_cluster_workers'), 3, 'the other metrics still aggregate')
})
