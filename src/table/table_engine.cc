#include "table/table_engine.h"

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/table.h>
#include <rocksdb/options.h>
#include <rocksdb/rate_limiter.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_manager.h>
#include <rocksdb/write_batch.h>

#include "common/thread_name.h"
#include "table/commit_queue.h"
#include "table/expression.h"
#include "table/key_encoding.h"
#include "table/number.h"
#include "table/table_schema.h"
#include "table/wal_file_system.h"

namespace table {
namespace {

constexpr size_t kStripes = 1024;
constexpr size_t kCachedPerStripe = 4;  // decoded items kept per stripe (4,096 in all)
constexpr size_t kMaxPageBytes = 1024 * 1024;  // Query/Scan stop after 1 MB read
constexpr int64_t kTokenMillis = 10 * 60 * 1000;

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status::NotFound(std::string(what) + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(std::string(what) + ": " + s.ToString());
  if (s.IsIOError()) return Status::IOError(std::string(what) + ": " + s.ToString());
  return Status::Internal(std::string(what) + ": " + s.ToString());
}

Status TableNotFound(const std::string& name) {
  return Status::NotFound("Requested resource not found: Table: " + name + " not found");
}

Status ConditionFailedStatus() { return Status::ConditionFailed("The conditional request failed"); }

// A parsed, validated single-item write, ready to run under the item's lock.
struct PreparedWrite {
  std::shared_ptr<const TableMeta> meta;
  TransactWriteItem::Kind kind = TransactWriteItem::Kind::kPut;
  Item item;  // put: the new item; others: the key
  std::string key_bytes;
  std::optional<expr::Condition> condition;
  std::vector<expr::UpdateAction> update;
  bool return_old_on_failure = false;
};

// One version of an item, shared and never changed: the write that made it,
// the overlay (the next writer's old item) and the cache hand it on without
// a copy of its attribute tree. nullptr: no item.
using ItemPtr = std::shared_ptr<const Item>;
// The new version of each item a write staged, by item key.
using NewValues = std::vector<std::pair<std::string, ItemPtr>>;

std::optional<Item> CopyOf(const ItemPtr& item) { return item ? std::optional<Item>(*item) : std::nullopt; }

bool SameVersion(const ItemPtr& a, const ItemPtr& b) { return a == b || (a && b && *a == *b); }

}  // namespace

struct TableEngine::Impl {
  TableEngineOptions options;
  std::unique_ptr<rocksdb::Env> env;  // outlives db
  std::shared_ptr<rocksdb::RateLimiter> background_writes;  // null: unlimited
  std::unique_ptr<rocksdb::DB> db;
  rocksdb::WriteOptions write_options;

  mutable std::shared_mutex meta_mu;
  std::map<std::string, std::shared_ptr<const TableMeta>> tables;  // guarded by meta_mu
  uint32_t next_table_id = 1;                                      // guarded by meta_mu
  std::mutex ddl_mu;  // serialises CreateTable/DeleteTable/UpdateTable

  // An item's lock and, for items with writes still in the commit queue,
  // their newest value: what the next writer of the item must build on.
  // Readers (GetItem, Query...) never look here: they only see durable data.
  struct Pending {
    uint64_t ticket = 0;  // the newest queued write of the item
    ItemPtr value;
  };
  // A few decoded items as RocksDB holds them now, those written lately
  // (products, sessions, an order between its PLACED row and its decision),
  // so that reads of hot items skip the memtable search and the decode. Only
  // a write fills it, with its value once its group is written
  // (ClearPending, under the stripe's lock; the newest ticket wins). A
  // read's miss does not: that would cost a copy of every item read once,
  // and a reader holds no lock that keeps what it read from going stale.
  struct Cached {
    uint64_t ticket = 0;  // of the write that stored it
    ItemPtr value;
  };
  struct Stripe {
    std::mutex mu;
    std::unordered_map<std::string, Pending> pending;  // guarded by mu
    std::unordered_map<std::string, Cached> cache;     // guarded by mu
  };
  std::array<Stripe, kStripes> stripes;
  std::unique_ptr<CommitQueue> commits;

  std::mutex listener_mu;
  ChangeListener* listener = nullptr;  // guarded by listener_mu

  std::mutex token_mu;
  std::map<std::string, std::pair<int64_t, std::string>> tokens;  // guarded by token_mu

  std::mutex ttl_mu;
  std::condition_variable ttl_cv;
  // Where the next ExpireOnce continues in each table (base-row key; absent:
  // from the start). Used by the expirer only (one pass at a time).
  std::map<uint64_t, std::string> ttl_cursors;
  bool stopping = false;  // guarded by ttl_mu
  std::thread ttl_thread;

  Result<std::shared_ptr<const TableMeta>> Meta(const std::string& name) const {
    std::shared_lock lock(meta_mu);
    auto it = tables.find(name);
    if (it == tables.end()) return TableNotFound(name);
    return it->second;
  }

  size_t Stripe(const std::string& key_bytes) const { return std::hash<std::string>{}(key_bytes) % kStripes; }

  using Locks = std::vector<std::unique_lock<std::mutex>>;
  // Locks the stripes of `keys` in ascending order (no deadlock between transactions).
  Locks LockKeys(const std::vector<std::string>& keys) {
    std::set<size_t> ids;
    for (const auto& k : keys) ids.insert(Stripe(k));
    Locks locks;
    for (size_t id : ids) locks.emplace_back(stripes[id].mu);
    return locks;
  }

  // The durable item (what readers see). The cache answers only for items
  // with no write in flight: a group becomes visible in RocksDB, all its
  // items at once, before its writers refresh the cache item by item
  // (ClearPending), so a cached value may then be older than RocksDB's while
  // another item of the same transaction already reads new.
  Result<std::optional<Item>> Read(const std::string& key_bytes, const rocksdb::Snapshot* snapshot = nullptr) {
    if (snapshot == nullptr) {
      auto& stripe = stripes[Stripe(key_bytes)];
      std::unique_lock lock(stripe.mu);
      auto it = stripe.cache.find(key_bytes);
      if (it != stripe.cache.end() && !stripe.pending.contains(key_bytes)) {
        ItemPtr cached = it->second.value;
        lock.unlock();  // the caller's copy is made outside the stripe's lock
        return CopyOf(cached);
      }
    }
    return ReadStored(key_bytes, snapshot);
  }

  // Keeps `value` as the key's cached item unless a newer write's is there.
  // REQUIRES: stripe.mu held.
  static void Remember(struct Stripe& stripe, const std::string& key_bytes, uint64_t ticket, ItemPtr value) {
    auto it = stripe.cache.find(key_bytes);
    if (it != stripe.cache.end()) {
      if (it->second.ticket <= ticket) it->second = {ticket, std::move(value)};
      return;
    }
    if (stripe.cache.size() >= kCachedPerStripe) stripe.cache.erase(stripe.cache.begin());
    stripe.cache.emplace(key_bytes, Cached{ticket, std::move(value)});
  }

  // Drops every cached item (DeleteTable: its rows go by a range delete).
  void ForgetCached() {
    for (auto& stripe : stripes) {
      std::lock_guard lock(stripe.mu);
      stripe.cache.clear();
    }
  }

  Result<std::optional<Item>> ReadStored(const std::string& key_bytes, const rocksdb::Snapshot* snapshot = nullptr) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    rocksdb::PinnableSlice value;
    SkipRocksPerfCounters();
    rocksdb::Status s = db->Get(ro, db->DefaultColumnFamily(), key_bytes, &value);
    if (s.IsNotFound()) return std::optional<Item>();
    RETURN_IF_ERROR(FromRocks(s, "read item"));
    ASSIGN_OR_RETURN(Item item, DecodeItem(std::string_view(value.data(), value.size())));
    return std::optional<Item>(std::move(item));
  }

  // The newest item, including writes still in the commit queue: what a
  // writer must check conditions against. REQUIRES: the key's stripe is locked.
  // `*pending` (when given) is raised to the ticket of the queued write
  // read, if any: answers based on it must wait for it (WaitForOther).
  Result<ItemPtr> ReadLatest(const std::string& key_bytes, uint64_t* pending = nullptr) {
    auto& stripe = stripes[Stripe(key_bytes)];
    auto it = stripe.pending.find(key_bytes);
    if (it != stripe.pending.end()) {
      if (pending != nullptr) *pending = std::max(*pending, it->second.ticket);
      return it->second.value;
    }
    auto cached = stripe.cache.find(key_bytes);
    if (cached != stripe.cache.end()) return cached->second.value;
    ASSIGN_OR_RETURN(std::optional<Item> stored, ReadStored(key_bytes));
    if (!stored) return ItemPtr();
    return ItemPtr(std::make_shared<const Item>(std::move(*stored)));
  }

