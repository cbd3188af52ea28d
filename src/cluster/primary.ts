/**
 * `shadowfig --workers N`: the cluster primary. It serves no proxy traffic: it forks N
 * workers (worker.ts) that share the proxy's listening port through node:cluster, serves the
 * admin port itself (primary-admin.ts: aggregated /metrics, fan-out of the token endpoints),
 * relays split guard trips, replaces crashed workers, and owns the signals:
 *   SIGHUP, a change of the config file → every worker reloads it (one fan-out);
 *   SIGTERM, SIGINT  → every worker drains (App.shutdown); the primary waits up to the
 *                      config's drainTimeout + STOP_MARGIN_MS, then kills stragglers.
 * Resolves with the exit code once the cluster stopped: 0 when every worker drained and
 * exited cleanly, 1 when the config was invalid at start, 2 on any other failure.
 * Sizing: each worker gets compareThreadsPerWorker() comparison threads (sizing.ts).
 */
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { extname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfigFile } from '../config/load.js'
import { watchConfig } from '../config/watch.js'
import { ClusterStartError, formatConfigIssue } from '../errors.js'
import { createLoggers } from '../logging/logger.js'
import { Fanout } from './fanout.js'
import { createClusterAdmin } from './primary-admin.js'
import { compareThreadsPerWorker } from './sizing.js'
import { Supervisor } from './supervisor.js'

export interface ClusterOptions {
  configFile: string
  port?: number
  adminPort?: number
  logLevel?: string
  workers: number
}

/** Time past the drain timeout for workers to close pools, compare threads and logs. */
export const STOP_MARGIN_MS = 5_000

/** The worker entry next to this module: worker.ts under a TS loader (tests), worker.js in dist/. */
function workerEntry (): { exec: string, args: string[], execArgv: string[] } {
  const self = fileURLToPath(import.meta.url)
  const ext = extname(self)
  const exec = fileURLToPath(new URL('./worker' + ext, import.meta.url))
  const hasTsLoader = process.execArgv.some((a) => a.includes('tsx') || a.includes('@tapjs/typescript'))
  // args: [] — workers take their options from the environment, not the primary's argv.
  return { exec, args: [], execArgv: ext === '.ts' && !hasTsLoader ? [...process.execArgv, '--import', 'tsx'] : process.execArgv }
}

export async function runCluster (opts: ClusterOptions): Promise<number> {
  const loaded = await loadConfigFile(opts.configFile)
  if (!loaded.ok) {
    process.stderr.write(`shadowfig: ${opts.configFile} is not a valid config:\n${loaded.issues.map(formatConfigIssue).join('\n')}\n`)
    return 1
  }
  const config = loaded.config
  const loggers = createLoggers({ level: opts.logLevel ?? config.logging.level })
  const log = loggers.log.child({ role: 'primary' })
  const compareThreads = compareThreadsPerWorker(availableParallelism(), opts.workers)
  cluster.setupPrimary(workerEntry())

  const fanout = new Fanout()
  const sup = new Supervisor({
    count: opts.workers,
    worker: { configFile: opts.configFile, port: opts.port, logLevel: opts.logLevel, compareThreads },
    fanout,
    log,
  })
  try {
    await sup.start()
  } catch (err) {
    const errors = err instanceof ClusterStartError ? err.errors : [(err as Error).message]
    process.stderr.write(`shadowfig: cluster failed to start:\n${errors.join('\n')}\n`)
    await loggers.close()
    return err instanceof ClusterStartError ? err.exitCode : 2
  }

  const { server, reloadAll } = createClusterAdmin({
    host: config.admin.host, port: opts.adminPort ?? config.admin.port, token: config.admin.token || undefined, supervisor: sup, fanout, log,
  })
  let adminPort: number
  try {
    adminPort = (await server.listen()).port
  } catch (err) {
    process.stderr.write(`shadowfig: admin port ${config.admin.host}:${opts.adminPort ?? config.admin.port}: ${(err as Error).message}\n`)
    await sup.stop('admin failed', sup.drainTimeout + STOP_MARGIN_MS)
    await loggers.close()
    return 2
  }
  log.info({
    event: 'shadowfig.cluster.started', proxy: `${config.listen.host}:${sup.proxyPort}`, admin: `${config.admin.host}:${adminPort}`,
    workers: opts.workers, compareThreads, config: opts.configFile, hash: loaded.hash,
  }, `shadowfig cluster started: ${opts.workers} workers`)

  const reload = (reason: string): void => {
    void reloadAll(reason).then((r) => {
      if (r.ok) log.info({ event: 'shadowfig.cluster.reload.ok', reason, hash: r.hash }, 'every worker reloaded the config')
      else log.error({ event: 'shadowfig.cluster.reload.failed', reason, errors: r.errors }, 'config reload failed; workers keep the running config')
    })
  }
  const watcher = watchConfig(resolve(opts.configFile), () => reload('file change'))

  return await new Promise<number>((done) => {
    const onHup = (): void => reload('SIGHUP')
    const stop = (signal: string): void => {
      watcher.close()
      process.off('SIGHUP', onHup)
      process.off('SIGTERM', stop)
      process.off('SIGINT', stop)
      // A second signal while draining is ignored: the deadline below bounds the wait.
      process.on('SIGTERM', () => {})
      process.on('SIGINT', () => {})
      const timeoutMs = sup.drainTimeout + STOP_MARGIN_MS
      log.info({ event: 'shadowfig.cluster.draining', signal, timeoutMs }, 'draining every worker')
      void (async () => {
        const clean = await sup.stop(signal, timeoutMs)
        await server.close()
        log.info({ event: 'shadowfig.cluster.stopped', signal, clean }, 'cluster stopped')
        await loggers.close()
        done(clean ? 0 : 2)
      })()
    }
    process.on('SIGHUP', onHup)
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
  })
}
