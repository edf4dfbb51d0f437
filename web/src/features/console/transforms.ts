// Pure helpers behind the console pages (tested in transforms.test.ts).
import type { AttributeValue, Item } from './api'

const SPACE = 1n << 128n

/** Where a shard's hash-key range sits in the 128-bit space, as fractions [start, width] of 0..1. */
export function hashRangeShare(start: string, end: string): { start: number; width: number } {
  try {
    const s = BigInt(start)
    const e = BigInt(end)
    // Scale to 1e6 parts in BigInt, then to a float: exact enough for a bar.
    const part = (v: bigint) => Number((v * 1_000_000n) / SPACE) / 1_000_000
    return { start: part(s), width: Math.max(part(e - s + 1n), 0.0005) }
  } catch {
    return { start: 0, width: 0 }
  }
}

/** "0 – 170141183460469231731687303715884105727" shortened to "0 … 1.70e38". */
export function shortHashKey(key: string): string {
  if (key.length <= 8) return key
  return `${key[0]}.${key.slice(1, 3)}e${key.length - 1}`
}

export interface Sample { at: number; value: number }

/** Per-second rate between two samples of a cumulative counter; null until there are two, or on a reset. */
export function rate(prev: Sample | undefined, cur: Sample): number | null {
  if (!prev || cur.at <= prev.at || cur.value < prev.value) return null
  return ((cur.value - prev.value) * 1000) / (cur.at - prev.at)
}

/** "850 ms", "12.3 s", "4 min", "2.1 h" for an iterator age or a lag. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`
}

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false, timeZone: 'UTC' })
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })
export const formatClock = (ms: number) => `${clock.format(new Date(ms))} UTC`
export const formatMillis = (ms: number) => (ms > 0 ? `${dateTime.format(new Date(ms))} UTC` : '—')

/** A DynamoDB JSON value as plain JavaScript (numbers stay strings beyond 2^53). */
export function plain(v: AttributeValue): unknown {
  const [type, val] = Object.entries(v)[0] ?? ['NULL', true]
  switch (type) {
    case 'S': case 'B': return val
    case 'N': { const n = Number(val); return Number.isSafeInteger(n) || !/^-?\d+$/.test(String(val)) ? n : String(val) }
    case 'BOOL': return val
    case 'NULL': return null
    case 'M': return Object.fromEntries(Object.entries(val as Item).map(([k, x]) => [k, plain(x)]))
    case 'L': return (val as AttributeValue[]).map(plain)
    case 'SS': case 'NS': case 'BS': return val
    default: return val
  }
}

/** One cell of the items table: scalars as text, maps and lists as compact JSON. */
export function cellText(v: AttributeValue | undefined): string {
  if (v === undefined) return ''
  const p = plain(v)
  if (p === null) return 'null'
  if (typeof p === 'object') return JSON.stringify(p)
  return String(p)
}

/** The columns of an items table: the key attributes first, then the rest by how often they appear. */
export function columnsOf(items: Item[], keys: string[]): string[] {
  const seen = new Map<string, number>()
  for (const it of items) for (const k of Object.keys(it)) seen.set(k, (seen.get(k) ?? 0) + 1)
  const rest = [...seen.keys()].filter((k) => !keys.includes(k)).sort((a, b) => (seen.get(b)! - seen.get(a)!) || a.localeCompare(b))
  return [...keys.filter((k) => seen.has(k) || items.length === 0), ...rest]
}

export interface ValueRow { name: string; type: 'S' | 'N'; value: string }

/**
 * The query form's placeholders (":v" rows) as DynamoDB JSON, or an error
 * naming the row at fault.
 */
export function valuesFromRows(rows: ValueRow[]): { values: Item } | { error: string; index: number } {
  const values: Item = {}
  for (const [i, r] of rows.entries()) {
    if (!r.name && !r.value) continue
    if (!/^:[A-Za-z0-9_]+$/.test(r.name)) return { error: 'A placeholder starts with “:” followed by letters, digits or _', index: i }
    if (r.type === 'N' && !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(r.value.trim())) return { error: `${r.name} is not a number`, index: i }
    values[r.name] = { [r.type]: r.type === 'N' ? r.value.trim() : r.value }
  }
  return { values }
}

/** Placeholders "#name" used in an expression, mapped to themselves without the "#". */
export function namesFromExpressions(...exprs: string[]): Record<string, string> {
  const names: Record<string, string> = {}
  for (const e of exprs) for (const m of e.matchAll(/#([A-Za-z0-9_]+)/g)) names[m[0]] = m[1]
  return names
}

/** Folders of an object key prefix for the breadcrumb: "a/b/" -> [["a", "a/"], ["b", "a/b/"]]. */
export function prefixCrumbs(prefix: string): [string, string][] {
  const parts = prefix.split('/').filter(Boolean)
  return parts.map((p, i) => [p, `${parts.slice(0, i + 1).join('/')}/`])
}

/** Tail records: append a page, keep the newest `max`. */
export function appendTail<T>(list: T[], page: T[], max: number): T[] {
  if (!page.length) return list
  const next = list.concat(page)
  return next.length > max ? next.slice(next.length - max) : next
}

/** A record's data for display: pretty JSON when it is JSON, else as is. */
export function prettyData(data: string, encoding: 'text' | 'base64'): string {
  if (encoding !== 'text') return data
  try {
    return JSON.stringify(JSON.parse(data))
  } catch {
    return data
  }
}

/** "shardId-000000000003" -> "#3" for narrow columns. */
export function shortShard(id: string): string {
  const m = /^shardId-(\d+)$/.exec(id)
  return m ? `#${Number(m[1])}` : id
}