  // Records the queued new values of `ticket` for later writers. REQUIRES:
  // the items' stripe locks held.
  void SetPending(NewValues& new_values, uint64_t ticket) {
    for (auto& [key, value] : new_values) {
      Pending& p = stripes[Stripe(key)].pending[key];
      p.ticket = ticket;
      p.value = std::move(value);
    }
  }

  // Written (or failed): readers of RocksDB now see it, so the overlay entry
  // goes unless a later write of the item replaced it.
  void ClearPending(const std::vector<std::string>& keys, const uint64_t& ticket, bool written) {
    for (const auto& key : keys) {
      auto& stripe = stripes[Stripe(key)];
      std::lock_guard lock(stripe.mu);
      auto it = stripe.pending.find(key);
      bool newest = it != stripe.pending.end() && it->second.ticket == ticket;
      if (newest && written) {
        Remember(stripe, key, ticket, std::move(it->second.value));
      } else {
        // Failed, or a later write replaced the overlay (it caches its own
        // value when written): a cached value older than this write is stale.
        auto cached = stripe.cache.find(key);
        if (cached != stripe.cache.end() && cached->second.ticket < ticket) stripe.cache.erase(cached);
      }
      if (newest) stripe.pending.erase(it);
    }
  }

  static std::vector<std::string> KeysOf(const NewValues& values) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : values) keys.push_back(key);
    return keys;
  }

  // Queues `batch` while the caller holds the locks of the written items,
  // records their new values for later writers, releases the locks and waits
  // until the batch is durable. Concurrent writers share one fsync.
  Status SubmitAndWait(CommitBatch batch, NewValues new_values, Locks* locks) {
    uint64_t ticket = commits->Submit(std::move(batch));
    SetPending(new_values, ticket);
    locks->clear();
    Status status = commits->Wait(ticket);
    ClearPending(KeysOf(new_values), ticket, status.ok());
    return status;
  }

  // The same without waiting: `done` runs with the outcome on the thread
  // that writes the batch's group.
  void SubmitAsync(CommitBatch batch, NewValues new_values, Locks* locks, std::function<void(const Status&)> done) {
    // The ticket is set under the items' stripe locks, and ClearPending
    // takes them, so a group written before SetPending still finds (and
    // clears) the entries it set.
    auto ticket = std::make_shared<uint64_t>(0);
    batch.done = [this, ticket, keys = KeysOf(new_values), done = std::move(done)](const Status& status) {
      ClearPending(keys, *ticket, status.ok());
      done(status);
    };
    *ticket = commits->SubmitAsync(std::move(batch));
    SetPending(new_values, *ticket);
    locks->clear();
    commits->LeadIfIdle();
  }

  // Whether `index` holds the same entry for both versions of an item with
  // the same index key (its key attributes are then equal too).
  static bool SameProjection(const IndexMeta& index, const Item& old_item, const Item& new_item) {
    switch (index.projection.type) {
      case ProjectionType::kKeysOnly: return true;
      case ProjectionType::kAll: return old_item == new_item;
      case ProjectionType::kInclude:
        for (const auto& name : index.projection.non_key_attributes) {
          auto a = old_item.find(name), b = new_item.find(name);
          if ((a == old_item.end()) != (b == new_item.end()) || (a != old_item.end() && a->second != b->second)) {
            return false;
          }
        }
        return true;
    }
    return false;
  }

  // Adds the writes that turn `old_item` into `new_item` (either may be
  // absent) to `batch`: the table row and every index entry.
  void Stage(CommitBatch* batch, const TableMeta& meta, const std::string& key_bytes,
             const ItemPtr& old_item, const ItemPtr& new_item) {
    const StreamSpecification& stream = meta.desc.stream_specification;
    // Like DynamoDB Streams: a write that changes nothing leaves no record.
    if (stream.enabled && !SameVersion(old_item, new_item)) {
      ChangeRecord r;
      r.table_name = meta.desc.table_name;
      r.event_name = !old_item ? "INSERT" : !new_item ? "REMOVE" : "MODIFY";
      r.view_type = stream.view_type;
      r.stream_label = meta.desc.latest_stream_label;
      r.keys = KeyOf(meta, new_item ? *new_item : *old_item);
      r.size_bytes = static_cast<int64_t>(ItemSize(r.keys));
      bool want_new = stream.view_type == StreamViewType::kNewImage || stream.view_type == StreamViewType::kNewAndOldImages;
      bool want_old = stream.view_type == StreamViewType::kOldImage || stream.view_type == StreamViewType::kNewAndOldImages;
      if (want_new && new_item) {
        r.new_image = *new_item;
        r.size_bytes += static_cast<int64_t>(ItemSize(*new_item));
      }
      if (want_old && old_item) {
        r.old_image = *old_item;
        r.size_bytes += static_cast<int64_t>(ItemSize(*old_item));
      }
      r.created_millis = options.clock->NowMillis();
      r.key_bytes = key_bytes;
      std::string encoded;
      EncodeChange(r, &encoded);
      batch->changes.push_back(std::move(encoded));
    }
    // Encoded once: an index with an ALL projection stores the same bytes.
    std::string encoded;
    if (new_item) {
      EncodeItem(*new_item, &encoded);
      batch->Put(key_bytes, encoded);
    } else {
      batch->Delete(key_bytes);
    }
    for (const auto& index : meta.indexes) {
      std::optional<std::string> old_key = old_item ? IndexKey(meta, index, *old_item) : std::nullopt;
      std::optional<std::string> new_key = new_item ? IndexKey(meta, index, *new_item) : std::nullopt;
      if (old_key && old_key != new_key) batch->Delete(*old_key);
      if (!new_key) continue;
      // An entry whose key and projected attributes stay would be rewritten
      // byte for byte: a status change leaves KEYS_ONLY entries alone.
      if (old_key == new_key && SameProjection(index, *old_item, *new_item)) continue;
      if (index.projection.type == ProjectionType::kAll) {
        batch->Put(*new_key, encoded);
      } else {
        std::string value;
        EncodeItem(ProjectForIndex(meta, index, *new_item), &value);
        batch->Put(*new_key, std::move(value));
      }
    }
  }

  // Waits until every ticket up to `ticket` is durable (tickets commit in order).
  Status WaitThrough(uint64_t ticket) { return commits->Wait(ticket); }

  Status Commit(rocksdb::WriteBatch* batch) {
    return FromRocks(db->Write(write_options, batch), "write");
  }

  // Parses and validates one write. Placeholders must all be used.
  Result<PreparedWrite> Prepare(TransactWriteItem::Kind kind, const std::string& table_name, const Item& item_or_key,
                                const std::string& update_expression, const std::string& condition_expression,
                                const ExpressionAttributes& attrs, bool return_old_on_failure) {
    PreparedWrite w;
    ASSIGN_OR_RETURN(w.meta, Meta(table_name));
    w.kind = kind;
    w.return_old_on_failure = return_old_on_failure;
    if (kind == TransactWriteItem::Kind::kPut) {
      ASSIGN_OR_RETURN(w.item, ValidateItem(*w.meta, item_or_key));
    } else {
      ASSIGN_OR_RETURN(w.item, ValidateKey(*w.meta, item_or_key));
    }
    w.key_bytes = BaseKey(*w.meta, w.item);
    std::map<std::string, AttributeValue> values;
    for (const auto& [k, v] : attrs.values) {
      ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(v));
      values.emplace(k, std::move(n));
    }
    expr::Placeholders p(&attrs.names, &values);
    if (kind == TransactWriteItem::Kind::kUpdate) {
      if (update_expression.empty()) {
        return Status::InvalidArgument("Invalid UpdateExpression: The expression can not be empty;");
      }
      ASSIGN_OR_RETURN(w.update, expr::ParseUpdate(update_expression, &p));
      for (const auto& a : w.update) {
        const std::string& top = a.path[0].name;
        if (top == w.meta->pk.name || (w.meta->sk && top == w.meta->sk->name)) {
          return Status::InvalidArgument("One or more parameter values were invalid: Cannot update attribute " + top +
                                         ". This attribute is part of the key");
        }
      }
    }
    if (!condition_expression.empty()) {
      ASSIGN_OR_RETURN(expr::Condition c, expr::ParseCondition(condition_expression, "ConditionExpression", &p));
      w.condition = std::move(c);
    } else if (kind == TransactWriteItem::Kind::kConditionCheck) {
      return Status::InvalidArgument("The ConditionExpression must be provided for a ConditionCheck");
    }
    RETURN_IF_ERROR(p.CheckAllUsed());
    return w;
  }

  // Runs a prepared write against the current item (caller holds its lock).
  // Sets *passed to false when the condition fails. Returns the new item
  // (nullptr: delete or nothing to write); a put's item is moved out of `w`
  // (each prepared write is applied once).
  Result<ItemPtr> Apply(PreparedWrite& w, const ItemPtr& old_item, bool* passed) {
    static const Item kEmpty;
    *passed = true;
    if (w.condition) {
      ASSIGN_OR_RETURN(bool ok, expr::Evaluate(*w.condition, old_item ? *old_item : kEmpty));
      if (!ok) {
        *passed = false;
        return old_item;
      }
    }
    switch (w.kind) {
      case TransactWriteItem::Kind::kPut:
        return ItemPtr(std::make_shared<const Item>(std::move(w.item)));
      case TransactWriteItem::Kind::kDelete:
        return ItemPtr();
      case TransactWriteItem::Kind::kConditionCheck:
        return old_item;
      case TransactWriteItem::Kind::kUpdate: {
        Item item = old_item ? *old_item : w.item;
        RETURN_IF_ERROR(expr::ApplyUpdate(w.update, &item));
        ASSIGN_OR_RETURN(Item checked, ValidateItem(*w.meta, std::move(item)));
        return ItemPtr(std::make_shared<const Item>(std::move(checked)));
      }
    }
    return old_item;
  }

  Result<PreparedWrite> PreparePut(const PutItemRequest& r) {
    if (r.return_values != ReturnValues::kNone && r.return_values != ReturnValues::kAllOld) {
      return Status::InvalidArgument("Return values set to invalid value");
    }
    return Prepare(TransactWriteItem::Kind::kPut, r.table_name, r.item, "", r.condition_expression, r.attributes,
                   r.return_old_on_condition_failure);
  }

  Result<PreparedWrite> PrepareUpdate(const UpdateItemRequest& r) {
    return Prepare(TransactWriteItem::Kind::kUpdate, r.table_name, r.key, r.update_expression, r.condition_expression,
                   r.attributes, r.return_old_on_condition_failure);
  }

  // Write without blocking the caller: `done` always runs exactly once, also
  // when `w` (the preparation) failed or the write was refused at once.
  // Returns whether the write passed its condition and was queued.
  bool WriteAsync(Result<PreparedWrite> w, ReturnValues rv, bool sync, std::function<void(Result<WriteResult>)> done) {
    bool staged = false;
    Result<WriteResult> queued = w.ok() ? Write(*w, rv, nullptr, sync, done, &staged) : w.status();
    if (!queued.ok()) done(queued.status());  // refused: Write never calls `done` then
    return staged;
  }

  // A single conditional write: lock, read, check, stage, commit.
  // With `done`, an OK return means only "queued": `done` gets the result
  // once the write is written (SubmitAsync), a refusal once the value it
  // rests on is durable (WaitForOtherAsync); an error return means `done`
  // was not called and never will be.
  // `*staged` (when given) is set when the write passed and was queued.
  Result<WriteResult> Write(PreparedWrite& w, ReturnValues rv, WriteFailure* failure, bool sync = true,
                            std::function<void(Result<WriteResult>)> done = nullptr, bool* staged = nullptr) {
    auto locks = LockKeys({w.key_bytes});
    uint64_t pending = 0;
    ASSIGN_OR_RETURN(ItemPtr old_item, ReadLatest(w.key_bytes, &pending));
    bool passed;
    auto applied = Apply(w, old_item, &passed);
    if (!applied.ok() || !passed) {
      // The answer rests on the item read: answer once it is durable.
      locks.clear();
      if (done) {
        Status refused = applied.ok() ? ConditionFailedStatus() : applied.status();
        commits->WaitForOtherAsync(pending, [done, refused](const Status& read) { read.ok() ? done(refused) : done(read); });
        return WriteResult();
      }
      RETURN_IF_ERROR(commits->WaitForOther(pending));
      RETURN_IF_ERROR(applied.status());
      if (failure != nullptr && w.return_old_on_failure) failure->item = CopyOf(old_item);
      return ConditionFailedStatus();
    }
    ItemPtr new_item = std::move(*applied);
    CommitBatch batch;
    batch.sync = sync;
    Stage(&batch, *w.meta, w.key_bytes, old_item, new_item);
    WriteResult result;
    result.attributes = ReturnedAttributes(rv, w, old_item, new_item);
    NewValues values;
    values.emplace_back(w.key_bytes, std::move(new_item));
    if (staged != nullptr) *staged = true;
    if (done) {
      SubmitAsync(std::move(batch), std::move(values), &locks, [result, done](const Status& status) {
        status.ok() ? done(result) : done(status);
      });
      return result;
    }
    RETURN_IF_ERROR(SubmitAndWait(std::move(batch), std::move(values), &locks));
    return result;
  }

  static std::optional<Item> ReturnedAttributes(ReturnValues rv, const PreparedWrite& w, const ItemPtr& old_item,
                                                const ItemPtr& new_item) {
    switch (rv) {
      case ReturnValues::kNone: return std::nullopt;
      case ReturnValues::kAllOld: return CopyOf(old_item);
      case ReturnValues::kAllNew: return CopyOf(new_item);
      case ReturnValues::kUpdatedOld:
      case ReturnValues::kUpdatedNew: {
        // Like DynamoDB, only the paths the update expression touched, nested
        // as in the item (SET a.b.c returns {a: {b: {c: ...}}}), and only
        // those present before (UPDATED_OLD) or after (UPDATED_NEW).
        const ItemPtr& from = rv == ReturnValues::kUpdatedOld ? old_item : new_item;
        if (!from) return std::nullopt;
        std::vector<expr::Path> paths;
        for (const auto& a : w.update) {
          if (expr::Resolve(*from, a.path) != nullptr) paths.push_back(a.path);
        }
        Item out = expr::Project(*from, paths);
        if (out.empty()) return std::nullopt;
        return out;
      }
    }
    return std::nullopt;
  }

  Status LoadTables() {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("m"); it->Valid() && it->key().starts_with("m"); it->Next()) {
      ASSIGN_OR_RETURN(TableMeta meta, ParseMeta(it->value().ToString()));
      next_table_id = std::max(next_table_id, meta.id + 1);
      std::string name = meta.desc.table_name;  // read before the move below
      tables[name] = std::make_shared<const TableMeta>(std::move(meta));
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "load tables"));
    std::string next;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), kNextTableIdKey, &next);
    if (s.ok()) next_table_id = std::max<uint32_t>(next_table_id, static_cast<uint32_t>(std::stoul(next)));
    return Status::OK();
  }

  Status PersistMeta(rocksdb::WriteBatch* batch, const TableMeta& meta) {
    batch->Put(MetaKey(meta.desc.table_name), SerializeMeta(meta));
    return Status::OK();
  }

  // ItemCount is recounted at most every kItemCountMillis per table: DynamoDB
  // itself refreshes it only every few hours, and DescribeTable is on hot
  // paths (IAM's dynamodb:LeadingKeys asks for the key schema per request).
  static constexpr int64_t kItemCountMillis = 5'000;
  std::mutex count_mu;
  std::map<uint32_t, std::pair<int64_t, int64_t>> counts;  // guarded by count_mu: table id -> (count, at)

  TableDescription Describe(const TableMeta& meta) {
    TableDescription d = meta.desc;
    const int64_t now = options.clock->NowMillis();
    {
      std::lock_guard lock(count_mu);
      auto it = counts.find(meta.id);
      if (it != counts.end() && now - it->second.second < kItemCountMillis) {
        d.item_count = it->second.first;
        return d;
      }
    }
    d.item_count = CountItems(meta);
    std::lock_guard lock(count_mu);
    counts[meta.id] = {d.item_count, now};
    return d;
  }

  int64_t CountItems(const TableMeta& meta) {
    std::string prefix = IndexPrefix(meta.id, 0);
    std::string end = PrefixSuccessor(prefix);
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    int64_t n = 0;
    // DynamoDB's ItemCount is approximate; counting stops at a bound.
    for (it->Seek(prefix); it->Valid() && n < 1'000'000; it->Next()) ++n;
    return n;
  }

  void TtlLoop() {
    std::unique_lock lock(ttl_mu);
    while (!stopping) {
      ttl_cv.wait_for(lock, std::chrono::milliseconds(options.ttl_interval_millis));
      if (stopping) break;
      lock.unlock();
      (void)ExpireOnce();  // errors are retried on the next pass
      lock.lock();
    }
  }

  Result<int> ExpireOnce();

  Result<ChangeCursor> LoadCursor() {
    ChangeCursor cursor;
    rocksdb::PinnableSlice value;
    rocksdb::Status s = db->Get(rocksdb::ReadOptions(), db->DefaultColumnFamily(), kChangeCursorKey, &value);
    if (s.IsNotFound()) return cursor;
    RETURN_IF_ERROR(FromRocks(s, "read change cursor"));
    ASSIGN_OR_RETURN(Item item, DecodeItem(std::string_view(value.data(), value.size())));
    auto through = item.find("through");
    auto positions = item.find("positions");
    if (through == item.end() || positions == item.end()) return Status::Corruption("change cursor lacks a field");
    cursor.through = std::stoull(through->second.scalar());
    for (const auto& [k, v] : positions->second.map()) cursor.positions[k] = v.scalar();
    return cursor;
  }

  // Tells the listener that `table_name`'s stream was enabled (its stream must exist).
  Status StreamEnabled(const std::string& table_name) {
    std::lock_guard lock(listener_mu);
    return listener != nullptr ? listener->OnStreamEnabled(table_name) : Status::OK();
  }

  struct Range {
    std::string start;  // inclusive
    std::string end;    // exclusive
  };
  Result<QueryResult> RunRange(const TableMeta& meta, const IndexMeta* index, Range range, bool forward, int limit,
                               const std::optional<Item>& exclusive_start_key, const expr::Condition* filter,
                               const std::vector<expr::Path>* projection, Select select, int segment,
                               int total_segments);
};

