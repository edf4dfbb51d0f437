// The product catalog: products in the `products` table, the demo seed, and
// the listing behind GET /api/products (search, category, cursor paging).
//
// Thread safety: stateless apart from the TableClient; call from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "table/table_client.h"

namespace orders {

struct Product {
  std::string id;  // "p-001"
  std::string name;
  std::string description;
  int64_t price = 0;  // minor units
  std::string currency;
  int64_t stock = 0;
  std::string category;  // display name, "Coffee"
  std::string image_url;  // "" when none
};

// The most units of one product the shop keeps (Catalog::Restock).
inline constexpr int64_t kMaxStock = 1'000'000'000;

// The demo catalog (at least 50 products in 8 categories, all in EUR).
const std::vector<Product>& DemoProducts();

// Writes every demo product that does not exist yet (an existing product keeps
// its stock and price), so seeding on every start is harmless.
common::Status SeedDemoCatalog(table::TableClient* tables);

table::Item ProductToItem(const Product& p);
Product ProductFromItem(const table::Item& item);
std::string ProductJson(const Product& p);
// A JSON array of ProductJson.
std::string ProductsJson(const std::vector<Product>& products);
// "Coffee & Tea" -> "coffee-tea".
std::string CategoryId(const std::string& name);

class Catalog {
 public:
  explicit Catalog(table::TableClient* tables) : tables_(tables) {}

  struct Page {
    std::vector<Product> items;
    std::string next_cursor;  // "" on the last page
  };
  // Products whose name or description contains `search` (case-insensitive)
  // and whose category id or name equals `category` (when not empty), after
  // the product id `cursor`, in the table's scan order: by id on the local
  // engine (DynamoDB's is by key hash).
  common::Result<Page> List(const std::string& search, const std::string& category, int limit,
                            const std::string& cursor);
  // NotFound when there is no such product.
  common::Result<Product> Get(const std::string& id);
  // Several at once (order pricing); missing ids are absent from the result.
  common::Result<std::vector<Product>> GetMany(const std::vector<std::string>& ids);
  // Adds `quantity` (> 0) units to the product's stock and returns the
  // product. NotFound when there is none; ConditionFailed when the stock
  // would pass kMaxStock.
  common::Result<Product> Restock(const std::string& id, int64_t quantity);
  struct LowStockPage {
    std::vector<Product> items;  // at most `limit`, fewest units first, then by name and id
    int total = 0;               // products with at most `threshold` units
  };
  // The products with at most `threshold` units left (one scan of the table;
  // it has no index on stock).
  common::Result<LowStockPage> LowStock(int64_t threshold, int limit);
  // JSON {items: [{id, name, count}]}.
  common::Result<std::string> CategoriesJson();

 private:
  table::TableClient* tables_;
};

}  // namespace orders
