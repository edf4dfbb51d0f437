// TableClient: what the rest of Rivulet (orders, analytics, functions'
// checkpoints, the DynamoDB wire adapter) may ask of a table service. Names and
// semantics follow DynamoDB so the wire adapter is a thin translation: the
// embedded TableEngine implements it with direct calls (no HTTP, no JSON); a
// remote implementation can speak DynamoDB's JSON protocol to real AWS.
//
// Status codes, which the DynamoDB adapter maps to exceptions:
//   InvalidArgument -> ValidationException, NotFound -> ResourceNotFoundException,
//   ResourceInUse -> ResourceInUseException, ConditionFailed ->
//   ConditionalCheckFailedException (TransactionCanceledException from
//   TransactWriteItems/TransactGetItems, with the reasons in WriteFailure),
//   LimitExceeded -> LimitExceededException.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "table/attribute_value.h"

namespace table {

enum class KeyType { kHash, kRange };
enum class ProjectionType { kAll, kKeysOnly, kInclude };
enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

struct KeySchemaElement {
  std::string attribute_name;
  KeyType key_type = KeyType::kHash;
};

struct AttributeDefinition {
  std::string attribute_name;
  AttributeValue::Type attribute_type = AttributeValue::Type::kS;  // S, N or B
};

struct Projection {
  ProjectionType type = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // for kInclude
};

struct GlobalSecondaryIndex {
  std::string index_name;
  std::vector<KeySchemaElement> key_schema;
  Projection projection;
};

// A table's change feed (DynamoDB Streams' StreamSpecification). When
// enabled, every write that changes an item adds one ChangeRecord, in write
// order, which the ChangeForwarder publishes into the Rivulet stream
// ChangeStreamName(table).
enum class StreamViewType { kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
struct StreamSpecification {
  bool enabled = false;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
};
// "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES".
std::string_view StreamViewTypeName(StreamViewType type);
bool ParseStreamViewType(std::string_view name, StreamViewType* type);

struct CreateTableRequest {
  std::string table_name;
  std::vector<KeySchemaElement> key_schema;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<GlobalSecondaryIndex> global_secondary_indexes;
  std::string billing_mode = "PAY_PER_REQUEST";
  StreamSpecification stream_specification = {};
};

struct TableDescription {
  std::string table_name;
  std::string table_arn;
  std::string table_status = "ACTIVE";
  std::vector<KeySchemaElement> key_schema;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<GlobalSecondaryIndex> global_secondary_indexes;
  std::string billing_mode;
  int64_t creation_millis = 0;
  int64_t item_count = 0;  // approximate, like DynamoDB's
  std::string ttl_attribute;  // "" when TTL is disabled
  StreamSpecification stream_specification = {};
  // Set once a stream was ever enabled (kept after disabling, like DynamoDB):
  // the label is the enabling time ("2026-01-01T00:00:00.000").
  std::string latest_stream_label;
  std::string latest_stream_arn;
};

// UpdateTable: add or remove one GSI (DynamoDB allows one change per call).
struct UpdateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;
  std::optional<GlobalSecondaryIndex> create_index;
  std::optional<std::string> delete_index;
  std::optional<StreamSpecification> stream_specification;  // enable or disable the change feed
};

// One change of one item, as recorded in the change feed. Images follow the
// table's view type when the change was made.
struct ChangeRecord {
  uint64_t sequence = 0;       // increases with commit order, across tables
  std::string table_name;
  std::string event_name;      // INSERT, MODIFY or REMOVE
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  std::string stream_label;
  Item keys;
  std::optional<Item> new_image;
  std::optional<Item> old_image;
  int64_t size_bytes = 0;      // keys and images, as DynamoDB counts item size
  int64_t created_millis = 0;  // ApproximateCreationDateTime
  std::string key_bytes;       // the item's encoded key: a stable partition key
};

// The Rivulet stream that table `table_name`'s change feed goes to.
inline std::string ChangeStreamName(const std::string& table_name) { return "dynamodb." + table_name; }

// Placeholders (#n, :v) shared by all expressions of one request. Each one
// provided must be used, as DynamoDB requires.
struct ExpressionAttributes {
  std::map<std::string, std::string> names;      // "#s" -> "status"
  std::map<std::string, AttributeValue> values;  // ":v" -> value
};

struct PutItemRequest {
  std::string table_name;
  Item item;
  std::string condition_expression;  // "" for none
  ExpressionAttributes attributes;
  ReturnValues return_values = ReturnValues::kNone;  // NONE or ALL_OLD
  bool return_old_on_condition_failure = false;      // ReturnValuesOnConditionCheckFailure=ALL_OLD
  // Rivulet's own callers only (no AWS field): false answers once the write
  // is applied and visible, without waiting for its fsync. It keeps its place
  // in the commit order and becomes durable with the next synced write, so a
  // crash of the process loses nothing; a crash of the machine may lose it.
  // For writes a crash of the machine may undo: a row the stream rebuilds, a
  // mark a later synced write covers.
  bool sync = true;
};

struct UpdateItemRequest {
  std::string table_name;
  Item key;
  std::string update_expression;
  std::string condition_expression;
  ExpressionAttributes attributes;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
  bool sync = true;  // as PutItemRequest::sync
};

struct DeleteItemRequest {
  std::string table_name;
  Item key;
  std::string condition_expression;
  ExpressionAttributes attributes;
  ReturnValues return_values = ReturnValues::kNone;  // NONE or ALL_OLD
  bool return_old_on_condition_failure = false;
};

// Attributes asked for by ReturnValues; absent when none apply.
struct WriteResult {
  std::optional<Item> attributes;
};

// Details of a failed conditional write, filled when the Status is ConditionFailed.
struct CancellationReason {
  std::string code = "None";  // None, ConditionalCheckFailed, ValidationError, TransactionConflict
  std::string message;
  std::optional<Item> item;  // old item, when asked for
};
struct WriteFailure {
  std::optional<Item> item;                  // single writes: the old item, when asked for
  std::vector<CancellationReason> reasons;   // transactions: one per action
};

struct GetItemRequest {
  std::string table_name;
  Item key;
  std::string projection_expression;
  ExpressionAttributes attributes;
  bool consistent_read = false;  // accepted; every read is consistent here
};

enum class Select { kAllAttributes, kCount, kSpecificAttributes, kAllProjectedAttributes };

struct QueryRequest {
  std::string table_name;
  std::string index_name;  // "" for the table itself
  std::string key_condition_expression;
  std::string filter_expression;
  std::string projection_expression;
  ExpressionAttributes attributes;
  bool scan_index_forward = true;
  int limit = 0;  // 0: no limit (pages still stop at 1 MB)
  std::optional<Item> exclusive_start_key;
  Select select = Select::kAllAttributes;
  bool consistent_read = false;
};

struct ScanRequest {
  std::string table_name;
  std::string index_name;
  std::string filter_expression;
  std::string projection_expression;
  ExpressionAttributes attributes;
  int limit = 0;
  std::optional<Item> exclusive_start_key;
  int segment = 0;
  int total_segments = 1;
  Select select = Select::kAllAttributes;
  bool consistent_read = false;
};

struct QueryResult {
  std::vector<Item> items;
  int count = 0;          // items after the filter
  int scanned_count = 0;  // items read before the filter
  std::optional<Item> last_evaluated_key;
};

struct KeysAndAttributes {
  std::vector<Item> keys;
  std::string projection_expression;
  ExpressionAttributes attributes;
};
struct BatchGetResult {
  std::map<std::string, std::vector<Item>> responses;
  std::map<std::string, KeysAndAttributes> unprocessed_keys;  // always empty here
};

struct WriteRequest {
  std::optional<Item> put_item;    // exactly one of put_item, delete_key
  std::optional<Item> delete_key;
};
struct BatchWriteResult {
  std::map<std::string, std::vector<WriteRequest>> unprocessed_items;  // always empty here
};

struct TransactWriteItem {
  enum class Kind { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table_name;
  Item item;  // kPut
  Item key;   // the others
  std::string update_expression;
  std::string condition_expression;
  ExpressionAttributes attributes;
  bool return_old_on_condition_failure = false;
};

struct TransactGetItem {
  std::string table_name;
  Item key;
  std::string projection_expression;
  ExpressionAttributes attributes;
};

class TableClient {
 public:
  virtual ~TableClient() = default;

