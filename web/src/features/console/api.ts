// The operations console's API (docs/api.md, "Operations console"). Times are
// epoch milliseconds; table items are DynamoDB JSON.
import { api, ApiError, query } from '../../lib/api'

export interface StreamSummary {
  name: string; status: string; mode: string; openShards: number; shards: number
  retentionHours: number; createdAt: number; consumers: number
}
export interface Shard {
  shardId: string; parentShardId: string; adjacentParentShardId: string
  startingHashKey: string; endingHashKey: string
  startingSequenceNumber: string; endingSequenceNumber: string
  open: boolean; recordsInPerSecond: number; recordsInCapped: boolean
}
export interface ConsumerShard { shardId: string; millisBehindLatest: number; recordsProcessed: number; checkpoint: string; finished: boolean }
export interface Consumer {
  mappingId: string; function: string; state: string; millisBehindLatest: number; recordsProcessed: number
  shards: ConsumerShard[]
}
export interface StreamDetail {
  name: string; arn: string; status: string; retentionHours: number; createdAt: number; openShards: number; at: number
  shards: Shard[]; consumers: Consumer[]
}
export interface TailRecord {
  shardId: string; sequenceNumber: string; partitionKey: string; arrivedAt: number
  size: number; truncated: boolean; encoding: 'text' | 'base64'; data: string
}
export interface TailPage { stream: string; records: TailRecord[]; skipped: number; behind: boolean; cursor: string; at: number }

export interface MappingShard {
  shardId: string; checkpoint: string; finished: boolean; invocations: number; errors: number
  recordsProcessed: number; recordsToFailureDestination: number; millisBehindLatest: number
  problem?: string
}
export interface Mapping {
  id: string; function: string; stream: string; state: string; batchSize: number
  /** Lambda's LastProcessingResult: "OK", "No records processed" or "PROBLEM: why". */
  lastProcessingResult?: string
  maximumBatchingWindowMs: number; tumblingWindowSeconds: number; onFailureStream: string; shards: MappingShard[]
}
export interface FunctionsView { functions: string[]; mappings: Mapping[] }

export interface KeyElement { name: string; type: 'HASH' | 'RANGE' }
export interface TableInfo {
  name: string; itemCount: number; keySchema: KeyElement[]; attributes: Record<string, 'S' | 'N' | 'B'>
  indexes: { name: string; keySchema: KeyElement[] }[]; ttlAttribute: string; createdAt: number
}
/** A DynamoDB JSON attribute value: {"S": "x"}, {"N": "1"}, {"M": {...}}, ... */
export type AttributeValue = Record<string, unknown>
export type Item = Record<string, AttributeValue>
export interface TableQuery {
  index?: string; keyCondition?: string; filter?: string
  names?: Record<string, string>; values?: Item; limit?: number; forward?: boolean; startKey?: Item | null
}
export interface QueryResult { items: Item[]; count: number; scannedCount: number; lastKey: Item | null; redacted: string[] }

export interface Bucket { name: string; createdAt: number }
export interface ObjectEntry { key: string; size: number; etag: string; lastModified: number; contentType: string }
export interface ObjectListing { bucket: string; prefix: string; prefixes: string[]; objects: ObjectEntry[]; nextCursor: string | null }

export type OutboxState = 'QUEUED' | 'SENT' | 'FAILED'
export interface OutboxEntry {
  id: string; state: OutboxState; attempts: number; nextAttemptAt: number; lastError: string
  messageId: string; to: string; subject: string; createdAt: number; sentAt: number; updatedAt: number
}
/** `counts` stop at `countLimit`: a count equal to it means at least that many. */
export interface OutboxView { state: OutboxState; counts: Record<OutboxState, number>; countLimit?: number; items: OutboxEntry[] }

export interface IamUser { name: string; arn: string; createdAt: number; groups?: string[]; attachedPolicies: string[]; inlinePolicies?: string[] }
export interface IamRole { name: string; arn: string; createdAt: number; attachedPolicies: string[]; inlinePolicies?: string[]; trustPolicy?: unknown }
/** Managed policies, and (with `inline`) a user's or role's inline policy named `<owner>/<policy>`. */
export interface IamPolicy { name: string; arn: string; document: unknown; attachments: number; inline?: boolean; owner?: string }
export interface Simulation {
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny'
  reason: string
  matched: { policy: string; sid?: string; effect: 'Allow' | 'Deny'; statement: unknown }[]
}
export interface SimulationRequest { principal: string; action: string; resource: string; context?: Record<string, string> }

const enc = encodeURIComponent

export const fetchStreams = (signal?: AbortSignal) => api<{ items: StreamSummary[] }>('/api/admin/streams', { signal })
export const fetchStream = (name: string, signal?: AbortSignal) => api<StreamDetail>(`/api/admin/streams/${enc(name)}`, { signal })
export const fetchRecords = (name: string, p: { cursor?: string; limit?: number; since?: number }, signal?: AbortSignal) =>
  api<TailPage>(`/api/admin/streams/${enc(name)}/records${query(p)}`, { signal })

export const fetchFunctions = (signal?: AbortSignal) => api<FunctionsView>('/api/admin/functions', { signal })

export const fetchTables = (signal?: AbortSignal) => api<{ items: TableInfo[] }>('/api/admin/tables', { signal })
export const queryTable = (name: string, q: TableQuery, signal?: AbortSignal) =>
  api<QueryResult>(`/api/admin/tables/${enc(name)}/query`, { body: q, signal })

export const fetchBuckets = (signal?: AbortSignal) => api<{ items: Bucket[] }>('/api/admin/buckets', { signal })
export const fetchObjects = (bucket: string, prefix: string, cursor?: string, signal?: AbortSignal) =>
  api<ObjectListing>(`/api/admin/buckets/${enc(bucket)}/objects${query({ prefix, cursor })}`, { signal })
export const downloadUrl = (bucket: string, key: string) => `/api/admin/buckets/${enc(bucket)}/download${query({ key })}`

export const fetchOutbox = (state: OutboxState, signal?: AbortSignal) =>
  api<OutboxView>(`/api/admin/outbox${query({ state })}`, { signal })
export const requeueEmail = (id: string) => api<OutboxEntry>('/api/admin/outbox/requeue', { body: { id } })

export const fetchIam = <T>(what: 'users' | 'roles' | 'policies', signal?: AbortSignal) =>
  api<{ items: T[] }>(`/api/admin/iam/${what}`, { signal })
export const simulate = (r: SimulationRequest) => api<Simulation>('/api/admin/iam/simulate', { body: r })

/** The server has no IAM component yet (503 with the iam-unavailable problem type, or no route at all). */
export const iamMissing = (e: unknown) => e instanceof ApiError && (e.status === 503 || e.status === 404 || e.status === 501)