Result<std::unique_ptr<TableEngine>> TableEngine::Open(const std::string& path, TableEngineOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->write_options.sync = options.sync_writes;
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.IncreaseParallelism(2);
  ro.write_buffer_size = static_cast<size_t>(options.memtable_mb) << 20;
  // Point reads: a bloom filter per SST (whole keys) and one in the memtable,
  // so reads of absent items (every PutItem of a new item reads the old one)
  // skip the files; pinned index/filter blocks in a shared block cache.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.whole_key_filtering = true;
  // Few, large cache shards: an SST's index block is ~1 % of the file
  // (~650 KiB for a 64 MiB file), and RocksDB's default of 64 shards of
  // 1 MiB for a 64 MiB cache let such blocks evict each other, so every
  // point read re-read and decompressed an index block (a quarter of the
  // order path's CPU). Shards of at least 16 MiB keep them resident.
  size_t cache_bytes = static_cast<size_t>(options.block_cache_mb) << 20;
  int shard_bits = 0;
  while (shard_bits < 6 && (cache_bytes >> (shard_bits + 1)) >= (size_t{16} << 20)) ++shard_bits;
  table_options.block_cache = rocksdb::NewLRUCache(cache_bytes, shard_bits);
  table_options.cache_index_and_filter_blocks = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  table_options.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  ro.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  // Flushes and compactions write their files in 1 MiB syncs instead of one
  // fsync of a whole flushed memtable at the end, which held the device queue (and the
  // WAL fsyncs of every acknowledged write behind it) for tens of ms.
  ro.bytes_per_sync = 1 << 20;
  // And at most background_write_mb MiB/s (TableEngineOptions): the 1 MiB
  // syncs alone still let a compaction write ~80 MB within a second.
  if (options.background_write_mb > 0) {
    impl->background_writes.reset(
        rocksdb::NewGenericRateLimiter(static_cast<int64_t>(options.background_write_mb) << 20));
    ro.rate_limiter = impl->background_writes;
  }
  // Obsolete WAL and SST files are deleted in the background, 4 MiB at a
  // time: unlinking the ~60 MiB WAL left by every flush at once (a discard
  // on disks mounted with it) held the device for 20-40 ms, and every fsync
  // of an acknowledged write waited behind it. (RocksDB 7.8 refuses to
  // recycle WAL files with point-in-time recovery.) A high trash ratio
  // keeps small databases from falling back to deleting at once.
  ro.sst_file_manager.reset(rocksdb::NewSstFileManager(rocksdb::Env::Default(), nullptr, "",
                                                       /*rate_bytes_per_sec=*/128 << 20, true, nullptr,
                                                       /*max_trash_db_ratio=*/1000.0,
                                                       /*bytes_max_delete_chunk=*/4 << 20));
  // Flushes write level 0 uncompressed: the ~50 MiB of a memtable took
  // ~120 ms of Snappy on every flush, which stole a core from the order path
  // on a 2-core machine, and level 0 is rewritten (and compressed) by its
  // first compaction anyway.
  ro.compression_per_level.assign(ro.num_levels, ro.compression);
  ro.compression_per_level[0] = rocksdb::kNoCompression;
  ro.memtable_whole_key_filtering = true;
  ro.memtable_prefix_bloom_size_ratio = 0.02;
  // A memtable insert starts its skip-list search from the last insert into
  // the same table or index (IndexPrefix) instead of from the top. Keys that
  // grow with time (order ids, byTime, the outbox's due times) then land
  // next to the last one, with a few comparisons on cached nodes instead of
  // ~90 across a memtable of tens of MiB (~10 % of the order path's CPU).
  ro.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kIndexPrefixSize));
  impl->env = NewWalPreallocatingEnv();  // WAL fsyncs without a file size to persist
  ro.env = impl->env.get();
  if (options.background_low_priority) {
    for (auto pool : {rocksdb::Env::Priority::HIGH, rocksdb::Env::Priority::LOW}) {
      rocksdb::Status lowered = ro.env->LowerThreadPoolCPUPriority(pool, rocksdb::CpuPriority::kLow);
      if (!lowered.ok()) spdlog::warn("table: cannot lower the background threads' priority: {}", lowered.ToString());
    }
  }
  rocksdb::DB* db = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(ro, path, &db), "open " + path));
  impl->db.reset(db);
  uint64_t next_change = 1;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(ChangeKey(UINT64_MAX));
    if (it->Valid() && it->key().starts_with("c")) next_change = ChangeSequenceOf(it->key().ToStringView()) + 1;
    RETURN_IF_ERROR(FromRocks(it->status(), "load change feed"));
  }
  Impl* raw_impl = impl.get();
  auto on_changes = [raw_impl] {
    std::lock_guard lock(raw_impl->listener_mu);
    if (raw_impl->listener != nullptr) raw_impl->listener->OnChanges();
  };
  {
    auto cursor = impl->LoadCursor();
    if (!cursor.ok()) return cursor.status();
    // Forwarded records are deleted: the cursor may be past every record left.
    next_change = std::max(next_change, cursor->through + 1);
  }
  impl->commits = std::make_unique<CommitQueue>(db, options.sync_writes, next_change, on_changes,
                                                options.commit_gather_micros);
  RETURN_IF_ERROR(impl->LoadTables());
  if (options.ttl_interval_millis > 0) {
    Impl* raw = impl.get();
    impl->ttl_thread = std::thread([raw] {
      common::NameThisThread("table-ttl");
      raw->TtlLoop();
    });
  }
  return std::unique_ptr<TableEngine>(new TableEngine(std::move(impl)));
}