  // Control plane. Tables are ACTIVE as soon as CreateTable returns.
  virtual Result<TableDescription> CreateTable(const CreateTableRequest& request) = 0;
  virtual Result<TableDescription> DeleteTable(const std::string& table_name) = 0;
  virtual Result<TableDescription> DescribeTable(const std::string& table_name) = 0;
  virtual Result<TableDescription> UpdateTable(const UpdateTableRequest& request) = 0;
  // Names in lexical order, starting after `exclusive_start` ("" for the
  // first), at most `limit` (1..100); `last` is set when more remain.
  virtual Result<std::vector<std::string>> ListTables(const std::string& exclusive_start, int limit,
                                                      std::string* last) = 0;
  // Enables TTL on `attribute_name` ("" disables it).
  virtual Status UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) = 0;

  // Item operations. Writes are durable (WAL fsynced) when they return OK.
  // A failed condition returns ConditionFailed and, when `failure` is given,
  // the old item if the request asked for it.
  virtual Result<WriteResult> PutItem(const PutItemRequest& request, WriteFailure* failure = nullptr) = 0;
  // PutItem that does not block the caller, where the client can: `done`
  // runs with the result, possibly on another thread (the engine's: whichever
  // writes the item's group commit). False when this client cannot; then
  // nothing was written and `done` is not called. Where the client checks
  // the condition before it returns (the local engine), `*staged` (when
  // given) tells which way it went: true when the put passed and is queued,
  // so that every later writer of the item sees it (`done` then reports its
  // write), false when `done` will report a refusal.
  virtual bool TryPutItemAsync(const PutItemRequest& request, std::function<void(Result<WriteResult>)> done,
                               bool* staged = nullptr) {
    return false;
  }
  virtual Result<WriteResult> UpdateItem(const UpdateItemRequest& request, WriteFailure* failure = nullptr) = 0;
  // UpdateItem that does not block the caller, as TryPutItemAsync.
  virtual bool TryUpdateItemAsync(const UpdateItemRequest& request, std::function<void(Result<WriteResult>)> done) {
    return false;
  }
  virtual Result<WriteResult> DeleteItem(const DeleteItemRequest& request, WriteFailure* failure = nullptr) = 0;
  // The item, or nullopt when there is none with that key.
  virtual Result<std::optional<Item>> GetItem(const GetItemRequest& request) = 0;

