export function StockNote({ stock }: { stock: number }) {
  if (stock <= 0) return <span className="stock stock--out">Sold out</span>
  if (stock <= 5) return <span className="stock stock--low">Only {stock} left</span>
  return <span className="stock stock--ok">In stock</span>
}