TableEngine::TableEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TableEngine::~TableEngine() {
  {
    std::lock_guard lock(impl_->ttl_mu);
    impl_->stopping = true;
  }
  impl_->ttl_cv.notify_all();
  if (impl_->ttl_thread.joinable()) impl_->ttl_thread.join();
}

Result<TableDescription> TableEngine::CreateTable(const CreateTableRequest& request) {
  std::lock_guard ddl(impl_->ddl_mu);
  uint32_t id;
  {
    std::shared_lock lock(impl_->meta_mu);
    if (impl_->tables.count(request.table_name)) {
      return Status::ResourceInUse("Table already exists: " + request.table_name);
    }
    id = impl_->next_table_id;
  }
  ASSIGN_OR_RETURN(TableMeta meta, BuildTableMeta(request, id, impl_->options.clock->NowMillis()));
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(impl_->PersistMeta(&batch, meta));
  batch.Put(kNextTableIdKey, std::to_string(id + 1));
  RETURN_IF_ERROR(impl_->Commit(&batch));
  TableDescription d = meta.desc;
  std::unique_lock lock(impl_->meta_mu);
  impl_->next_table_id = id + 1;
  impl_->tables[request.table_name] = std::make_shared<const TableMeta>(std::move(meta));
  lock.unlock();
  if (d.stream_specification.enabled) RETURN_IF_ERROR(impl_->StreamEnabled(d.table_name));
  return d;
}

Result<TableDescription> TableEngine::DeleteTable(const std::string& table_name) {
  std::lock_guard ddl(impl_->ddl_mu);
  ASSIGN_OR_RETURN(auto meta, impl_->Meta(table_name));
  rocksdb::WriteBatch batch;
  batch.Delete(MetaKey(table_name));
  std::string prefix = TablePrefix(meta->id);
  batch.DeleteRange(prefix, PrefixSuccessor(prefix));
  RETURN_IF_ERROR(impl_->Commit(&batch));
  impl_->ForgetCached();
  {
    std::unique_lock lock(impl_->meta_mu);
    impl_->tables.erase(table_name);
  }
  TableDescription d = meta->desc;
  d.table_status = "DELETING";
  return d;
}

