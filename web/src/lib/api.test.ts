import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, ApiError, NetworkError, query, setFetch } from './api'
import { blamedField, errorMessage, fieldErrors } from './handle-server-error'

function respond(status: number, body: string, contentType = 'application/problem+json') {
  return vi.fn(async () => new Response(body || null, { status, headers: { 'content-type': contentType } }))
}

let restore: typeof fetch | undefined
function useFetch(f: typeof fetch) {
  restore = setFetch(f)
}
afterEach(() => {
  if (restore) setFetch(restore)
})

describe('api', () => {
  it('sends JSON with cookies and parses the JSON answer', async () => {
    const f = respond(202, '{"id":"o-1","status":"PLACED"}', 'application/json')
    useFetch(f)
    const out = await api<{ id: string }>('/api/orders', { body: { items: [] } })
    expect(out.id).toBe('o-1')
    const [path, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(path).toBe('/api/orders')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('include')
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"items":[]}')
  })

  it('returns undefined for 204 No Content', async () => {
    useFetch(vi.fn(async () => new Response(null, { status: 204 })))
    await expect(api('/api/auth/logout', { method: 'POST' })).resolves.toBeUndefined()
  })

  it('turns a problem+json answer into an ApiError with detail and field', async () => {
    useFetch(
      respond(
        400,
        JSON.stringify({
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'postalCode is 40 characters; the limit is 12',
          field: 'shippingAddress.postalCode',
          requestId: 'r-9',
        }),
      ),
    )
    const err = (await api('/api/orders', { body: {} }).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(400)
    expect(err.field).toBe('shippingAddress.postalCode')
    expect(errorMessage(err)).toBe('postalCode is 40 characters; the limit is 12')
    expect(blamedField(err, 'shippingAddress')).toBe('postalCode')
    expect(fieldErrors(err, 'shippingAddress')).toEqual({
      postalCode: 'postalCode is 40 characters; the limit is 12',
    })
  })

  it('explains a bare status code in words when the body is empty', async () => {
    useFetch(respond(429, ''))
    const err = await api('/api/products').catch((e) => e)
    expect(errorMessage(err)).toMatch(/Too many requests/)
  })

  it('hides server internals on 500 but gives the reference id', async () => {
    useFetch(respond(500, '{"status":500,"title":"Internal","detail":"rocksdb: IO error","requestId":"abc"}'))
    const err = await api('/api/products').catch((e) => e)
    expect(errorMessage(err)).toBe('Something went wrong on our side. Please try again. (Reference: abc)')
  })

  it('does not show an HTML error page to the person', async () => {
    useFetch(respond(502, '<html><body>Bad gateway</body></html>', 'text/html'))
    const err = await api('/api/products').catch((e) => e)
    expect(errorMessage(err)).toBe('Something went wrong on our side. Please try again.')
  })

  it('reports a failed connection as a NetworkError', async () => {
    useFetch(vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    const err = await api('/api/products').catch((e) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(errorMessage(err)).toMatch(/Could not reach the server/)
  })

  it('ignores a field the form does not own', async () => {
    useFetch(respond(400, '{"status":400,"detail":"quantity must be at least 1","field":"items[0].quantity"}'))
    const err = (await api('/api/orders', { body: {} }).catch((e) => e)) as ApiError
    expect(fieldErrors(err, 'shippingAddress')).toEqual({})
  })
})

describe('query', () => {
  it('leaves out empty values', () => {
    expect(query({ search: 'mug', category: '', cursor: null, limit: 12 })).toBe('?search=mug&limit=12')
    expect(query({})).toBe('')
  })
})
