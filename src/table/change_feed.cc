#include "table/change_feed.h"

#include "common/fnv1a.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "table/table_engine.h"

namespace table {
namespace {

constexpr size_t kBatchRecords = 500;               // Kinesis' PutRecords limit
constexpr size_t kMaxRecordBytes = 1024 * 1024;     // Kinesis' record limit

// The record is stored as an Item of short fixed attribute names, so the
// item encoding (attribute_value.h) is the only binary format.
AttributeValue Str(std::string s) { return AttributeValue::S(std::move(s)); }

std::string PartitionKey(const std::string& key_bytes) {
  uint64_t h = common::Fnv1a(key_bytes);  // the same item, the same key
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace

void EncodeChange(const ChangeRecord& r, std::string* out) {
  Item item = {{"t", Str(r.table_name)},
               {"e", Str(r.event_name)},
               {"v", Str(std::string(StreamViewTypeName(r.view_type)))},
               {"l", Str(r.stream_label)},
               {"k", AttributeValue::M(r.keys)},
               {"z", AttributeValue::N(std::to_string(r.size_bytes))},
               {"a", AttributeValue::N(std::to_string(r.created_millis))},
               {"p", AttributeValue::B(r.key_bytes)}};
  if (r.new_image) item["n"] = AttributeValue::M(*r.new_image);
  if (r.old_image) item["o"] = AttributeValue::M(*r.old_image);
  EncodeItem(item, out);
}

Result<ChangeRecord> DecodeChange(uint64_t sequence, std::string_view bytes) {
  ASSIGN_OR_RETURN(Item item, DecodeItem(bytes));
  ChangeRecord r;
  r.sequence = sequence;
  auto get = [&](const char* name) -> const AttributeValue* {
    auto it = item.find(name);
    return it == item.end() ? nullptr : &it->second;
  };
  const AttributeValue *t = get("t"), *e = get("e"), *v = get("v"), *l = get("l"), *k = get("k"), *z = get("z"),
                       *a = get("a"), *p = get("p");
  if (!t || !e || !v || !l || !k || !z || !a || !p || !ParseStreamViewType(v->scalar(), &r.view_type)) {
    return Status::Corruption("change record " + std::to_string(sequence) + " lacks a field");
  }
  r.table_name = t->scalar();
  r.event_name = e->scalar();
  r.stream_label = l->scalar();
  r.keys = k->map();
  r.size_bytes = std::stoll(z->scalar());
  r.created_millis = std::stoll(a->scalar());
  r.key_bytes = p->scalar();
  if (auto* n = get("n")) r.new_image = n->map();
  if (auto* o = get("o")) r.old_image = o->map();
  return r;
}

ChangeForwarder::ChangeForwarder(TableEngine* tables, stream::StreamClient* streams, ChangeFormat format)
    : tables_(tables), streams_(streams), format_(std::move(format)) {}

ChangeForwarder::~ChangeForwarder() {
  tables_->SetChangeListener(nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ChangeForwarder::Start(int poll_millis) {
  tables_->SetChangeListener(this);
  // Streams of tables that have one enabled, so consumers can attach before the first write.
  std::string last;
  std::string start;
  do {
    last.clear();
    ASSIGN_OR_RETURN(auto names, tables_->ListTables(start, 100, &last));
    for (const auto& name : names) {
      auto d = tables_->DescribeTable(name);
      if (d.ok() && d->stream_specification.enabled) RETURN_IF_ERROR(EnsureStream(ChangeStreamName(name)));
    }
    start = last;
  } while (!last.empty());
  if (poll_millis > 0) thread_ = std::thread([this, poll_millis] {
    common::NameThisThread("change-feed");
    Loop(poll_millis);
  });
  return Status::OK();
}

void ChangeForwarder::OnChanges() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

Status ChangeForwarder::OnStreamEnabled(const std::string& table_name) {
  return EnsureStream(ChangeStreamName(table_name));
}

Status ChangeForwarder::EnsureStream(const std::string& stream_name) {
  Status s = streams_->CreateStream(stream_name, 1, stream::StreamMode::kProvisioned);
  if (s.ok() || s.code() == Status::Code::kResourceInUse) return Status::OK();
  return s;
}

void ChangeForwarder::Loop(int poll_millis) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(poll_millis), [&] { return wake_ || stopping_; });
    if (stopping_) break;
    wake_ = false;
    lock.unlock();
    Status s = ForwardOnce();
    if (!s.ok()) spdlog::warn("table change feed: {} (retrying)", s.ToString());
    lock.lock();
  }
}

Result<std::set<uint64_t>> ChangeForwarder::SequencesInStreamTail(const std::string& stream_name,
                                                                   const std::string& position) {
  std::set<uint64_t> found;
  auto description = streams_->DescribeStream(stream_name);
  if (!description.ok()) {
    if (description.status().code() == Status::Code::kNotFound) return found;
    return description.status();
  }
  // position: "<shard id> <sequence number>" of the last record we know we wrote.
  std::string pos_shard, pos_seq;
  if (auto space = position.find(' '); space != std::string::npos) {
    pos_shard = position.substr(0, space);
    pos_seq = position.substr(space + 1);
  }
  for (const auto& shard : description->shards) {
    stream::IteratorRequest request;
    request.stream_name = stream_name;
    request.shard_id = shard.shard_id;
    if (shard.shard_id == pos_shard) {
      request.type = stream::IteratorType::kAfterSequenceNumber;
      request.sequence_number = pos_seq;
    }
    ASSIGN_OR_RETURN(std::string iterator, streams_->GetShardIterator(request));
    while (!iterator.empty()) {
      ASSIGN_OR_RETURN(auto page, streams_->GetRecords(iterator, 10000));
      for (const auto& record : page.records) {
        if (auto seq = format_.sequence_of(record.data)) found.insert(*seq);
      }
      if (page.records.empty()) break;
      iterator = page.next_shard_iterator;
    }
  }
  return found;
}

Status ChangeForwarder::ForwardOnce() {
  std::lock_guard forward_lock(forward_mu_);
  while (true) {
    ASSIGN_OR_RETURN(ChangeCursor cursor, tables_->LoadChangeCursor());
    ASSIGN_OR_RETURN(std::vector<ChangeRecord> records, tables_->ReadChanges(cursor.through, kBatchRecords));
    if (records.empty()) return Status::OK();
    // Per stream, in sequence order.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ChangeRecord*>> by_stream;
    for (const auto& r : records) {
      std::string name = ChangeStreamName(r.table_name);
      if (!by_stream.count(name)) order.push_back(name);
      by_stream[name].push_back(&r);
    }
    for (const auto& name : order) {
      if (!checked_tails_.count(name)) {
        ASSIGN_OR_RETURN(auto sent, SequencesInStreamTail(name, cursor.positions[name]));
        already_sent_.insert(sent.begin(), sent.end());
        checked_tails_.insert(name);
      }
      std::vector<stream::PutEntry> entries;
      std::vector<uint64_t> sequences;
      for (const ChangeRecord* r : by_stream[name]) {
        if (already_sent_.count(r->sequence)) continue;
        std::string data = format_.encode(*r);
        if (data.size() > kMaxRecordBytes) {
          // Too big for a stream record (two 400 KB images): keep the record, drop the images.
          ChangeRecord keys_only = *r;
          keys_only.view_type = StreamViewType::kKeysOnly;
          keys_only.new_image.reset();
          keys_only.old_image.reset();
          data = format_.encode(keys_only);
        }
        entries.push_back({PartitionKey(r->key_bytes), std::nullopt, std::move(data)});
        sequences.push_back(r->sequence);
      }
      if (entries.empty()) continue;
      for (int attempt = 0;; ++attempt) {
        auto result = streams_->PutRecordsAndWait(name, entries);
        if (!result.ok()) {
          if (result.status().code() == Status::Code::kNotFound && attempt == 0) {
            RETURN_IF_ERROR(EnsureStream(name));  // deleted by someone: recreate, like enabling
            continue;
          }
          return result.status();
        }
        // Entries that went in are remembered even if a later one was refused
        // (throttling), so that the retry does not repeat them.
        Status refused;
        for (size_t i = 0; i < result->size(); ++i) {
          const auto& one = (*result)[i];
          if (one.ok()) {
            already_sent_.insert(sequences[i]);
            cursor.positions[name] = one->shard_id + " " + one->sequence_number;
          } else if (refused.ok()) {
            refused = one.status();
          }
        }
        if (!refused.ok()) return refused;
        break;
      }
    }
    uint64_t through = records.back().sequence;
    std::vector<uint64_t> forwarded;
    for (const auto& r : records) forwarded.push_back(r.sequence);
    RETURN_IF_ERROR(tables_->AckChanges(forwarded, cursor.positions));
    already_sent_.erase(already_sent_.begin(), already_sent_.upper_bound(through));
  }
}

}  // namespace table
