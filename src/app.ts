/**
 * The composition root: builds every part from one config file and wires them together.
 *
 *   config/load ─► proxy Runtime (routes, pools, shadow, split) ─► ProxyServer
 *   shadow Exchange ─► compare engine (worker pool) ─► Reporter (metrics, diff events,
 *   samples) · split guard verdicts · capture writers
 *   admin server (metrics, report, reload, split) · watcher/SIGHUP ─► reload()
 *
 * Reload is all-or-nothing: load → validate → build → swap. Any failure keeps the running
 * config, logs every error, and counts shadowfig_config_reloads_total{result="failure"}.
 */
import { dirname, resolve } from 'node:path'
import type { Config } from './config/schema.js'
import { loadConfigFile } from './config/load.js'
import { watchConfig } from './config/watch.js'
import { ConfigError, formatConfigIssue } from './errors.js'
import { createCompareEngine, type CompareEngine } from './compare/engine.js'
import type { ComparisonResult } from './compare/types.js'
import type { Runtime } from './proxy/runtime.js'
import { ProxyServer } from './proxy/server.js'
import { retire } from './proxy/upstreams.js'
import { CaptureWriter } from './record/capture.js'
import { createAdminServer, type AdminServer } from './admin/server.js'
import { createLoggers, type LoggerOptions, type Loggers } from './logging/logger.js'
import { Metrics } from './metrics/registry.js'
import { Reporter } from './report/reporter.js'
import { registerEngineMetrics } from './metrics/engine.js'
import { registerCaptureMetrics } from './metrics/capture.js'
import { SampleFile } from './report/sample-file.js'
import { SampleStore } from './report/samples.js'
import type { Exchange } from './shadow/exchange.js'
import { TargetStates } from './shadow/targets.js'
import { buildRuntime } from './runtime.js'
import { SplitRegistry } from './split/registry.js'
import type { SplitTrip } from './split/controller.js'

export interface AppOptions {
  configFile: string
  /** CLI overrides of the file (`--port`, `--admin-port`, `--log-level`). */
  port?: number
  adminPort?: number
  logLevel?: string
  /** Comparison worker threads (default: engine's own). */
  compareThreads?: number
  /** Watch the config file and reload on change (default true). */
  watch?: boolean
  /** Install SIGHUP/SIGTERM/SIGINT handlers (default true; false for embedding and tests). */
  signals?: boolean
  /** Collect default process metrics (default true). */
  defaultMetrics?: boolean
  /** Start the admin server (default true; cluster workers leave it to the primary). */
  admin?: boolean
  /** File name of the sample store under `report.store` (default samples.ndjson; one per cluster worker). */
  sampleFileName?: string
  /** Where the operational log goes instead of stdout (embedding, tests). */
  logStream?: LoggerOptions['logStream']
  /** Called when a split guard trips (cluster workers relay it to their peers). */
  onSplitTrip?: (route: string, trip: SplitTrip) => void
  /** Called when a split climb steps by itself (cluster workers relay it to their peers). */
  onSplitStep?: (route: string, to: number) => void
}

export type ReloadResult = { ok: true, hash: string } | { ok: false, errors: string[] }

export class App {
  readonly metrics: Metrics
  readonly loggers: Loggers
  readonly engine: CompareEngine
  readonly reporter: Reporter
  readonly samples = new SampleStore()
  readonly splits: SplitRegistry
  readonly proxy: ProxyServer
  readonly admin: AdminServer
  private readonly targets = new TargetStates()
  private readonly file: string
  private readonly opts: AppOptions
  private captures = new Map<string, { writer: CaptureWriter, key: string }>()
  private sampleFile: SampleFile | undefined
  private reloading: Promise<ReloadResult> | undefined
  private watcher: { close (): void } | undefined
  private stopping: Promise<void> | undefined
  proxyPort = 0
  adminPort = 0

