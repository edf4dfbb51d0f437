// The one fetch wrapper for /api/: same-origin cookies, JSON in and out, and
// every non-2xx answer turned into an ApiError carrying the problem+json body.

export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  requestId?: string
  /** The request field to blame, e.g. "shippingAddress.postalCode". */
  field?: string
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`)
    this.name = 'ApiError'
    this.status = problem.status
    this.problem = problem
  }

  get field(): string | undefined {
    return this.problem.field
  }
}

/** A request that never got an HTTP answer (offline, server down, aborted). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('Could not reach the server.')
    this.name = 'NetworkError'
    this.cause = cause
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

type FetchLike = typeof fetch
let fetchImpl: FetchLike = (...args) => globalThis.fetch(...args)

/** For tests: replaces the fetch used by `api`. Returns the previous one. */
export function setFetch(f: FetchLike): FetchLike {
  const prev = fetchImpl
  fetchImpl = f
  return prev
}

/**
 * Reads a failed response into a Problem. Accepts problem+json, plain JSON with
 * a `message`/`error`, or text; never throws.
 */
export async function readProblem(res: Response): Promise<Problem> {
  const fallback: Problem = { status: res.status, title: res.statusText || undefined }
  let text = ''
  try {
    text = await res.text()
  } catch {
    return fallback
  }
  if (!text) return fallback
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    if (body && typeof body === 'object') {
      const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined)
      return {
        type: str('type'),
        title: str('title') ?? fallback.title,
        status: typeof body.status === 'number' ? body.status : res.status,
        detail: str('detail') ?? str('message') ?? str('error'),
        requestId: str('requestId'),
        field: str('field'),
      }
    }
  } catch {
    // not JSON
  }
  const ct = res.headers.get('content-type') ?? ''
  // An HTML error page says nothing useful to a person; plain text might.
  return ct.includes('text/plain') && text.length < 300 ? { ...fallback, detail: text.trim() } : fallback
}

/** Calls `path` (starting with /api/) and returns its parsed JSON, or undefined for 204/empty. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  let res: Response
  try {
    res = await fetchImpl(path, {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      credentials: 'include',
      signal: opts.signal,
    })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new NetworkError(e)
  }
  if (!res.ok) throw new ApiError(await readProblem(res))
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** Builds a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}
