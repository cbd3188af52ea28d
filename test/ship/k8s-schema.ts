/**
 * The subset of the Kubernetes API our examples use, as strict zod objects: every key in
 * config/k8s/*.yaml must exist here with the type the API server expects (field names and
 * types from the Kubernetes API reference: core/v1 Pod, Container, Probe, Volume, Service,
 * ConfigMap; apps/v1 Deployment). A typo (`readinessProbes`), a wrong nesting or an
 * unquoted annotation value (`true` instead of "true") fails the test instead of `kubectl apply`.
 * Add fields here when an example starts using them.
 */
import { z } from 'zod'

const stringMap = z.record(z.string(), z.string())
const intOrName = z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(15)])
const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/), z.number()])

const metadata = z.strictObject({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
  namespace: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
})

export const probe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: intOrName, scheme: z.enum(['HTTP', 'HTTPS']).optional() }),
  initialDelaySeconds: z.number().int().optional(),
  periodSeconds: z.number().int().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  successThreshold: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
})

const envVar = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.strictObject({
    secretKeyRef: z.strictObject({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).optional(),
    configMapKeyRef: z.strictObject({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).optional(),
    fieldRef: z.strictObject({ fieldPath: z.string() }).optional(),
  }).optional(),
})

export const container = z.strictObject({
  name: z.string(),
  image: z.string().regex(/:[\w.-]+$/, 'an image pinned by tag'),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVar).optional(),
  ports: z.array(z.strictObject({
    name: z.string().max(15).optional(),
    containerPort: z.number().int().min(1).max(65535),
    protocol: z.enum(['TCP', 'UDP']).optional(),
  })).optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  startupProbe: probe.optional(),
  resources: z.strictObject({ requests: z.record(z.string(), quantity).optional(), limits: z.record(z.string(), quantity).optional() }).optional(),
  securityContext: z.strictObject({
    runAsNonRoot: z.boolean().optional(),
    runAsUser: z.number().int().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    capabilities: z.strictObject({ drop: z.array(z.string()).optional(), add: z.array(z.string()).optional() }).optional(),
  }).optional(),
  volumeMounts: z.array(z.strictObject({
    name: z.string(),
    mountPath: z.string().startsWith('/'),
    readOnly: z.boolean().optional(),
    subPath: z.string().optional(),
  })).optional(),
})

const volume = z.strictObject({
  name: z.string(),
  configMap: z.strictObject({ name: z.string(), defaultMode: z.number().int().optional() }).optional(),
  emptyDir: z.strictObject({ sizeLimit: quantity.optional(), medium: z.string().optional() }).optional(),
  secret: z.strictObject({ secretName: z.string() }).optional(),
})

const podSpec = z.strictObject({
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  containers: z.array(container).min(1),
  volumes: z.array(volume).optional(),
})

export const deployment = z.strictObject({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('Deployment'),
  metadata,
  spec: z.strictObject({
    replicas: z.number().int().nonnegative().optional(),
    selector: z.strictObject({ matchLabels: stringMap }),
    template: z.strictObject({ metadata: metadata.partial(), spec: podSpec }),
  }),
})

export const service = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata,
  spec: z.strictObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).optional(),
    selector: stringMap,
    ports: z.array(z.strictObject({
      name: z.string().optional(),
      port: z.number().int().min(1).max(65535),
      targetPort: intOrName.optional(),
      protocol: z.enum(['TCP', 'UDP']).optional(),
    })).min(1),
  }),
})

export const configMap = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('ConfigMap'),
  metadata,
  data: stringMap,
})

export type Deployment = z.output<typeof deployment>
export type Service = z.output<typeof service>
export type ConfigMap = z.output<typeof configMap>
export type Container = z.output<typeof container>

/** kind → schema; an unknown kind or a wrong apiVersion for it fails. */
export const KINDS = { Deployment: deployment, Service: service, ConfigMap: configMap } as const
