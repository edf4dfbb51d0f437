// TableEngine: the embedded TableClient, on one RocksDB database opened at
// `<data-dir>/tables`. Key layout and durability: see README.md.
//
// Lifecycle: Open() recovers the tables' metadata and starts the TTL expirer
// thread when one is asked for; the destructor stops it and closes RocksDB.
// Thread safety: all methods may be called concurrently. Writes to one item
// are serialised by a striped lock on (table, key), so read-check-write
// sequences (conditions, updates, transactions) are atomic per item.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "table/change_feed.h"
#include "table/table_client.h"

namespace rocksdb {
class DB;
}

namespace table {

struct TableEngineOptions {
  // fsync the WAL before a write is acknowledged. Tests of logic may turn it off.
  bool sync_writes = true;
  // RocksDB block cache (decompressed SST blocks) for point reads and queries.
  int block_cache_mb = 64;
  // RocksDB memtable (write_buffer_size): a flush, and a new WAL, per this
  // much written. 128, not 64: at 5,000 orders/s (~17 MB/s into the tables)
  // half as many flushes and level-0 compactions, whose windows hold the
  // slowest orders (bench/orders/README.md); up to twice this in memory.
  int memtable_mb = 128;
  // RocksDB's flush and compaction threads at the lowest CPU priority (nice
  // 19): a flush (150-300 ms of CPU per 64 MiB written) then waits for idle CPU
  // instead of taking a core from the requests.
  bool background_low_priority = true;
  // MiB/s that RocksDB's flushes and compactions may write together (a rate
  // limiter; 0: unlimited). A compaction of level 0 rewrites level 1 whole
  // (~150 MB read, ~80 MB written after ~2 minutes at 4,000 orders/s), and
  // unlimited it did so in under a second, filling the device cache that
  // every fsync of an acknowledged write then waited to flush.
  int background_write_mb = 32;
  // Under load a synced group commit waits until this long after the
  // previous one began, so that more writers share its fsync (CommitQueue).
  // 0 = never waits.
  int commit_gather_micros = 1000;
  // How often the TTL expirer runs; 0 disables the thread (call ExpireTtlOnce).
  int ttl_interval_millis = 10'000;
  // Items one ExpireTtlOnce examines, over all tables with a TTL; each pass
  // continues where the last stopped, so the cost of a pass does not grow
  // with the tables (like DynamoDB, deletion may lag expiry; reads that
  // care check the expiry themselves).
  int ttl_items_per_pass = 20'000;
  common::Clock* clock = common::SystemClock::Default();
};

struct TableMeta;  // table_engine.cc

class TableEngine final : public TableClient {
 public:
  static Result<std::unique_ptr<TableEngine>> Open(const std::string& path, TableEngineOptions options = {});
  ~TableEngine() override;

  Result<TableDescription> CreateTable(const CreateTableRequest& request) override;
  Result<TableDescription> DeleteTable(const std::string& table_name) override;
  Result<TableDescription> DescribeTable(const std::string& table_name) override;
  Result<TableDescription> UpdateTable(const UpdateTableRequest& request) override;
  Result<std::vector<std::string>> ListTables(const std::string& exclusive_start, int limit,
                                              std::string* last) override;
  Status UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) override;

  Result<WriteResult> PutItem(const PutItemRequest& request, WriteFailure* failure = nullptr) override;
  // Returns once the write is queued (or refused), never blocking in an
  // fsync; `done` runs on the thread that writes its group commit (a synced
  // one by a writer or the engine's committer thread), so it must be quick.
  bool TryPutItemAsync(const PutItemRequest& request, std::function<void(Result<WriteResult>)> done,
                       bool* staged = nullptr) override;
  bool TryUpdateItemAsync(const UpdateItemRequest& request, std::function<void(Result<WriteResult>)> done) override;
  Result<WriteResult> UpdateItem(const UpdateItemRequest& request, WriteFailure* failure = nullptr) override;
  Result<WriteResult> DeleteItem(const DeleteItemRequest& request, WriteFailure* failure = nullptr) override;
  Result<std::optional<Item>> GetItem(const GetItemRequest& request) override;
  Result<QueryResult> Query(const QueryRequest& request) override;
  Result<QueryResult> Scan(const ScanRequest& request) override;
  Result<BatchGetResult> BatchGetItem(const std::map<std::string, KeysAndAttributes>& request) override;
  Result<BatchWriteResult> BatchWriteItem(const std::map<std::string, std::vector<WriteRequest>>& request) override;
  Status TransactWriteItems(const std::vector<TransactWriteItem>& items, const std::string& client_request_token,
                            WriteFailure* failure = nullptr) override;
  Result<std::vector<std::optional<Item>>> TransactGetItems(const std::vector<TransactGetItem>& items) override;

  // Examines the next ttl_items_per_pass items of the tables with a TTL
  // (wrapping around at the end; a table smaller than that is examined
  // whole) and deletes those whose TTL attribute (epoch seconds) is before
  // the clock's now. Returns how many were deleted. The expirer thread calls it.
  Result<int> ExpireTtlOnce();

  // Bytes that flushes and compactions have written through the
  // background_write_mb limiter so far (0 without one).
  int64_t BackgroundBytesLimited() const;

  // The change feed (change_feed.h), for the ChangeForwarder. `listener` (or
  // nullptr) must stay valid until it is replaced.
  void SetChangeListener(ChangeListener* listener);
  // Up to `limit` change records with sequence numbers above `after`, in order.
  Result<std::vector<ChangeRecord>> ReadChanges(uint64_t after, size_t limit);
  Result<ChangeCursor> LoadChangeCursor();
  // Records (fsynced) that the records `forwarded` (ascending; read by
  // ReadChanges) are in their streams, and deletes them.
  Status AckChanges(const std::vector<uint64_t>& forwarded, const std::map<std::string, std::string>& positions);

 private:
  struct Impl;
  explicit TableEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace table