  private constructor (opts: AppOptions, config: Config, hash: string) {
    this.opts = opts
    this.file = resolve(opts.configFile)
    config = withOverrides(config, opts)
    this.metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? true })
    this.loggers = createLoggers({ level: config.logging.level, diffsFile: config.logging.diffs, logStream: opts.logStream })
    this.reporter = new Reporter({ metrics: this.metrics, diffs: this.loggers.diffs, samples: this.samples })
    this.splits = new SplitRegistry({ metrics: this.metrics, log: this.loggers.log, onTrip: opts.onSplitTrip, onStep: opts.onSplitStep, baseDir: dirname(this.file) })
    this.engine = createCompareEngine({ threads: opts.compareThreads, onResult: (r, e) => this.onResult(r, e) })
    registerEngineMetrics(this.metrics.registry, () => this.engine.stats())
    registerCaptureMetrics(this.metrics.registry, () => [...this.captures].map(([route, c]) => [route, c.writer] as [string, CaptureWriter]))
    const runtime = this.build(config, hash, undefined)
    this.proxy = new ProxyServer(runtime, { log: this.loggers.log, metrics: this.metrics })
    this.admin = createAdminServer({
      host: config.admin.host,
      port: config.admin.port,
      token: config.admin.token || undefined,
      metrics: this.metrics,
      reporter: this.reporter,
      samples: this.samples,
      log: this.loggers.log,
      hooks: {
        ready: () => !this.proxy.isDraining,
        reload: () => this.reload('admin'),
        setSplit: (route, weight) => this.splits.setWeight(route, weight),
        routeStatus: () => this.splits.statusByRoute(),
        promote: (route, o) => this.splits.promote(route, o),
      },
    })
  }

  /** Loads the config and starts everything; throws ConfigError on a bad config. */
  static async start (opts: AppOptions): Promise<App> {
    const loaded = await loadConfigFile(opts.configFile)
    if (!loaded.ok) throw new ConfigError(loaded.issues)
    const app = new App(opts, loaded.config, loaded.hash)
    const config = app.proxy.live.config
    try {
      await app.engine.setRoutes(compareRoutes(loaded.config), dirname(app.file))
      await app.openSampleFile(config.report.store)
      app.proxyPort = (await app.proxy.listen(config.listen.port, config.listen.host)).port
      if (opts.admin ?? true) app.adminPort = (await app.admin.listen()).port
    } catch (err) {
      // e.g. a port in use: close the worker pool, pools and loggers already created.
      await app.shutdown('startup failed').catch(() => {})
      throw err
    }
    // An unwritable record.file is warned about before "started" (and each minute while it lasts).
    await Promise.all([...app.captures.values()].map((c) => c.writer.ready))
    if (opts.watch ?? true) app.watcher = watchConfig(app.file, () => { void app.reload('file change') })
    if (opts.signals ?? true) app.installSignals()
    for (const w of loaded.warnings) app.loggers.log.warn({ event: 'shadowfig.config.warning', warning: formatConfigIssue(w) }, formatConfigIssue(w))
    app.loggers.log.info({ event: 'shadowfig.started', proxy: `${config.listen.host}:${app.proxyPort}`, admin: `${config.admin.host}:${app.adminPort}`, config: app.file, hash: loaded.hash, routes: config.routes.length }, 'shadowfig started')
    return app
  }

  /** Re-reads the config file; one reload at a time (a second caller waits for the first). */
  reload (reason: string): Promise<ReloadResult> {
    const run = async (): Promise<ReloadResult> => {
      const log = this.loggers.log
      const loaded = await loadConfigFile(this.file)
      if (!loaded.ok) {
        const errors = loaded.issues.map(formatConfigIssue)
        this.metrics.configReloads.labels('failure').inc()
        log.error({ event: 'shadowfig.reload.failed', reason, errors }, `config reload failed; keeping the running config (${errors.length} error${errors.length === 1 ? '' : 's'})`)
        return { ok: false, errors }
      }
      const prev = this.proxy.live
      if (loaded.hash === prev.hash) {
        this.metrics.configReloads.labels('success').inc()
        return { ok: true, hash: loaded.hash }
      }
      const config = withOverrides(loaded.config, this.opts)
      try {
        await this.engine.setRoutes(compareRoutes(config), dirname(this.file))
        this.proxy.setRuntime(this.build(config, loaded.hash, prev))
      } catch (err) {
        this.metrics.configReloads.labels('failure').inc()
        const errors = [`${this.file}: ${(err as Error).message}`]
        log.error({ event: 'shadowfig.reload.failed', reason, errors }, 'config reload failed while building; keeping the running config')
        return { ok: false, errors }
      }
      if (config.listen.port !== prev.config.listen.port || config.admin.port !== prev.config.admin.port) {
        log.warn({ event: 'shadowfig.reload.restart_needed' }, 'listen/admin addresses changed in the file; they take effect on restart')
      }
      this.metrics.configReloads.labels('success').inc()
      for (const w of loaded.warnings) log.warn({ event: 'shadowfig.config.warning', warning: formatConfigIssue(w) }, formatConfigIssue(w))
      log.info({ event: 'shadowfig.reload.ok', reason, hash: loaded.hash, routes: config.routes.length }, 'config reloaded')
      return { ok: true, hash: loaded.hash }
    }
    const next = (this.reloading ?? Promise.resolve()).then(run, run)
    this.reloading = next
    return next
  }

  /** Graceful stop: drain the proxy, close admin, workers and logs. Idempotent. */
  shutdown (reason = 'shutdown'): Promise<void> {
    this.stopping ??= (async () => {
      const log = this.loggers.log
      const drainMs = this.proxy.live.config.drainTimeout
      log.info({ event: 'shadowfig.draining', reason, inFlight: this.proxy.requestsInFlight, timeoutMs: drainMs }, 'draining')
      this.watcher?.close()
      const cut = await this.proxy.drain(drainMs)
      if (cut > 0) log.warn({ event: 'shadowfig.drain.cut', requests: cut }, 'drain timeout: closed requests still in flight')
      await this.admin.close()
      await this.engine.close()
      await this.sampleFile?.close()
      await Promise.allSettled([...this.captures.values()].map((c) => c.writer.close()))
      const rt = this.proxy.live
      await Promise.allSettled([rt.upstreams.close(), rt.shadowUpstreams.close()])
      log.info({ event: 'shadowfig.stopped', reason }, 'stopped')
      await this.loggers.close()
    })()
    return this.stopping
  }

  /** `report.store`: samples read back from the last run, written out while they change. */
  private async openSampleFile (dir: string | undefined): Promise<void> {
    if (dir === undefined) return
    this.sampleFile = new SampleFile(this.samples, resolve(dirname(this.file), dir, this.opts.sampleFileName ?? 'samples.ndjson'), this.loggers.log)
    const restored = await this.sampleFile.load()
    this.sampleFile.start()
    this.loggers.log.info({ event: 'shadowfig.samples.restored', file: this.sampleFile.file, samples: restored }, 'samples restored')
  }

  private build (config: Config, hash: string, prev: Runtime | undefined): Runtime {
    this.splits.rebuild(config.routes, config.state?.dir)
    const sink = { submit: (e: Exchange) => { this.engine.submit(e) }, room: () => this.engine.room() }
    const { runtime, retired } = buildRuntime(config, hash, { metrics: this.metrics, targets: this.targets, sink, splits: this.splits }, prev)
    this.reporter.setRoutes(config.routes)
    this.samples.configure({ perGroup: config.report.samples.perSignature, maxBytes: config.report.samples.maxBytes })
    this.rebuildCaptures(config)
    this.metrics.configInfo.reset()
    this.metrics.configInfo.labels(hash).set(1)
    if (prev) setImmediate(() => retire(retired))
    return runtime
  }

  private rebuildCaptures (config: Config): void {
    const next = new Map<string, { writer: CaptureWriter, key: string }>()
    for (const r of config.routes) {
      if (!r.record) continue
      const record = { ...r.record, file: resolve(dirname(this.file), r.record.file) }
      const key = JSON.stringify([record, r.compare.redact])
      const old = this.captures.get(r.name)
      next.set(r.name, old?.key === key ? old : { writer: new CaptureWriter({ route: r.name, record, redact: r.compare.redact, log: this.loggers.log }), key })
    }
    for (const [name, c] of this.captures) if (next.get(name) !== c) void c.writer.close()
    this.captures = next
  }

  private onResult (result: ComparisonResult, exchange: Exchange): void {
    this.reporter.record(result, exchange)
    if (result.verdict === 'undecided') return // its final verdict follows, counted and captured then
    this.splits.get(result.route)?.recordVerdict(result.verdict)
    this.captures.get(result.route)?.writer.consider(exchange, result)
  }

  private installSignals (): void {
    process.on('SIGHUP', () => { void this.reload('SIGHUP') })
    const stop = (sig: string): void => {
      void this.shutdown(sig).then(() => process.exit(0), () => process.exit(2))
    }
    process.once('SIGTERM', () => stop('SIGTERM'))
    process.once('SIGINT', () => stop('SIGINT'))
  }
}

function compareRoutes (config: Config): Array<{ name: string, compare: Config['routes'][number]['compare'], hasSecondary: boolean }> {
  return config.routes.filter((r) => r.shadow).map((r) => ({ name: r.name, compare: r.compare, hasSecondary: r.shadow?.secondary !== undefined }))
}

function withOverrides (config: Config, o: AppOptions): Config {
  return {
    ...config,
    listen: { ...config.listen, port: o.port ?? config.listen.port },
    admin: { ...config.admin, port: o.adminPort ?? config.admin.port },
    logging: { ...config.logging, level: (o.logLevel as Config['logging']['level'] | undefined) ?? config.logging.level },
  }
}
