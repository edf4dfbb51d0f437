// The tables and streams of the order system, created at startup when
// missing (so an existing data dir keeps its data).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace orders {

// Table names (visible through the DynamoDB API on :4566, except shop-users
// and shop-sessions, which iam/internal_tables.h keeps internal).
inline constexpr char kUsersTable[] = "shop-users";             // id; GSI byEmail(email)
inline constexpr char kSessionsTable[] = "shop-sessions";       // tokenHash; TTL expiresAt
inline constexpr char kProductsTable[] = "shop-products";       // id
inline constexpr char kOrdersTable[] = "shop-orders";           // id; GSIs below
inline constexpr char kIdempotencyTable[] = "shop-idempotency-keys";  // key; TTL expiresAt

// Orders GSIs: "my orders", admin listing by status and by time, all newest
// first by createdAt (RFC 3339 with milliseconds sorts as text).
inline constexpr char kByCustomerIndex[] = "byCustomer";  // customerId, createdAt
inline constexpr char kByStatusIndex[] = "byStatus";      // status, createdAt
inline constexpr char kByTimeIndex[] = "byTime";          // all ("all"), createdAt
inline constexpr char kByEmailIndex[] = "byEmail";        // email

inline constexpr char kOrdersStream[] = "orders";
inline constexpr char kActivityStream[] = "activity";

common::Status EnsureTables(table::TableClient* tables);

// Remembers that `key` placed `order_id` (a put into kIdempotencyTable, kept
// 24 h after `now_millis`), only if the key is new; a refusal returns the
// item found.
table::PutItemRequest NewIdempotencyKey(const std::string& key, const std::string& order_id,
                                        const std::string& fingerprint, int64_t now_millis);
// Creates `orders` and `activity` with `shards` shards each when missing.
common::Status EnsureStreams(stream::StreamClient* streams, int shards);

}  // namespace orders