Result<TableDescription> TableEngine::DescribeTable(const std::string& table_name) {
  ASSIGN_OR_RETURN(auto meta, impl_->Meta(table_name));
  return impl_->Describe(*meta);
}

Result<TableDescription> TableEngine::UpdateTable(const UpdateTableRequest& request) {
  std::lock_guard ddl(impl_->ddl_mu);
  ASSIGN_OR_RETURN(auto old_meta, impl_->Meta(request.table_name));
  TableMeta meta = *old_meta;
  std::optional<IndexMeta> added;
  if (request.create_index) {
    if (meta.FindIndex(request.create_index->index_name) != nullptr) {
      return Status::InvalidArgument("One or more parameter values were invalid: Index already exists: " +
                                     request.create_index->index_name);
    }
    std::vector<AttributeDefinition> defs = meta.desc.attribute_definitions;
    for (const auto& d : request.attribute_definitions) {
      auto it = std::find_if(defs.begin(), defs.end(), [&](const auto& e) { return e.attribute_name == d.attribute_name; });
      if (it == defs.end()) {
        defs.push_back(d);
      } else if (it->attribute_type != d.attribute_type) {
        return Status::InvalidArgument("One or more parameter values were invalid: attribute " + d.attribute_name +
                                       " is already defined with another type");
      }
    }
    ASSIGN_OR_RETURN(IndexMeta index, BuildIndexMeta(*request.create_index, defs, meta.next_index_id++));
    meta.indexes.push_back(index);
    meta.desc.attribute_definitions = defs;
    meta.desc.global_secondary_indexes.push_back(*request.create_index);
    added = index;
  }
  if (request.stream_specification) {
    if (!request.stream_specification->enabled && !meta.desc.stream_specification.enabled) {
      return Status::InvalidArgument("One or more parameter values were invalid: the table has no enabled stream to disable");
    }
    RETURN_IF_ERROR(SetStream(&meta, *request.stream_specification, impl_->options.clock->NowMillis()));
    if (request.stream_specification->enabled) RETURN_IF_ERROR(impl_->StreamEnabled(meta.desc.table_name));
  }
  std::optional<uint16_t> dropped;
  if (request.delete_index) {
    auto it = std::find_if(meta.indexes.begin(), meta.indexes.end(), [&](const auto& i) { return i.name == *request.delete_index; });
    if (it == meta.indexes.end()) {
      return Status::NotFound("Requested resource not found: Index: " + *request.delete_index + " not found");
    }
    dropped = it->id;
    meta.indexes.erase(it);
    auto& gsis = meta.desc.global_secondary_indexes;
    gsis.erase(std::remove_if(gsis.begin(), gsis.end(), [&](const auto& g) { return g.index_name == *request.delete_index; }),
               gsis.end());
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(impl_->PersistMeta(&batch, meta));
  if (dropped) {
    std::string prefix = IndexPrefix(meta.id, *dropped);
    batch.DeleteRange(prefix, PrefixSuccessor(prefix));
  }
  RETURN_IF_ERROR(impl_->Commit(&batch));
  auto shared = std::make_shared<const TableMeta>(meta);
  {
    // From here on every write maintains the new index, so the backfill
    // below only has to cover items written before this point.
    std::unique_lock lock(impl_->meta_mu);
    impl_->tables[meta.desc.table_name] = shared;
  }
  if (added) {
    std::string prefix = IndexPrefix(meta.id, 0);
    std::string end = PrefixSuccessor(prefix);
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
    int unwaited = 0;
    for (it->Seek(prefix); it->Valid() && it->key().compare(end) < 0; it->Next()) {
      std::string key = it->key().ToString();
      auto locks = impl_->LockKeys({key});
      // The newest value: a write still queued may have been staged with the
      // old schema (no entry in the new index); this entry follows it in the queue.
      ASSIGN_OR_RETURN(ItemPtr item, impl_->ReadLatest(key));
      if (!item) continue;
      std::optional<std::string> index_key = IndexKey(meta, *added, *item);
      if (!index_key) continue;
      CommitBatch b;
      std::string value;
      EncodeItem(ProjectForIndex(meta, *added, *item), &value);
      b.Put(*index_key, std::move(value));
      (void)impl_->commits->Submit(std::move(b), /*waited=*/false);
      ++unwaited;
      if (unwaited == 1000) {  // bound the queue; waiting for the last covers every earlier ticket
        locks.clear();
        RETURN_IF_ERROR(impl_->WaitThrough(impl_->commits->Submit(CommitBatch())));
        unwaited = 0;
      }
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "backfill"));
    // An empty marker batch: once it is durable, so is every entry before it.
    if (unwaited > 0) RETURN_IF_ERROR(impl_->WaitThrough(impl_->commits->Submit(CommitBatch())));
  }
  return impl_->Describe(*shared);
}

Result<std::vector<std::string>> TableEngine::ListTables(const std::string& exclusive_start, int limit,
                                                         std::string* last) {
  if (limit <= 0 || limit > 100) limit = 100;
  std::vector<std::string> names;
  std::shared_lock lock(impl_->meta_mu);
  for (auto it = impl_->tables.upper_bound(exclusive_start); it != impl_->tables.end(); ++it) {
    if (static_cast<int>(names.size()) == limit) {
      if (last != nullptr) *last = names.back();
      break;
    }
    names.push_back(it->first);
  }
  return names;
}

Status TableEngine::UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) {
  std::lock_guard ddl(impl_->ddl_mu);
  ASSIGN_OR_RETURN(auto old_meta, impl_->Meta(table_name));
  TableMeta meta = *old_meta;
  if (!attribute_name.empty() && !meta.desc.ttl_attribute.empty()) {
    return Status::InvalidArgument("TimeToLive is already enabled");
  }
  meta.desc.ttl_attribute = attribute_name;
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(impl_->PersistMeta(&batch, meta));
  RETURN_IF_ERROR(impl_->Commit(&batch));
  std::unique_lock lock(impl_->meta_mu);
  impl_->tables[table_name] = std::make_shared<const TableMeta>(std::move(meta));
  return Status::OK();
}

Result<WriteResult> TableEngine::PutItem(const PutItemRequest& r, WriteFailure* failure) {
  ASSIGN_OR_RETURN(PreparedWrite w, impl_->PreparePut(r));
  return impl_->Write(w, r.return_values, failure, r.sync);
}

bool TableEngine::TryPutItemAsync(const PutItemRequest& r, std::function<void(Result<WriteResult>)> done,
                                  bool* staged) {
  bool passed = impl_->WriteAsync(impl_->PreparePut(r), r.return_values, r.sync, std::move(done));
  if (staged != nullptr) *staged = passed;
  return true;
}

Result<WriteResult> TableEngine::UpdateItem(const UpdateItemRequest& r, WriteFailure* failure) {
  ASSIGN_OR_RETURN(PreparedWrite w, impl_->PrepareUpdate(r));
  return impl_->Write(w, r.return_values, failure, r.sync);
}

bool TableEngine::TryUpdateItemAsync(const UpdateItemRequest& r, std::function<void(Result<WriteResult>)> done) {
  impl_->WriteAsync(impl_->PrepareUpdate(r), r.return_values, r.sync, std::move(done));
  return true;
}

Result<WriteResult> TableEngine::DeleteItem(const DeleteItemRequest& r, WriteFailure* failure) {
  if (r.return_values != ReturnValues::kNone && r.return_values != ReturnValues::kAllOld) {
    return Status::InvalidArgument("Return values set to invalid value");
  }
  ASSIGN_OR_RETURN(PreparedWrite w, impl_->Prepare(TransactWriteItem::Kind::kDelete, r.table_name, r.key, "",
                                                   r.condition_expression, r.attributes,
                                                   r.return_old_on_condition_failure));
  return impl_->Write(w, r.return_values, failure);
}

namespace {

Result<std::optional<std::vector<expr::Path>>> ParseProjectionIfAny(const std::string& text, expr::Placeholders* p) {
  if (text.empty()) return std::optional<std::vector<expr::Path>>();
  ASSIGN_OR_RETURN(auto paths, expr::ParseProjection(text, p));
  return std::optional<std::vector<expr::Path>>(std::move(paths));
}

}  // namespace

