import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { RouterProvider } from 'react-router'
import { CartProvider } from './features/cart/use-cart'
import { createQueryClient } from './lib/query-client'
import { RealtimeProvider } from './lib/realtime'
import { createRouter } from './routes'

export function App({ queryClient }: { queryClient?: QueryClient }) {
  const [qc] = useState(() => queryClient ?? createQueryClient())
  const [router] = useState(createRouter)
  return (
    <QueryClientProvider client={qc}>
      <RealtimeProvider>
        <CartProvider>
          <RouterProvider router={router} />
        </CartProvider>
      </RealtimeProvider>
    </QueryClientProvider>
  )
}