  virtual Result<QueryResult> Query(const QueryRequest& request) = 0;
  virtual Result<QueryResult> Scan(const ScanRequest& request) = 0;

  // Up to 100 keys / 25 writes over any tables; each write is atomic on its
  // own, the batch as a whole is not.
  virtual Result<BatchGetResult> BatchGetItem(const std::map<std::string, KeysAndAttributes>& request) = 0;
  virtual Result<BatchWriteResult> BatchWriteItem(
      const std::map<std::string, std::vector<WriteRequest>>& request) = 0;

  // Up to 100 actions on distinct items, all or nothing. A failed condition
  // cancels every action: ConditionFailed, with one reason per action in
  // `failure->reasons`. A repeated `client_request_token` (10 minutes) with
  // the same actions returns OK without writing again.
  virtual Status TransactWriteItems(const std::vector<TransactWriteItem>& items,
                                    const std::string& client_request_token,
                                    WriteFailure* failure = nullptr) = 0;
  // One entry per request item, nullopt where there is no item.
  virtual Result<std::vector<std::optional<Item>>> TransactGetItems(
      const std::vector<TransactGetItem>& items) = 0;

  // The permission check TransactWriteItems makes before it writes, alone:
  // PermissionDenied as TransactWriteItems would answer for `items`, OK
  // when it would go on (by default: this client checks nothing). For a
  // caller that must not cause an effect outside the tables (an email sent)
  // unless it may record it afterwards.
  virtual Status CheckTransactWriteItems(const std::vector<TransactWriteItem>& items) { return Status::OK(); }
};

}  // namespace table