Result<std::optional<Item>> TableEngine::GetItem(const GetItemRequest& r) {
  ASSIGN_OR_RETURN(auto meta, impl_->Meta(r.table_name));
  ASSIGN_OR_RETURN(Item key, ValidateKey(*meta, r.key));
  expr::Placeholders p(&r.attributes.names, &r.attributes.values);
  ASSIGN_OR_RETURN(auto projection, ParseProjectionIfAny(r.projection_expression, &p));
  RETURN_IF_ERROR(p.CheckAllUsed());
  ASSIGN_OR_RETURN(std::optional<Item> item, impl_->Read(BaseKey(*meta, key)));
  if (item && projection) item = expr::Project(*item, *projection);
  return item;
}

Result<QueryResult> TableEngine::Impl::RunRange(const TableMeta& meta, const IndexMeta* index, Range range,
                                                bool forward, int limit, const std::optional<Item>& start_key,
                                                const expr::Condition* filter,
                                                const std::vector<expr::Path>* projection, Select select,
                                                int segment, int total_segments) {
  if (start_key) {
    // The start key names an item; resume just after (or before) its key.
    Item key = *start_key;
    for (auto& [k, v] : key) {
      ASSIGN_OR_RETURN(v, NormalizeValue(v));
    }
    Item base_key = KeyOf(meta, key);
    auto invalid = [] { return Status::InvalidArgument("The provided starting key is invalid: The provided key element does not match the schema"); };
    if (!ValidateKey(meta, base_key).ok()) return invalid();
    std::string bytes;
    if (index == nullptr) {
      if (key.size() != base_key.size()) return invalid();
      bytes = BaseKey(meta, key);
    } else {
      std::optional<std::string> k = IndexKey(meta, *index, key);
      if (!k) return invalid();
      bytes = *k;
    }
    if (forward) {
      range.start = std::max(range.start, bytes + '\x00');
    } else {
      range.end = std::min(range.end, bytes);
    }
  }
  QueryResult result;
  rocksdb::ReadOptions ro;
  rocksdb::Slice lower(range.start), upper(range.end);
  ro.iterate_lower_bound = &lower;
  ro.iterate_upper_bound = &upper;
  SkipRocksPerfCounters();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  if (forward) {
    it->Seek(range.start);
  } else {
    it->SeekToLast();
  }
  size_t bytes_read = 0;
  // The stored bytes of the last item read: its key becomes LastEvaluatedKey.
  // Kept as bytes so that items can be moved into the result, not copied.
  std::string last_value;
  const KeyAttr& hash_attr = index ? index->pk : meta.pk;
  while (it->Valid()) {
    if ((limit > 0 && result.scanned_count >= limit) || bytes_read >= kMaxPageBytes) {
      if (!last_value.empty()) {
        ASSIGN_OR_RETURN(Item last, DecodeItem(last_value));
        result.last_evaluated_key = KeyOf(meta, last, index);
      }
      break;
    }
    std::string_view value(it->value().data(), it->value().size());
    ASSIGN_OR_RETURN(Item item, DecodeItem(value));
    bytes_read += value.size();
    if (total_segments > 1) {
      std::string encoded;
      EncodeKeyValue(item.at(hash_attr.name), &encoded);
      if (static_cast<int>(std::hash<std::string>{}(encoded) % static_cast<size_t>(total_segments)) != segment) {
        forward ? it->Next() : it->Prev();
        continue;
      }
    }
    ++result.scanned_count;
    bool keep = true;
    if (filter != nullptr) {
      ASSIGN_OR_RETURN(keep, expr::Evaluate(*filter, item));
    }
    if (keep) {
      ++result.count;
      if (select != Select::kCount) {
        result.items.push_back(projection ? expr::Project(item, *projection) : std::move(item));
      }
    }
    last_value.assign(value);
    forward ? it->Next() : it->Prev();
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read range"));
  return result;
}

namespace {

// The key condition's parts: partition value and optional sort-key test.
struct KeyCondition {
  AttributeValue partition;
  const expr::Condition* sort = nullptr;
};

Status KeyConditionError(const std::string& msg) {
  return Status::InvalidArgument("Query condition missed key schema element: " + msg);
}

bool IsSimplePath(const expr::Operand& o) {
  return o.kind == expr::Operand::Kind::kPath && o.path.size() == 1 && o.path[0].index < 0;
}

Result<KeyCondition> AnalyzeKeyCondition(const expr::Condition& c, const KeyAttr& pk, const std::optional<KeyAttr>& sk) {
  std::vector<const expr::Condition*> parts;
  if (c.kind == expr::Condition::Kind::kAnd) {
    for (const auto& child : c.children) {
      if (child.kind == expr::Condition::Kind::kAnd) {
        return Status::InvalidArgument("Invalid KeyConditionExpression: The key conditions may name at most two attributes");
      }
      parts.push_back(&child);
    }
  } else {
    parts.push_back(&c);
  }
  KeyCondition out;
  bool have_partition = false;
  for (const expr::Condition* part : parts) {
    using K = expr::Condition::Kind;
    if (part->kind != K::kCompare && part->kind != K::kBetween && part->kind != K::kBeginsWith) {
      return Status::InvalidArgument("Invalid operator used in KeyConditionExpression: only =, <, <=, >, >=, BETWEEN and begins_with are allowed");
    }
    if (part->kind == K::kCompare && part->op == expr::CompareOp::kNe) {
      return Status::InvalidArgument("Unsupported operator used in KeyConditionExpression: <>");
    }
    if (!IsSimplePath(part->operands[0])) {
      return Status::InvalidArgument("Invalid KeyConditionExpression: the left side of a key condition must be a key attribute name");
    }
    for (size_t i = 1; i < part->operands.size(); ++i) {
      if (part->operands[i].kind != expr::Operand::Kind::kValue) {
        return Status::InvalidArgument("Invalid KeyConditionExpression: key conditions compare a key attribute with :values");
      }
    }
    const std::string& name = part->operands[0].path[0].name;
    const KeyAttr* attr = nullptr;
    if (name == pk.name && !have_partition) {
      if (part->kind != K::kCompare || part->op != expr::CompareOp::kEq) {
        return Status::InvalidArgument("Query key condition not supported");
      }
      attr = &pk;
      have_partition = true;
      out.partition = part->operands[1].value;
    } else if (sk && name == sk->name && out.sort == nullptr) {
      attr = &*sk;
      out.sort = part;
      if (part->kind == K::kBeginsWith && sk->type == AttributeValue::Type::kN) {
        return Status::InvalidArgument("Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N");
      }
    } else {
      return Status::InvalidArgument("Query condition missed key schema element: " + (have_partition && sk ? sk->name : pk.name));
    }
    for (size_t i = 1; i < part->operands.size(); ++i) {
      if (part->operands[i].value.type() != attr->type) {
        return Status::InvalidArgument("One or more parameter values were invalid: Condition parameter type does not match schema type");
      }
    }
  }
  if (!have_partition) return KeyConditionError(pk.name);
  return out;
}

}  // namespace

Result<QueryResult> TableEngine::Query(const QueryRequest& r) {
  ASSIGN_OR_RETURN(auto meta, impl_->Meta(r.table_name));
  const IndexMeta* index = nullptr;
  if (!r.index_name.empty()) {
    index = meta->FindIndex(r.index_name);
    if (index == nullptr) return Status::InvalidArgument("The table does not have the specified index: " + r.index_name);
  }
  if (r.key_condition_expression.empty()) {
    return Status::InvalidArgument("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  if (r.limit < 0) return Status::InvalidArgument("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  std::map<std::string, AttributeValue> values;
  for (const auto& [k, v] : r.attributes.values) {
    ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(v));
    values.emplace(k, std::move(n));
  }
  expr::Placeholders p(&r.attributes.names, &values);
  ASSIGN_OR_RETURN(expr::Condition key_cond, expr::ParseCondition(r.key_condition_expression, "KeyConditionExpression", &p));
  std::optional<expr::Condition> filter;
  if (!r.filter_expression.empty()) {
    ASSIGN_OR_RETURN(filter, expr::ParseCondition(r.filter_expression, "FilterExpression", &p));
  }
  ASSIGN_OR_RETURN(auto projection, ParseProjectionIfAny(r.projection_expression, &p));
  RETURN_IF_ERROR(p.CheckAllUsed());
  const KeyAttr& pk = index ? index->pk : meta->pk;
  const std::optional<KeyAttr>& sk = index ? index->sk : meta->sk;
  ASSIGN_OR_RETURN(KeyCondition kc, AnalyzeKeyCondition(key_cond, pk, sk));

  std::string prefix = IndexPrefix(meta->id, index ? index->id : 0);
  EncodeKeyValue(kc.partition, &prefix);
  Impl::Range range{prefix, PrefixSuccessor(prefix)};
  if (kc.sort != nullptr) {
    const auto& ops = kc.sort->operands;
    auto enc = [&](const AttributeValue& v) {
      std::string k = prefix;
      EncodeKeyValue(v, &k);
      return k;
    };
    using K = expr::Condition::Kind;
    if (kc.sort->kind == K::kBetween) {
      if (expr::CompareScalars(ops[1].value, ops[2].value) > 0) {
        return Status::InvalidArgument("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {" +
                                       std::string(TypeName(ops[1].value.type())) + ":" + ops[1].value.scalar() + "}, upper bound operand: AttributeValue: {" +
                                       std::string(TypeName(ops[2].value.type())) + ":" + ops[2].value.scalar() + "}");
      }
      range = {enc(ops[1].value), PrefixSuccessor(enc(ops[2].value))};
    } else if (kc.sort->kind == K::kBeginsWith) {
      std::string k = prefix;
      EncodeKeyPrefix(ops[1].value.scalar(), &k);
      range = {k, PrefixSuccessor(k)};
    } else {
      std::string k = enc(ops[1].value);
      switch (kc.sort->op) {
        case expr::CompareOp::kEq: range = {k, PrefixSuccessor(k)}; break;
        case expr::CompareOp::kLt: range.end = k; break;
        case expr::CompareOp::kLe: range.end = PrefixSuccessor(k); break;
        case expr::CompareOp::kGt: range.start = PrefixSuccessor(k); break;
        case expr::CompareOp::kGe: range.start = k; break;
        case expr::CompareOp::kNe: break;
      }
    }
  }
  return impl_->RunRange(*meta, index, range, r.scan_index_forward, r.limit, r.exclusive_start_key,
                         filter ? &*filter : nullptr, projection ? &*projection : nullptr, r.select, 0, 1);
}

Result<QueryResult> TableEngine::Scan(const ScanRequest& r) {
  ASSIGN_OR_RETURN(auto meta, impl_->Meta(r.table_name));
  const IndexMeta* index = nullptr;
  if (!r.index_name.empty()) {
    index = meta->FindIndex(r.index_name);
    if (index == nullptr) return Status::InvalidArgument("The table does not have the specified index: " + r.index_name);
  }
  if (r.total_segments < 1 || r.total_segments > 1000000 || r.segment < 0 || r.segment >= r.total_segments) {
    return Status::InvalidArgument("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
                                   std::to_string(r.segment) + " is not less than TotalSegments: " + std::to_string(r.total_segments));
  }
  if (r.limit < 0) return Status::InvalidArgument("1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  std::map<std::string, AttributeValue> values;
  for (const auto& [k, v] : r.attributes.values) {
    ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(v));
    values.emplace(k, std::move(n));
  }
  expr::Placeholders p(&r.attributes.names, &values);
  std::optional<expr::Condition> filter;
  if (!r.filter_expression.empty()) {
    ASSIGN_OR_RETURN(filter, expr::ParseCondition(r.filter_expression, "FilterExpression", &p));
  }
  ASSIGN_OR_RETURN(auto projection, ParseProjectionIfAny(r.projection_expression, &p));
  RETURN_IF_ERROR(p.CheckAllUsed());
  std::string prefix = IndexPrefix(meta->id, index ? index->id : 0);
  return impl_->RunRange(*meta, index, {prefix, PrefixSuccessor(prefix)}, true, r.limit, r.exclusive_start_key,
                         filter ? &*filter : nullptr, projection ? &*projection : nullptr, r.select, r.segment,
                         r.total_segments);
}

Result<BatchGetResult> TableEngine::BatchGetItem(const std::map<std::string, KeysAndAttributes>& request) {
  size_t total = 0;
  for (const auto& [table, ka] : request) total += ka.keys.size();
  if (total > 100) return Status::InvalidArgument("Too many items requested for the BatchGetItem call");
  if (total == 0) return Status::InvalidArgument("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  BatchGetResult result;
  for (const auto& [table, ka] : request) {
    ASSIGN_OR_RETURN(auto meta, impl_->Meta(table));
    expr::Placeholders p(&ka.attributes.names, &ka.attributes.values);
    ASSIGN_OR_RETURN(auto projection, ParseProjectionIfAny(ka.projection_expression, &p));
    RETURN_IF_ERROR(p.CheckAllUsed());
    std::set<std::string> seen;
    auto& items = result.responses[table];
    for (const auto& k : ka.keys) {
      ASSIGN_OR_RETURN(Item key, ValidateKey(*meta, k));
      std::string bytes = BaseKey(*meta, key);
      if (!seen.insert(bytes).second) return Status::InvalidArgument("Provided list of item keys contains duplicates");
      ASSIGN_OR_RETURN(std::optional<Item> item, impl_->Read(bytes));
      if (item) items.push_back(projection ? expr::Project(*item, *projection) : std::move(*item));
    }
  }
  return result;
}

Result<BatchWriteResult> TableEngine::BatchWriteItem(const std::map<std::string, std::vector<WriteRequest>>& request) {
  size_t total = 0;
  for (const auto& [table, writes] : request) total += writes.size();
  if (total > 25) {
    return Status::InvalidArgument("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: "
                                   "Map value must satisfy constraint: [Member must have length less than or equal to 25]");
  }
  if (total == 0) return Status::InvalidArgument("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  std::vector<PreparedWrite> prepared;
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const auto& [table, writes] : request) {
    for (const auto& w : writes) {
      if (w.put_item.has_value() == w.delete_key.has_value()) {
        return Status::InvalidArgument("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
      }
      ExpressionAttributes none;
      ASSIGN_OR_RETURN(PreparedWrite p, impl_->Prepare(w.put_item ? TransactWriteItem::Kind::kPut : TransactWriteItem::Kind::kDelete,
                                                       table, w.put_item ? *w.put_item : *w.delete_key, "", "", none, false));
      if (!seen.insert(p.key_bytes).second) return Status::InvalidArgument("Provided list of item keys contains duplicates");
      keys.push_back(p.key_bytes);
      prepared.push_back(std::move(p));
    }
  }
  // One atomic, synced batch: each write is atomic (more than DynamoDB promises) for one fsync.
  auto locks = impl_->LockKeys(keys);
  CommitBatch batch;
  NewValues values;
  for (auto& p : prepared) {
    ASSIGN_OR_RETURN(ItemPtr old_item, impl_->ReadLatest(p.key_bytes));
    ItemPtr new_item;
    if (p.kind == TransactWriteItem::Kind::kPut) new_item = std::make_shared<const Item>(std::move(p.item));
    impl_->Stage(&batch, *p.meta, p.key_bytes, old_item, new_item);
    values.emplace_back(p.key_bytes, std::move(new_item));
  }
  RETURN_IF_ERROR(impl_->SubmitAndWait(std::move(batch), std::move(values), &locks));
  return BatchWriteResult{};
}

Status TableEngine::TransactWriteItems(const std::vector<TransactWriteItem>& items, const std::string& token,
                                       WriteFailure* failure) {
  if (items.empty() || items.size() > 100) {
    return Status::InvalidArgument("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                                   "Member must have length less than or equal to 100 and greater than or equal to 1");
  }
  std::vector<PreparedWrite> prepared;
  std::vector<std::string> keys;
  std::string fingerprint;
  for (const auto& t : items) {
    ASSIGN_OR_RETURN(PreparedWrite p, impl_->Prepare(t.kind, t.table_name, t.kind == TransactWriteItem::Kind::kPut ? t.item : t.key,
                                                     t.update_expression, t.condition_expression, t.attributes,
                                                     t.return_old_on_condition_failure));
    if (std::find(keys.begin(), keys.end(), p.key_bytes) != keys.end()) {
      return Status::InvalidArgument("Transaction request cannot include multiple operations on one item");
    }
    if (!token.empty()) {  // only a ClientRequestToken needs the request's fingerprint
      fingerprint += std::to_string(static_cast<int>(t.kind)) + '\x1f' + p.key_bytes + '\x1f' + t.update_expression +
                     '\x1f' + t.condition_expression + '\x1f';
      EncodeItem(p.item, &fingerprint);
      for (const auto& [k, v] : t.attributes.values) {
        fingerprint += k;
        EncodeItem(Item{{k, v}}, &fingerprint);
      }
    }
    keys.push_back(p.key_bytes);
    prepared.push_back(std::move(p));
  }
  int64_t now = impl_->options.clock->NowMillis();
  if (!token.empty()) {
    std::lock_guard lock(impl_->token_mu);
    for (auto it = impl_->tokens.begin(); it != impl_->tokens.end();) {
      it = it->second.first < now ? impl_->tokens.erase(it) : std::next(it);
    }
    auto it = impl_->tokens.find(token);
    if (it != impl_->tokens.end()) {
      if (it->second.second != fingerprint) {
        return Status::AlreadyExists("Request with the same client request token but different parameters was already processed");
      }
      return Status::OK();  // already applied: idempotent success
    }
  }
  auto locks = impl_->LockKeys(keys);
  uint64_t pending = 0;
  std::vector<CancellationReason> reasons(prepared.size());
  std::vector<ItemPtr> olds(prepared.size()), news(prepared.size());
  bool cancelled = false;
  for (size_t i = 0; i < prepared.size(); ++i) {
    ASSIGN_OR_RETURN(olds[i], impl_->ReadLatest(prepared[i].key_bytes, &pending));
    bool passed;
    auto applied = impl_->Apply(prepared[i], olds[i], &passed);
    if (!applied.ok()) {
      reasons[i].code = "ValidationError";
      reasons[i].message = applied.status().message();
      cancelled = true;
      continue;
    }
    news[i] = std::move(*applied);
    if (!passed) {
      reasons[i].code = "ConditionalCheckFailed";
      reasons[i].message = "The conditional request failed";
      if (prepared[i].return_old_on_failure) reasons[i].item = CopyOf(olds[i]);
      cancelled = true;
    }
  }
  if (cancelled) {
    locks.clear();
    RETURN_IF_ERROR(impl_->commits->WaitForOther(pending));
    std::string codes;
    for (const auto& r : reasons) codes += (codes.empty() ? "" : ", ") + r.code;
    if (failure != nullptr) failure->reasons = std::move(reasons);
    return Status::ConditionFailed("Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]");
  }
  CommitBatch batch;
  NewValues values;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (prepared[i].kind == TransactWriteItem::Kind::kConditionCheck) continue;
    impl_->Stage(&batch, *prepared[i].meta, prepared[i].key_bytes, olds[i], news[i]);
    values.emplace_back(prepared[i].key_bytes, std::move(news[i]));
  }
  RETURN_IF_ERROR(impl_->SubmitAndWait(std::move(batch), std::move(values), &locks));
  if (!token.empty()) {
    std::lock_guard lock(impl_->token_mu);
    impl_->tokens[token] = {now + kTokenMillis, fingerprint};
  }
  return Status::OK();
}

Result<std::vector<std::optional<Item>>> TableEngine::TransactGetItems(const std::vector<TransactGetItem>& items) {
  if (items.empty() || items.size() > 100) {
    return Status::InvalidArgument("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
                                   "Member must have length less than or equal to 100 and greater than or equal to 1");
  }
  struct Prepared {
    std::string key;
    std::optional<std::vector<expr::Path>> projection;
  };
  std::vector<Prepared> prepared;
  for (const auto& t : items) {
    ASSIGN_OR_RETURN(auto meta, impl_->Meta(t.table_name));
    ASSIGN_OR_RETURN(Item key, ValidateKey(*meta, t.key));
    expr::Placeholders p(&t.attributes.names, &t.attributes.values);
    ASSIGN_OR_RETURN(auto projection, ParseProjectionIfAny(t.projection_expression, &p));
    RETURN_IF_ERROR(p.CheckAllUsed());
    prepared.push_back({BaseKey(*meta, key), std::move(projection)});
  }
  // One snapshot: the reads see a single point in time.
  const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
  std::vector<std::optional<Item>> out;
  Status status;
  for (const auto& p : prepared) {
    auto item = impl_->Read(p.key, snapshot);
    if (!item.ok()) {
      status = item.status();
      break;
    }
    if (*item && p.projection) *item = expr::Project(**item, *p.projection);
    out.push_back(std::move(*item));
  }
  impl_->db->ReleaseSnapshot(snapshot);
  RETURN_IF_ERROR(status);
  return out;
}

Result<int> TableEngine::Impl::ExpireOnce() {
  std::vector<std::shared_ptr<const TableMeta>> metas;
  {
    std::shared_lock lock(meta_mu);
    for (const auto& [name, meta] : tables) {
      if (!meta->desc.ttl_attribute.empty()) metas.push_back(meta);
    }
  }
  const int64_t now_seconds = options.clock->NowMillis() / 1000;
  // Like DynamoDB, values more than five years in the past are not treated as expiry times.
  const number::Decimal now = *number::Parse(std::to_string(now_seconds));
  const number::Decimal oldest = *number::Parse(std::to_string(now_seconds - 5LL * 365 * 24 * 3600));
  auto expired = [&](const Item& item, const std::string& attr) {
    auto it = item.find(attr);
    if (it == item.end() || it->second.type() != AttributeValue::Type::kN) return false;
    auto d = number::Parse(it->second.scalar());
    return d.ok() && number::Compare(*d, now) < 0 && number::Compare(*d, oldest) >= 0;
  };
  int deleted = 0;
  int64_t budget = std::max(1, options.ttl_items_per_pass);
  // Examines [from, to) of one table's rows within the budget; returns the
  // key to continue from, or "" when it reached `to`.
  auto sweep = [&](const TableMeta& meta, const std::string& from, const std::string& to) -> Result<std::string> {
    rocksdb::ReadOptions ro;
    rocksdb::Slice upper(to);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->Seek(from); it->Valid(); it->Next()) {
      if (budget-- <= 0) return it->key().ToString();
      ASSIGN_OR_RETURN(Item item, DecodeItem(std::string_view(it->value().data(), it->value().size())));
      if (!expired(item, meta.desc.ttl_attribute)) continue;
      std::string key = it->key().ToString();
      auto locks = LockKeys({key});
      // Re-check under the lock: the item may have been rewritten meanwhile.
      ASSIGN_OR_RETURN(ItemPtr current, ReadLatest(key));
      if (!current || !expired(*current, meta.desc.ttl_attribute)) continue;
      CommitBatch batch;
      Stage(&batch, meta, key, current, nullptr);
      NewValues values;
      values.emplace_back(key, nullptr);
      RETURN_IF_ERROR(SubmitAndWait(std::move(batch), std::move(values), &locks));
      ++deleted;
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "ttl scan"));
    return std::string();
  };
  for (const auto& meta : metas) {
    if (budget <= 0) break;
    std::string prefix = IndexPrefix(meta->id, 0);
    std::string end = PrefixSuccessor(prefix);
    std::string& cursor = ttl_cursors[meta->id];
    std::string from = cursor.empty() ? prefix : cursor;
    ASSIGN_OR_RETURN(cursor, sweep(*meta, from, end));
    // Wrapped around: the part before where this pass started, if budget is left.
    if (cursor.empty() && from != prefix) {
      ASSIGN_OR_RETURN(cursor, sweep(*meta, prefix, from));
    }
  }
  return deleted;
}

int64_t TableEngine::BackgroundBytesLimited() const {
  return impl_->background_writes ? impl_->background_writes->GetTotalBytesThrough() : 0;
}

Result<int> TableEngine::ExpireTtlOnce() { return impl_->ExpireOnce(); }

void TableEngine::SetChangeListener(ChangeListener* listener) {
  std::lock_guard lock(impl_->listener_mu);
  impl_->listener = listener;
}

Result<std::vector<ChangeRecord>> TableEngine::ReadChanges(uint64_t after, size_t limit) {
  std::vector<ChangeRecord> out;
  std::string start = ChangeKey(after + 1);
  std::string end = ChangeKey(UINT64_MAX);
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(end);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro));
  for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
    ASSIGN_OR_RETURN(ChangeRecord r, DecodeChange(ChangeSequenceOf(it->key().ToStringView()),
                                                  std::string_view(it->value().data(), it->value().size())));
    out.push_back(std::move(r));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read change feed"));
  return out;
}

Result<ChangeCursor> TableEngine::LoadChangeCursor() { return impl_->LoadCursor(); }

Status TableEngine::AckChanges(const std::vector<uint64_t>& forwarded,
                               const std::map<std::string, std::string>& positions) {
  if (forwarded.empty()) return Status::OK();
  const uint64_t through = forwarded.back();
  Item positions_item;
  for (const auto& [k, v] : positions) positions_item[k] = AttributeValue::S(v);
  Item cursor = {{"through", AttributeValue::N(std::to_string(through))},
                 {"positions", AttributeValue::M(std::move(positions_item))}};
  std::string value;
  EncodeItem(cursor, &value);
  rocksdb::WriteBatch batch;
  batch.Put(kChangeCursorKey, value);
  // Point deletes, not a range: range tombstones in the memtable would tax every read.
  for (uint64_t seq : forwarded) batch.Delete(ChangeKey(seq));
  rocksdb::WriteOptions wo;
  wo.sync = impl_->options.sync_writes;
  return FromRocks(impl_->db->Write(wo, &batch), "change cursor");
}

}  // namespace table
