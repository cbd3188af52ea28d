/**
 * The package's public surface for code that extends shadowfig: the custom comparator
 * interface (docs/comparators.md, "Custom comparators"), the verdict and exchange types, the
 * config types, and the App for embedding. A custom comparator module looks like:
 *
 *   import type { Comparator } from 'shadowfig'
 *   export default { name: 'money', compare (ex) { … return 'continue' } } satisfies Comparator
 */
export type { Comparator, ComparatorDecision, ComparatorExchange, ComparatorSide, FieldDiff } from './compare/plugin.js'
export type { ComparisonResult, FieldKind, SkipReason, Verdict } from './compare/types.js'
export type { CapturedResponse } from './http/captured.js'
export type { CapturedRequest, Exchange, ExchangeSink } from './shadow/exchange.js'
export type { HeaderMap } from './http/headers.js'
export type { CompareConfig, Config, ConfigInput, GuardConfig, RecordConfig, RouteConfig, ShadowConfig, SplitConfig, UpstreamConfig } from './config/schema.js'
export { ERROR_CODES, ConfigError, ShadowfigError, type ErrorCode } from './errors.js'
export { App, type AppOptions, type ReloadResult } from './app.js'
