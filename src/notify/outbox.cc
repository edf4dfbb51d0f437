#include "notify/outbox.h"

#include <set>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/fnv1a.h"
#include "common/sha256.h"
#include "common/thread_name.h"

namespace notify {

using table::AttributeValue;
using table::Item;

namespace {

constexpr size_t kMaxIdBytes = 1024;
constexpr size_t kMaxActions = 100;  // TransactWriteItems' limit

// Which of `partitions` dispatcher threads owns an entry.
int PartitionOf(std::string_view id, int partitions) {
  return static_cast<int>(common::Fnv1a(id) % static_cast<uint64_t>(partitions));
}

// The same update as a single write.
table::UpdateItemRequest AsUpdateRequest(table::TransactWriteItem action) {
  table::UpdateItemRequest update;
  update.table_name = std::move(action.table_name);
  update.key = std::move(action.key);
  update.update_expression = std::move(action.update_expression);
  update.condition_expression = std::move(action.condition_expression);
  update.attributes = std::move(action.attributes);
  return update;
}

// Commits `actions` in transactions of up to kMaxActions; an action whose
// condition fails is dropped and the rest of its transaction retried (each
// round drops at least one, so this ends). The indexes of the committed ones.
Result<std::vector<size_t>> CommitSkippingFailed(std::vector<table::TransactWriteItem> actions,
                                                 table::TableClient* tables) {
  std::vector<size_t> committed;
  for (size_t start = 0; start < actions.size(); start += kMaxActions) {
    // Moved, not copied (each holds a rendered email): the call only reads
    // the batch, so a retry moves the rest out of it again.
    std::vector<size_t> chunk;
    std::vector<table::TransactWriteItem> batch;
    for (size_t i = start; i < std::min(actions.size(), start + kMaxActions); ++i) {
      chunk.push_back(i);
      batch.push_back(std::move(actions[i]));
    }
    while (!chunk.empty()) {
      table::WriteFailure failure;
      Status s = tables->TransactWriteItems(batch, "", &failure);
      if (s.ok()) {
        committed.insert(committed.end(), chunk.begin(), chunk.end());
        break;
      }
      if (!s.IsConditionFailed()) return s;
      std::vector<size_t> rest;
      std::vector<table::TransactWriteItem> rest_batch;
      for (size_t k = 0; k < chunk.size(); ++k) {
        bool failed = k < failure.reasons.size() && failure.reasons[k].code == "ConditionalCheckFailed";
        if (failed) continue;
        rest.push_back(chunk[k]);
        rest_batch.push_back(std::move(batch[k]));
      }
      if (rest.size() == chunk.size()) return s;
      chunk = std::move(rest);
      batch = std::move(rest_batch);
    }
  }
  return committed;
}

AttributeValue Num(int64_t v) { return AttributeValue::N(std::to_string(v)); }

std::string GetS(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.type() == AttributeValue::Type::kS ? it->second.scalar() : "";
}

int64_t GetN(const Item& item, const std::string& name) {
  auto it = item.find(name);
  if (it == item.end() || it->second.type() != AttributeValue::Type::kN) return 0;
  return std::strtoll(it->second.scalar().c_str(), nullptr, 10);
}

void PutS(Item* item, const std::string& name, const std::string& value) {
  if (!value.empty()) (*item)[name] = AttributeValue::S(value);
}

Result<OutboxEntry> FromItem(const Item& item, const BodyCodec& bodies) {
  OutboxEntry entry;
  entry.id = GetS(item, "id");
  if (!ParseStateName(GetS(item, "state"), &entry.state)) {
    return Status::Corruption(fmt::format("outbox entry '{}' has state '{}'", entry.id, GetS(item, "state")));
  }
  entry.attempts = static_cast<int>(GetN(item, "attempts"));
  if (entry.state == OutboxState::kQueued) entry.next_attempt_millis = GetN(item, "due_millis");
  entry.last_error = GetS(item, "last_error");
  entry.created_millis = GetN(item, "created_millis");
  entry.sent_millis = GetN(item, "sent_millis");
  entry.updated_millis = GetN(item, "updated_millis");
  Email& email = entry.email;
  email.from = {GetS(item, "from_name"), GetS(item, "from_address")};
  email.to = {GetS(item, "to_name"), GetS(item, "to_address")};
  email.subject = GetS(item, "subject");
  RETURN_IF_ERROR(bodies.Unpack(item, &email).WithContext("outbox entry " + entry.id));
  email.message_id = GetS(item, "message_id");
  if (auto it = item.find("headers"); it != item.end() && it->second.type() == AttributeValue::Type::kL) {
    for (const AttributeValue& header : it->second.list()) {
      email.headers.emplace_back(GetS(header.map(), "name"), GetS(header.map(), "value"));
    }
  }
  return entry;
}

// Names of every attribute used in expressions ("state" is a reserved word,
// and placeholders everywhere keep it simple).
std::map<std::string, std::string> Names() {
  return {{"#id", "id"}, {"#state", "state"}, {"#attempts", "attempts"}, {"#due", "due_millis"},
          {"#updated", "updated_millis"}, {"#error", "last_error"}, {"#sent", "sent_millis"},
          {"#inflight", "in_flight"}};
}

std::map<std::string, std::string> NamesFor(std::initializer_list<const char*> keys) {
  auto all = Names();
  std::map<std::string, std::string> out;
  for (const char* key : keys) out[key] = all.at(key);
  return out;
}

}  // namespace

std::string_view StateName(OutboxState state) {
  switch (state) {
    case OutboxState::kQueued: return "QUEUED";
    case OutboxState::kSent: return "SENT";
    case OutboxState::kFailed: return "FAILED";
  }
  return "QUEUED";
}

bool ParseStateName(std::string_view name, OutboxState* state) {
  if (name == "QUEUED") *state = OutboxState::kQueued;
  else if (name == "SENT") *state = OutboxState::kSent;
  else if (name == "FAILED") *state = OutboxState::kFailed;
  else return false;
  return true;
}

std::string MessageIdFor(std::string_view entry_id) {
  return "<" + common::Sha256Hex(entry_id).substr(0, 40) + "@rivulet>";
}

nlohmann::json ToJson(const OutboxEntry& entry) {
  nlohmann::json j = {
      {"id", entry.id},
      {"state", StateName(entry.state)},
      {"attempts", entry.attempts},
      {"lastError", entry.last_error},
      {"messageId", entry.email.message_id},
      {"to", entry.email.to.address},
      {"subject", entry.email.subject},
      {"createdAt", entry.created_millis},
      {"updatedAt", entry.updated_millis},
  };
  j["nextAttemptAt"] = entry.state == OutboxState::kQueued ? nlohmann::json(entry.next_attempt_millis) : nullptr;
  j["sentAt"] = entry.sent_millis != 0 ? nlohmann::json(entry.sent_millis) : nullptr;
  return j;
}

// --- Outbox ---

Result<std::unique_ptr<Outbox>> Outbox::Open(table::TableClient* tables, OutboxOptions options) {
  table::CreateTableRequest create;
  create.table_name = options.table_name;
  create.key_schema = {{"id", table::KeyType::kHash}};
  create.attribute_definitions = {{"id", AttributeValue::Type::kS},
                                  {"state", AttributeValue::Type::kS},
                                  {"due_millis", AttributeValue::Type::kN}};
  table::GlobalSecondaryIndex index;
  index.index_name = kStateIndex;
  index.key_schema = {{"state", table::KeyType::kHash}, {"due_millis", table::KeyType::kRange}};
  // Only what the dispatcher needs to pick and claim entries: a copy of the
  // whole email in the index would double the bytes of every state change
  // (an HTML email is ~6 KiB). Claim reads the email from the item itself.
  // (Outboxes created before this have an ALL projection; both work.)
  index.projection = {table::ProjectionType::kInclude, {"attempts", "in_flight"}};
  create.global_secondary_indexes = {index};
  auto created = tables->CreateTable(create);
  if (!created.ok() && created.status().code() != Status::Code::kResourceInUse) {
    return created.status().WithContext("creating outbox table " + options.table_name);
  }
  std::string sample = std::move(options.dictionary_sample);
  std::unique_ptr<Outbox> outbox(new Outbox(tables, std::move(options)));
  if (!sample.empty()) RETURN_IF_ERROR(outbox->bodies_.UseDictionary(sample));
  return outbox;
}

Result<table::TransactWriteItem> Outbox::MakeEnqueueAction(const std::string& id, Email email) const {
  ASSIGN_OR_RETURN(Item item, EntryItem(id, &email, 0));
  return EntryAction(std::move(item));
}

Status Outbox::Prepare(const std::string& id, Email* email) const {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return Status::InvalidArgument(fmt::format("outbox id is {} bytes; it must be 1 to {}", id.size(), kMaxIdBytes));
  }
  if (email->message_id.empty()) email->message_id = MessageIdFor(id);
  return ValidateEmail(*email).WithContext("outbox entry " + id);
}

// A new entry of a Prepare()d email. A SENT one keeps no bodies (see
// FinishAction).
Result<Item> Outbox::NewItem(const std::string& id, const Email& email, OutboxState state, int attempts,
                             int64_t due_millis, const std::string& error) const {
  int64_t now = options_.clock->NowMillis();
  Item item;
  item["id"] = AttributeValue::S(id);
  item["state"] = AttributeValue::S(std::string(StateName(state)));
  item["attempts"] = Num(attempts);
  item["due_millis"] = Num(state == OutboxState::kQueued ? due_millis : now);
  item["created_millis"] = Num(now);
  item["updated_millis"] = Num(now);
  if (state == OutboxState::kSent) item["sent_millis"] = Num(now);
  PutS(&item, "last_error", error.substr(0, 1000));
  PutS(&item, "from_name", email.from.name);
  PutS(&item, "from_address", email.from.address);
  PutS(&item, "to_name", email.to.name);
  PutS(&item, "to_address", email.to.address);
  PutS(&item, "subject", email.subject);
  PutS(&item, "message_id", email.message_id);
  if (state == OutboxState::kSent) return item;
  RETURN_IF_ERROR(bodies_.Pack(email, &item));
  if (!email.headers.empty()) {
    std::vector<AttributeValue> headers;
    for (const auto& [name, value] : email.headers) {
      headers.push_back(AttributeValue::M({{"name", AttributeValue::S(name)}, {"value", AttributeValue::S(value)}}));
    }
    item["headers"] = AttributeValue::L(std::move(headers));
  }
  return item;
}

// A new entry: QUEUED and due now, or (claim_until_millis > 0) claimed by
// this process until then. Fills in `email`'s Message-ID when it has none.
Result<Item> Outbox::EntryItem(const std::string& id, Email* email, int64_t claim_until_millis) const {
  RETURN_IF_ERROR(Prepare(id, email));
  bool claimed = claim_until_millis > 0;
  ASSIGN_OR_RETURN(Item item, NewItem(id, *email, OutboxState::kQueued, claimed ? 1 : 0,
                                      claimed ? claim_until_millis : options_.clock->NowMillis(), ""));
  if (claimed) item["in_flight"] = AttributeValue::Bool(true);
  return item;
}

table::TransactWriteItem Outbox::EntryAction(Item item) const {
  table::TransactWriteItem action;
  action.kind = table::TransactWriteItem::Kind::kPut;
  action.table_name = options_.table_name;
  action.item = std::move(item);
  action.condition_expression = "attribute_not_exists(#id)";
  action.attributes.names = NamesFor({"#id"});
  return action;
}

bool Outbox::IsAlreadyEnqueued(const table::WriteFailure& failure, size_t action_index) {
  return action_index < failure.reasons.size() &&
         failure.reasons[action_index].code == "ConditionalCheckFailed";
}

Status Outbox::Enqueue(const std::string& id, Email email, bool* created) {
  ASSIGN_OR_RETURN(table::TransactWriteItem action, MakeEnqueueAction(id, std::move(email)));
  table::PutItemRequest put;
  put.table_name = action.table_name;
  put.item = std::move(action.item);
  put.condition_expression = std::move(action.condition_expression);
  put.attributes = std::move(action.attributes);
  auto written = tables_->PutItem(put);
  if (!written.ok() && written.status().IsConditionFailed()) {
    counters_.duplicates.fetch_add(1);
    if (created != nullptr) *created = false;
    return Status::OK();
  }
  RETURN_IF_ERROR(written.status().WithContext("enqueueing email " + id));
  if (created != nullptr) *created = true;
  OutboxEntry entry;
  entry.id = id;
  Notify(1, {entry});
  return Status::OK();
}

Result<int> Outbox::EnqueueMany(std::vector<std::pair<std::string, Email>> emails, table::TableClient* writer) {
  if (writer == nullptr) writer = tables_;
  int64_t lease_millis;
  {
    std::lock_guard lock(hook_mu_);
    lease_millis = claim_lease_millis_;
  }
  int64_t claim_until = lease_millis > 0 ? options_.clock->NowMillis() + lease_millis : 0;
  std::vector<table::TransactWriteItem> actions;
  std::vector<OutboxEntry> entries;  // what the dispatcher gets, per action
  std::set<std::string> ids;
  for (auto& [id, email] : emails) {
    ASSIGN_OR_RETURN(Item item, EntryItem(id, &email, claim_until));
    if (!ids.insert(id).second) {
      counters_.duplicates.fetch_add(1);
      continue;
    }
    OutboxEntry entry;
    entry.id = id;
    if (claim_until > 0) {  // as EntryItem wrote it
      entry.attempts = 1;
      entry.next_attempt_millis = claim_until;
      entry.created_millis = entry.updated_millis = GetN(item, "created_millis");
      entry.email = std::move(email);
    }
    entries.push_back(std::move(entry));
    actions.push_back(EntryAction(std::move(item)));
  }
  // A redelivered batch finds some entries written: those are skipped.
  auto committed = CommitSkippingFailed(std::move(actions), writer);
  if (!committed.ok()) return committed.status().WithContext("enqueueing emails");
  counters_.duplicates.fetch_add(entries.size() - committed->size());
  std::vector<OutboxEntry> created;
  for (size_t i : *committed) created.push_back(std::move(entries[i]));
  if (!created.empty()) Notify(static_cast<int>(created.size()), created);
  return static_cast<int>(created.size());
}

Result<std::set<std::string>> Outbox::Existing(const std::vector<std::string>& ids, table::TableClient* reader) {
  if (reader == nullptr) reader = tables_;
  std::set<std::string> existing;
  for (size_t start = 0; start < ids.size(); start += kMaxActions) {
    std::vector<table::TransactGetItem> gets;
    for (size_t i = start; i < std::min(ids.size(), start + kMaxActions); ++i) {
      gets.push_back({options_.table_name, {{"id", AttributeValue::S(ids[i])}}, "#id", {}});
      gets.back().attributes.names = NamesFor({"#id"});
    }
    ASSIGN_OR_RETURN(std::vector<std::optional<Item>> items, reader->TransactGetItems(gets));
    for (const auto& item : items) {
      if (item) existing.insert(GetS(*item, "id"));
    }
  }
  return existing;
}

Status Outbox::CheckMayRecord(const std::vector<std::string>& ids, table::TableClient* writer) const {
  std::vector<table::TransactWriteItem> actions;
  for (const std::string& id : ids) actions.push_back(EntryAction({{"id", AttributeValue::S(id)}}));
  return (writer != nullptr ? writer : tables_)->CheckTransactWriteItems(actions);
}

Result<int> Outbox::Record(const std::vector<Outcome>& outcomes, table::TableClient* writer) {
  if (writer == nullptr) writer = tables_;
  std::vector<table::TransactWriteItem> actions;
  for (const Outcome& outcome : outcomes) {
    ASSIGN_OR_RETURN(Item item, NewItem(outcome.id, outcome.email, outcome.state, outcome.attempts,
                                        outcome.due_millis, outcome.error));
    actions.push_back(EntryAction(std::move(item)));
  }
  auto committed = CommitSkippingFailed(std::move(actions), writer);
  if (!committed.ok()) return committed.status().WithContext("recording emails");
  counters_.duplicates.fetch_add(outcomes.size() - committed->size());
  int queued = 0;
  for (size_t i : *committed) {
    switch (outcomes[i].state) {
      case OutboxState::kSent: counters_.sent.fetch_add(1); break;
      case OutboxState::kFailed: counters_.failed.fetch_add(1); break;
      case OutboxState::kQueued:
        ++queued;
        if (outcomes[i].attempts > 0) counters_.retries.fetch_add(1);
        break;
    }
  }
  counters_.enqueued.fetch_add(committed->size());
  // The dispatcher's threads find queued entries by a scan (they may be due
  // later: a retry, or the end of a pause).
  if (queued > 0) Notify(0, {});
  return static_cast<int>(committed->size());
}

void Outbox::NotifyEnqueued(int count) { Notify(count, {}); }

void Outbox::Notify(int count, const std::vector<OutboxEntry>& entries) {
  counters_.enqueued.fetch_add(static_cast<uint64_t>(count));
  // Called under the lock so that SetWakeHook(nullptr) in ~Dispatcher waits
  // for a call in progress. The hook only signals condition variables.
  std::lock_guard lock(hook_mu_);
  if (wake_hook_) wake_hook_(entries);
}

void Outbox::SetClaimLease(int64_t millis) {
  std::lock_guard lock(hook_mu_);
  claim_lease_millis_ = wake_hook_ ? millis : 0;
}

void Outbox::SetWakeHook(WakeHook hook) {
  std::lock_guard lock(hook_mu_);
  wake_hook_ = std::move(hook);
  claim_lease_millis_ = 0;
}

Result<std::optional<OutboxEntry>> Outbox::Get(const std::string& id) {
  table::GetItemRequest get;
  get.table_name = options_.table_name;
  get.key = {{"id", AttributeValue::S(id)}};
  get.consistent_read = true;
  ASSIGN_OR_RETURN(std::optional<Item> item, tables_->GetItem(get));
  if (!item) return std::optional<OutboxEntry>();
  ASSIGN_OR_RETURN(OutboxEntry entry, FromItem(*item, bodies_));
  return std::optional<OutboxEntry>(std::move(entry));
}

Result<table::QueryResult> Outbox::QueryState(OutboxState state, std::optional<int64_t> due_at_most, bool forward,
                                               int limit, table::Select select,
                                               const std::optional<table::Item>& start, int64_t due_at_least) {
  table::QueryRequest query;
  query.table_name = options_.table_name;
  query.index_name = kStateIndex;
  if (due_at_least > 0) {
    query.key_condition_expression = "#state = :state AND #due BETWEEN :low AND :due";
    query.attributes.names = NamesFor({"#state", "#due"});
    query.attributes.values[":low"] = Num(due_at_least);
    query.attributes.values[":due"] = Num(due_at_most.value_or(std::numeric_limits<int64_t>::max() / 2));
  } else {
    query.key_condition_expression = due_at_most ? "#state = :state AND #due <= :due" : "#state = :state";
    query.attributes.names = due_at_most ? NamesFor({"#state", "#due"}) : NamesFor({"#state"});
    if (due_at_most) query.attributes.values[":due"] = Num(*due_at_most);
  }
  query.attributes.values[":state"] = AttributeValue::S(std::string(StateName(state)));
  query.scan_index_forward = forward;
  query.limit = limit;
  query.select = select;
  query.exclusive_start_key = start;
  return tables_->Query(query);
}

Result<std::vector<OutboxEntry>> Outbox::List(OutboxState state, int limit) {
  if (limit < 1 || limit > 1000) {
    return Status::InvalidArgument(fmt::format("limit is {}; it must be 1 to 1000", limit));
  }
  ASSIGN_OR_RETURN(table::QueryResult result,
                   QueryState(state, std::nullopt, state == OutboxState::kQueued, limit));
  std::vector<OutboxEntry> entries;
  for (const Item& item : result.items) {
    if (item.count("created_millis") == 0) {
      // The index holds only keys and attempts (see Open): read the item.
      ASSIGN_OR_RETURN(std::optional<OutboxEntry> entry, Get(GetS(item, "id")));
      if (entry) entries.push_back(std::move(*entry));
      continue;
    }
    ASSIGN_OR_RETURN(OutboxEntry entry, FromItem(item, bodies_));
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<int64_t> Outbox::Count(OutboxState state, int64_t at_most) {
  int64_t count = 0;
  std::optional<Item> start;
  do {
    // A query's Limit is an int; pages of at most 1,000,000 keys.
    int limit = static_cast<int>(std::min<int64_t>(at_most - count, 1'000'000));
    ASSIGN_OR_RETURN(table::QueryResult page,
                     QueryState(state, std::nullopt, true, limit, table::Select::kCount, start));
    count += page.count;
    start = page.last_evaluated_key;
  } while (start && count < at_most);
  return count;
}

// Why a floor: every entry that leaves QUEUED deletes its state-due index
// key, and RocksDB keeps those deletions as tombstones until compaction. A
// query from the start of the QUEUED range walks all of them, so under a
// steady stream of emails each dispatcher pass cost O(emails sent lately).
// Entries are enqueued (and re-queued) due "now", so the earliest due entry
// only moves forward: queries start a margin below the earliest due seen. A
// full scan every kFullScanMillis catches an entry whose write took longer
// than the margin.
namespace {
constexpr int64_t kFloorMarginMillis = 2'000;
constexpr int64_t kFullScanMillis = 5'000;
}  // namespace

int64_t Outbox::ScanFloor(int64_t now) {
  std::lock_guard lock(floor_mu_);
  if (now - last_full_scan_millis_ >= kFullScanMillis || now < last_full_scan_millis_) {
    last_full_scan_millis_ = now;
    return 0;
  }
  return due_floor_;
}

void Outbox::NoteEarliestDue(int64_t earliest_due, int64_t now, bool full_scan) {
  // Never above now - margin: an entry enqueued from now on is due >= now.
  int64_t floor = std::min(earliest_due, now) - kFloorMarginMillis;
  std::lock_guard lock(floor_mu_);
  due_floor_ = full_scan ? floor : std::max(due_floor_, floor);
}

Result<std::vector<OutboxEntry>> Outbox::Due(int64_t now_millis, int limit) {
  int64_t floor = ScanFloor(now_millis);
  ASSIGN_OR_RETURN(table::QueryResult result,
                   QueryState(OutboxState::kQueued, now_millis, true, limit, table::Select::kAllAttributes,
                              std::nullopt, floor));
  if (!result.items.empty()) NoteEarliestDue(GetN(result.items.front(), "due_millis"), now_millis, floor == 0);
  std::vector<OutboxEntry> entries;
  for (const Item& item : result.items) {
    ASSIGN_OR_RETURN(OutboxEntry entry, FromItem(item, bodies_));
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::optional<int64_t>> Outbox::NextDue(int64_t horizon_millis,
                                               const std::function<bool(const std::string& id)>& mine) {
  int64_t now = options_.clock->NowMillis();
  int64_t floor = ScanFloor(now);
  ASSIGN_OR_RETURN(table::QueryResult result, QueryState(OutboxState::kQueued, horizon_millis, true, mine ? 200 : 1,
                                                         table::Select::kAllAttributes, std::nullopt, floor));
  if (result.items.empty()) return std::optional<int64_t>();
  NoteEarliestDue(GetN(result.items.front(), "due_millis"), now, floor == 0);
  for (const Item& item : result.items) {
    if (!mine || mine(GetS(item, "id"))) return std::optional<int64_t>(GetN(item, "due_millis"));
  }
  return std::optional<int64_t>();
}

table::TransactWriteItem Outbox::ClaimAction(const std::string& id, int attempts, int64_t lease_until_millis) const {
  table::TransactWriteItem update;
  update.kind = table::TransactWriteItem::Kind::kUpdate;
  update.table_name = options_.table_name;
  update.key = {{"id", AttributeValue::S(id)}};
  update.update_expression = "SET #attempts = :next, #due = :lease, #updated = :now, #inflight = :true";
  update.condition_expression = "#state = :queued AND #attempts = :seen";
  update.attributes.names = NamesFor({"#attempts", "#due", "#updated", "#state", "#inflight"});
  update.attributes.values = {{":next", Num(attempts + 1)},
                              {":true", AttributeValue::Bool(true)},
                              {":lease", Num(lease_until_millis)},
                              {":now", Num(options_.clock->NowMillis())},
                              {":queued", AttributeValue::S("QUEUED")},
                              {":seen", Num(attempts)}};
  return update;
}

Result<std::optional<OutboxEntry>> Outbox::Claim(const OutboxEntry& entry, int64_t lease_until_millis) {
  table::UpdateItemRequest update = AsUpdateRequest(ClaimAction(entry.id, entry.attempts, lease_until_millis));
  // The claimed item, email included: `entry` may come from the index,
  // which holds only the keys and the attempt count.
  update.return_values = table::ReturnValues::kAllNew;
  auto updated = tables_->UpdateItem(update);
  if (!updated.ok() && updated.status().IsConditionFailed()) return std::optional<OutboxEntry>();
  RETURN_IF_ERROR(updated.status().WithContext("claiming outbox entry " + entry.id));
  if (!updated->attributes) return Status::Internal("claiming outbox entry " + entry.id + ": no item returned");
  ASSIGN_OR_RETURN(OutboxEntry claimed, FromItem(*updated->attributes, bodies_));
  return std::optional<OutboxEntry>(std::move(claimed));
}

table::TransactWriteItem Outbox::FinishAction(const OutboxEntry& claimed, OutboxState state, int64_t due_millis,
                                              const std::string& error) const {
  int64_t now = options_.clock->NowMillis();
  table::TransactWriteItem update;
  update.kind = table::TransactWriteItem::Kind::kUpdate;
  update.table_name = options_.table_name;
  update.key = {{"id", AttributeValue::S(claimed.id)}};
  update.condition_expression = "#state = :queued AND #attempts = :claimed";
  update.attributes.values = {{":queued", AttributeValue::S("QUEUED")},
                              {":claimed", Num(claimed.attempts)},
                              {":state", AttributeValue::S(std::string(StateName(state)))},
                              {":due", Num(due_millis)},
                              {":now", Num(now)},
                              {":false", AttributeValue::Bool(false)}};
  if (state == OutboxState::kSent) {
    // A sent email's bodies are never read again (the admin view shows
    // recipient, subject and Message-ID), so they leave the table: SENT
    // entries, kept for deduplication and the admin listing, stay small.
    update.update_expression =
        "SET #state = :state, #due = :due, #updated = :now, #sent = :now, #inflight = :false "
        "REMOVE text_body, html_body, bodies_zstd, bodies_dictionary, headers";
    update.attributes.names = NamesFor({"#state", "#attempts", "#due", "#updated", "#sent", "#inflight"});
  } else {
    update.update_expression =
        "SET #state = :state, #due = :due, #updated = :now, #error = :error, #inflight = :false";
    update.attributes.names = NamesFor({"#state", "#attempts", "#due", "#updated", "#error", "#inflight"});
    // Keep the item small and the admin listing readable.
    update.attributes.values[":error"] = AttributeValue::S(error.empty() ? "unknown error" : error.substr(0, 1000));
  }
  return update;
}

Status Outbox::FinishAttempt(const OutboxEntry& claimed, OutboxState state, int64_t due_millis,
                             const std::string& error, bool sync) {
  table::UpdateItemRequest update = AsUpdateRequest(FinishAction(claimed, state, due_millis, error));
  update.sync = sync;
  return tables_->UpdateItem(update).status().WithContext("updating outbox entry " + claimed.id);
}

Status Outbox::SyncAfter(const OutboxEntry& marked) {
  table::UpdateItemRequest update;
  update.table_name = options_.table_name;
  update.key = {{"id", AttributeValue::S(marked.id)}};
  update.update_expression = "SET #updated = :now";
  update.condition_expression = "attribute_exists(id)";
  update.attributes.names = NamesFor({"#updated"});
  update.attributes.values = {{":now", Num(options_.clock->NowMillis())}};
  auto updated = tables_->UpdateItem(update);
  if (!updated.ok() && updated.status().IsConditionFailed()) return Status::OK();  // deleted: nothing to cover
  return updated.status().WithContext("syncing outbox entry " + marked.id);
}

Status Outbox::Release(const OutboxEntry& claimed, int64_t due_millis) {
  table::UpdateItemRequest update;
  update.table_name = options_.table_name;
  update.key = {{"id", AttributeValue::S(claimed.id)}};
  update.update_expression = "SET #attempts = :before, #due = :due, #updated = :now, #inflight = :false";
  update.condition_expression = "#state = :queued AND #attempts = :claimed";
  update.attributes.names = NamesFor({"#attempts", "#due", "#updated", "#inflight", "#state"});
  update.attributes.values = {{":before", Num(claimed.attempts - 1)},
                              {":due", Num(due_millis)},
                              {":now", Num(options_.clock->NowMillis())},
                              {":false", AttributeValue::Bool(false)},
                              {":queued", AttributeValue::S("QUEUED")},
                              {":claimed", Num(claimed.attempts)}};
  auto updated = tables_->UpdateItem(update);
  if (!updated.ok() && updated.status().IsConditionFailed()) return Status::OK();  // taken over meanwhile
  return updated.status().WithContext("releasing outbox entry " + claimed.id);
}

Result<std::vector<OutboxEntry>> Outbox::ClaimNew(const std::vector<std::string>& ids, int64_t lease_until_millis) {
  std::vector<table::TransactWriteItem> actions;
  for (const std::string& id : ids) actions.push_back(ClaimAction(id, 0, lease_until_millis));
  ASSIGN_OR_RETURN(std::vector<size_t> committed, CommitSkippingFailed(std::move(actions), tables_));
  std::vector<OutboxEntry> claimed;
  for (size_t start = 0; start < committed.size(); start += kMaxActions) {
    std::vector<table::TransactGetItem> gets;
    for (size_t i = start; i < std::min(committed.size(), start + kMaxActions); ++i) {
      gets.push_back({options_.table_name, {{"id", AttributeValue::S(ids[committed[i]])}}, "", {}});
    }
    ASSIGN_OR_RETURN(std::vector<std::optional<Item>> items, tables_->TransactGetItems(gets));
    for (const auto& item : items) {
      if (!item) continue;  // deleted meanwhile: nothing to send
      ASSIGN_OR_RETURN(OutboxEntry entry, FromItem(*item, bodies_));
      claimed.push_back(std::move(entry));
    }
  }
  return claimed;
}

Result<int> Outbox::ReleaseInFlight() {
  int released = 0;
  std::optional<Item> start;
  do {
    table::QueryRequest query;
    query.table_name = options_.table_name;
    query.index_name = kStateIndex;
    query.key_condition_expression = "#state = :queued";
    query.filter_expression = "#inflight = :true";
    query.attributes.names = NamesFor({"#state", "#inflight"});
    query.attributes.values = {{":queued", AttributeValue::S("QUEUED")}, {":true", AttributeValue::Bool(true)}};
    query.exclusive_start_key = start;
    ASSIGN_OR_RETURN(table::QueryResult page, tables_->Query(query));
    for (const Item& item : page.items) {
      int64_t now = options_.clock->NowMillis();
      table::UpdateItemRequest update;
      update.table_name = options_.table_name;
      update.key = {{"id", AttributeValue::S(GetS(item, "id"))}};
      update.update_expression = "SET #due = :now, #updated = :now, #inflight = :false";
      update.condition_expression = "#state = :queued AND #attempts = :seen AND #inflight = :true";
      update.attributes.names = NamesFor({"#due", "#updated", "#inflight", "#state", "#attempts"});
      update.attributes.values = {{":now", Num(now)},
                                  {":false", AttributeValue::Bool(false)},
                                  {":true", AttributeValue::Bool(true)},
                                  {":queued", AttributeValue::S("QUEUED")},
                                  {":seen", Num(GetN(item, "attempts"))}};
      auto updated = tables_->UpdateItem(update);
      if (updated.ok()) {
        ++released;
      } else if (!updated.status().IsConditionFailed()) {
        return updated.status().WithContext("releasing outbox entry " + GetS(item, "id"));
      }
    }
    start = page.last_evaluated_key;
  } while (start);
  return released;
}

Status Outbox::MarkSent(const OutboxEntry& claimed, bool sync) {
  RETURN_IF_ERROR(FinishAttempt(claimed, OutboxState::kSent, options_.clock->NowMillis(), "", sync));
  counters_.sent.fetch_add(1);
  return Status::OK();
}

void Outbox::MarkSentAsync(const OutboxEntry& claimed, std::function<void(const Status&)> done) {
  table::UpdateItemRequest update = AsUpdateRequest(FinishAction(claimed, OutboxState::kSent, options_.clock->NowMillis(), ""));
  update.sync = false;
  auto finished = [this, id = claimed.id, done = std::move(done)](const Result<table::WriteResult>& written) {
    if (written.ok()) counters_.sent.fetch_add(1);
    done(written.status().WithContext("updating outbox entry " + id));
  };
  if (!tables_->TryUpdateItemAsync(update, finished)) finished(tables_->UpdateItem(update));
}

Status Outbox::MarkRetry(const OutboxEntry& claimed, int64_t next_attempt_millis, const std::string& error) {
  RETURN_IF_ERROR(FinishAttempt(claimed, OutboxState::kQueued, next_attempt_millis, error));
  counters_.retries.fetch_add(1);
  return Status::OK();
}

Status Outbox::MarkFailed(const OutboxEntry& claimed, const std::string& error) {
  RETURN_IF_ERROR(FinishAttempt(claimed, OutboxState::kFailed, options_.clock->NowMillis(), error));
  counters_.failed.fetch_add(1);
  return Status::OK();
}

Status Outbox::Requeue(const std::string& id) {
  int64_t now = options_.clock->NowMillis();
  table::UpdateItemRequest update;
  update.table_name = options_.table_name;
  update.key = {{"id", AttributeValue::S(id)}};
  update.update_expression = "SET #state = :queued, #attempts = :zero, #due = :now, #updated = :now";
  update.condition_expression = "attribute_exists(#id) AND #state = :failed";
  update.attributes.names = NamesFor({"#state", "#attempts", "#due", "#updated", "#id"});
  update.attributes.values = {{":queued", AttributeValue::S("QUEUED")},
                              {":failed", AttributeValue::S("FAILED")},
                              {":zero", Num(0)},
                              {":now", Num(now)}};
  auto updated = tables_->UpdateItem(update);
  if (!updated.ok() && updated.status().IsConditionFailed()) {
    ASSIGN_OR_RETURN(std::optional<OutboxEntry> entry, Get(id));
    if (!entry) return Status::NotFound(fmt::format("no outbox entry '{}'", id));
    return Status::ConditionFailed(
        fmt::format("outbox entry '{}' is {}; only FAILED entries can be requeued", id, StateName(entry->state)));
  }
  RETURN_IF_ERROR(updated.status());
  OutboxEntry entry;
  entry.id = id;
  Notify(0, {entry});
  return Status::OK();
}

// --- Dispatcher ---

int64_t BackoffDelayMillis(int failed_attempts, const DispatcherOptions& options, double random) {
  int64_t delay = options.initial_backoff_millis;
  for (int i = 1; i < failed_attempts && delay < options.max_backoff_millis; ++i) delay *= 2;
  delay = std::min(delay, options.max_backoff_millis);
  double jitter = std::clamp(options.jitter, 0.0, 1.0) * std::clamp(random, 0.0, 1.0);
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(delay) * (1.0 - jitter))));
}

Dispatcher::Dispatcher(Outbox* outbox, Mailer* mailer, DispatcherOptions options)
    : outbox_(outbox), mailer_(mailer), options_(options),
      random_(options.seed != 0 ? options.seed : std::random_device{}()) {
  outbox_->SetWakeHook([this](const std::vector<OutboxEntry>& entries) { Wake(entries); });
}

Dispatcher::~Dispatcher() {
  outbox_->SetWakeHook(nullptr);
  Stop();
}

void Dispatcher::Start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty()) return;
  if (options_.release_in_flight_on_start) {
    auto released = outbox_->ReleaseInFlight();
    if (!released.ok()) {
      spdlog::error("email dispatcher: {}", released.status().ToString());
    } else if (*released > 0) {
      spdlog::warn("{} email(s) were being sent when Rivulet stopped; sending them again now (same Message-ID)",
                   *released);
    }
  }
  stop_ = false;
  int count = std::max(1, options_.threads);
  lanes_.clear();
  for (int i = 0; i < count; ++i) lanes_.push_back(std::make_unique<Lane>());
  for (int i = 0; i < count; ++i) threads_.emplace_back([this, i, count] {
    common::NameThisThread("mail-" + std::to_string(i));
    Loop(i, count);
  });
  // From now on new entries arrive claimed by us (Outbox::SetClaimLease).
  outbox_->SetClaimLease(options_.lease_millis);
}

void Dispatcher::Stop() {
  // Entries handed over but not sent stay claimed; their lease (or the next
  // Start's ReleaseInFlight) makes them due again.
  outbox_->SetClaimLease(0);
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    threads.swap(threads_);
    for (auto& lane : lanes_) lane->cv.notify_all();
  }
  for (auto& t : threads) t.join();
}

void Dispatcher::Wake(const std::vector<OutboxEntry>& entries) {
  std::lock_guard lock(mu_);
  if (lanes_.empty()) return;
  std::vector<bool> woken(lanes_.size(), entries.empty());
  for (const OutboxEntry& entry : entries) {
    size_t i = static_cast<size_t>(PartitionOf(entry.id, static_cast<int>(lanes_.size())));
    Lane& lane = *lanes_[i];
    if (lane.fresh.size() < kMaxLaneEntries) lane.fresh.push_back(entry);
    else lane.scan = true;  // a claimed one is found when its lease ends
    woken[i] = true;
  }
  for (size_t i = 0; i < lanes_.size(); ++i) {
    if (!woken[i]) continue;
    if (entries.empty()) lanes_[i]->scan = true;
    ++lanes_[i]->wakes;
    lanes_[i]->cv.notify_one();
  }
}

double Dispatcher::NextRandom() {
  std::lock_guard lock(random_mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

Result<bool> Dispatcher::Attempt(const OutboxEntry& entry) {
  common::Clock* clock = outbox_->clock();
  if (entry.attempts >= options_.max_attempts) {
    // Its last attempt was claimed but never finished (a crash mid-send).
    ASSIGN_OR_RETURN(std::optional<OutboxEntry> claimed, outbox_->Claim(entry, clock->NowMillis()));
    if (!claimed) return false;
    std::string error = fmt::format("gave up after {} attempts; last error: {}", entry.attempts,
                                    claimed->last_error.empty() ? "none recorded" : claimed->last_error);
    Status marked = outbox_->MarkFailed(*claimed, error);
    if (!marked.ok() && !marked.IsConditionFailed()) return marked;
    return true;
  }
  ASSIGN_OR_RETURN(std::optional<OutboxEntry> claimed,
                   outbox_->Claim(entry, clock->NowMillis() + options_.lease_millis));
  if (!claimed) return false;  // another dispatcher has it

  Status sent = SendNoting(claimed->email);
  RETURN_IF_ERROR(Finish(*claimed, sent));
  return true;
}

namespace {

// A mark refused because the entry was claimed again (our lease ran out) is
// no error: the other attempt decides the outcome.
Status LostLeaseIsNoError(const std::string& id, int attempts, const Status& marked) {
  if (!marked.IsConditionFailed()) return marked;
  spdlog::warn("email {}: attempt {} finished after its lease ran out", id, attempts);
  return Status::OK();
}

}  // namespace

Status Dispatcher::Finish(const OutboxEntry& claimed, const Status& sent, bool sync) {
  common::Clock* clock = outbox_->clock();
  Status marked;
  if (sent.ok()) {
    marked = outbox_->MarkSent(claimed, sync);
  } else if (sent.IsInvalidArgument() || claimed.attempts >= options_.max_attempts) {
    spdlog::warn("email {} to {} failed for good after {} attempt(s): {}", claimed.id, claimed.email.to.address,
                 claimed.attempts, sent.ToString());
    marked = outbox_->MarkFailed(claimed, sent.ToString());
  } else {
    int64_t delay = BackoffDelayMillis(claimed.attempts, options_, NextRandom());
    spdlog::debug("email {} attempt {} failed, retrying in {} ms: {}", claimed.id, claimed.attempts, delay,
                  sent.ToString());
    marked = outbox_->MarkRetry(claimed, clock->NowMillis() + delay, sent.ToString());
  }
  return LostLeaseIsNoError(claimed.id, claimed.attempts, marked);
}

Status Dispatcher::SendNoting(const Email& email) {
  auto start = std::chrono::steady_clock::now();
  Status sent = mailer_->Send(email);
  RecordServerResult(sent);
  // Without inline sends there is nothing to turn off (and every send would
  // count as slow against a budget of 0).
  if (options_.inline_send_millis <= 0) return sent;
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (took.count() > options_.inline_send_millis) {
    if (quick_sends_.exchange(false)) {
      spdlog::info("an email took {} ms to send; new emails go through the queue until one is sent quickly",
                   took.count());
    }
  } else if (sent.ok()) {
    quick_sends_.store(true);
  }
  return sent;
}

int64_t Dispatcher::PausedUntil() {
  std::lock_guard lock(breaker_mu_);
  return server_paused_until_;
}

void Dispatcher::RecordServerResult(const Status& sent) {
  bool server_failed = sent.code() == Status::Code::kUnavailable || sent.code() == Status::Code::kUnauthenticated;
  std::lock_guard lock(breaker_mu_);
  if (!server_failed) {
    if (server_failures_ > 0) spdlog::info("email server is reachable again; delivery resumes");
    server_failures_ = 0;
    server_paused_until_ = 0;
    return;
  }
  ++server_failures_;
  int64_t delay = options_.initial_backoff_millis;
  for (int i = 1; i < server_failures_ && delay < options_.server_max_backoff_millis; ++i) delay *= 2;
  delay = std::min(delay, options_.server_max_backoff_millis);
  server_paused_until_ = outbox_->clock()->NowMillis() + delay;
  if (server_failures_ == 1) spdlog::warn("email server failed, pausing delivery: {}", sent.ToString());
}

Result<int> Dispatcher::Deliver(std::vector<std::pair<std::string, Email>> emails, table::TableClient* writer) {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = !threads_.empty() && !stop_;
  }
  ASSIGN_OR_RETURN(int earlier, RecordEarlierSends(&emails, writer));
  if (emails.empty()) return earlier;
  common::Clock* clock = outbox_->clock();
  // Nothing to send here: the queue skips existing ids and checks the role itself.
  if (!running || options_.inline_send_millis <= 0 || !quick_sends_.load() || PausedUntil() > clock->NowMillis()) {
    ASSIGN_OR_RETURN(int enqueued, outbox_->EnqueueMany(std::move(emails), writer));
    return earlier + enqueued;
  }
  std::vector<std::string> ids;
  for (auto& [id, email] : emails) {
    RETURN_IF_ERROR(outbox_->Prepare(id, &email));
    ids.push_back(id);
  }
  RETURN_IF_ERROR(outbox_->CheckMayRecord(ids, writer));
  // A redelivered batch: emails with an entry were handled before.
  ASSIGN_OR_RETURN(std::set<std::string> existing, outbox_->Existing(ids, writer));
  int64_t deadline = clock->NowMillis() + options_.inline_send_millis;
  std::set<std::string> seen;
  std::vector<Outbox::Outcome> outcomes;
  // For the queue: those not sent here, and the repeated ids, which
  // EnqueueMany skips and counts as duplicates.
  std::vector<std::pair<std::string, Email>> rest;
  for (auto& [id, email] : emails) {
    int64_t now = clock->NowMillis();
    if (existing.count(id) > 0 || !seen.insert(id).second || now >= deadline || PausedUntil() > now ||
        !quick_sends_.load()) {
      rest.emplace_back(std::move(id), std::move(email));
      continue;
    }
    Status sent = SendNoting(email);
    Outbox::Outcome outcome;
    outcome.id = id;
    outcome.email = std::move(email);
    if (sent.IsInvalidArgument() || (!sent.ok() && options_.max_attempts <= 1)) {
      spdlog::warn("email {} to {} failed for good: {}", id, outcome.email.to.address, sent.ToString());
      outcome.state = OutboxState::kFailed;
    } else if (!sent.ok()) {
      outcome.state = OutboxState::kQueued;
      outcome.due_millis = clock->NowMillis() + BackoffDelayMillis(1, options_, NextRandom());
    }
    if (!sent.ok()) outcome.error = sent.ToString();
    outcomes.push_back(std::move(outcome));
  }
  Result<int> written = outbox_->Record(outcomes, writer);
  if (!written.ok()) {
    KeepUnrecorded(std::move(outcomes));
    return written.status();
  }
  if (rest.empty()) return earlier + *written;
  ASSIGN_OR_RETURN(int enqueued, outbox_->EnqueueMany(std::move(rest), writer));
  return earlier + *written + enqueued;
}

Result<int> Dispatcher::RecordEarlierSends(std::vector<std::pair<std::string, Email>>* emails,
                                           table::TableClient* writer) {
  std::vector<Outbox::Outcome> earlier;
  {
    std::lock_guard lock(unrecorded_mu_);
    if (unrecorded_.empty()) return 0;
    // A repeat of such an id within the batch stays; it then has an entry.
    std::erase_if(*emails, [&](const std::pair<std::string, Email>& email) {
      auto it = unrecorded_.find(email.first);
      if (it == unrecorded_.end()) return false;
      earlier.push_back(std::move(it->second));
      unrecorded_.erase(it);
      return true;
    });
  }
  if (earlier.empty()) return 0;
  Result<int> recorded = outbox_->Record(earlier, writer);
  if (!recorded.ok()) KeepUnrecorded(std::move(earlier));
  return recorded;
}

void Dispatcher::KeepUnrecorded(std::vector<Outbox::Outcome> outcomes) {
  std::lock_guard lock(unrecorded_mu_);
  for (auto& outcome : outcomes) {
    if (unrecorded_.size() >= kMaxUnrecorded) break;  // those are sent again on the retry
    unrecorded_.insert_or_assign(outcome.id, std::move(outcome));
  }
}

Result<int> Dispatcher::RunPartition(int partition, int partitions) {
  int attempts = 0;
  // Each pass moves every entry it attempts out of the due range (sent,
  // failed, rescheduled or claimed by another), so the loop ends.
  int limit = options_.batch_size * partitions;
  while (true) {
    if (PausedUntil() > outbox_->clock()->NowMillis()) break;
    ASSIGN_OR_RETURN(std::vector<OutboxEntry> due, outbox_->Due(outbox_->clock()->NowMillis(), limit));
    int mine = 0;
    int claimed = 0;
    for (const OutboxEntry& entry : due) {
      if (PartitionOf(entry.id, partitions) != partition) continue;
      if (PausedUntil() > outbox_->clock()->NowMillis()) return attempts + claimed;
      ++mine;
      ASSIGN_OR_RETURN(bool made, Attempt(entry));
      claimed += made ? 1 : 0;
      std::lock_guard lock(mu_);
      if (stop_) return attempts + claimed;
    }
    attempts += claimed;
    // A full page where every claim lost (a stale index) would repeat forever.
    if (static_cast<int>(due.size()) < limit || mine == 0 || claimed == 0) break;
  }
  return attempts;
}

Status Dispatcher::AttemptNew(const std::vector<OutboxEntry>& fresh) {
  common::Clock* clock = outbox_->clock();
  size_t chunk_size = static_cast<size_t>(std::max(1, options_.batch_size));
  std::vector<OutboxEntry> claimed;
  std::vector<std::string> unclaimed;
  for (const OutboxEntry& entry : fresh) {
    if (entry.attempts > 0) claimed.push_back(entry);
    else unclaimed.push_back(entry.id);
  }
  for (size_t start = 0; start < claimed.size(); start += chunk_size) {
    RETURN_IF_ERROR(SendClaimed({claimed.begin() + static_cast<std::ptrdiff_t>(start),
                                 claimed.begin() + static_cast<std::ptrdiff_t>(std::min(claimed.size(), start + chunk_size))}));
  }
  for (size_t start = 0; start < unclaimed.size(); start += chunk_size) {
    // Ids handled meanwhile (by a scan or another process) are no longer
    // QUEUED with no attempt, so ClaimNew skips them.
    std::vector<std::string> chunk(unclaimed.begin() + static_cast<std::ptrdiff_t>(start),
                                   unclaimed.begin() + static_cast<std::ptrdiff_t>(std::min(unclaimed.size(), start + chunk_size)));
    ASSIGN_OR_RETURN(std::vector<OutboxEntry> now_claimed,
                     outbox_->ClaimNew(chunk, clock->NowMillis() + options_.lease_millis));
    RETURN_IF_ERROR(SendClaimed(now_claimed));
  }
  return Status::OK();
}

namespace {

// The marks a batch submitted without waiting (Outbox::MarkSentAsync). The
// destructor waits until every one is written, so none outlives the batch.
class AsyncMarks {
 public:
  AsyncMarks() = default;
  AsyncMarks(const AsyncMarks&) = delete;
  AsyncMarks& operator=(const AsyncMarks&) = delete;
  ~AsyncMarks() {
    std::unique_lock lock(state_->mu);
    state_->cv.wait(lock, [&] { return state_->left == 0; });
  }

  // The `done` for one more mark, of the claimed entry `claimed`.
  std::function<void(const Status&)> Track(const OutboxEntry& claimed) {
    {
      std::lock_guard lock(state_->mu);
      ++state_->left;
    }
    return [state = state_, id = claimed.id, attempts = claimed.attempts](const Status& marked) {
      if (Status s = LostLeaseIsNoError(id, attempts, marked); !s.ok()) {
        // The entry stays claimed: sent again, same Message-ID, when its lease ends.
        spdlog::error("email dispatcher: {}", s.ToString());
      }
      std::lock_guard lock(state->mu);
      if (--state->left == 0) state->cv.notify_all();
    };
  }

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int left = 0;  // guarded by mu
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace

Status Dispatcher::SendClaimed(const std::vector<OutboxEntry>& claimed) {
  common::Clock* clock = outbox_->clock();
  // Only the batch's last mark waits for its write and an fsync, which makes
  // the earlier ones durable too: one fsync per batch, not per email. The
  // earlier marks of sent emails are submitted before the next send but not
  // waited for (MarkSentAsync): a wait per email cost a thread switch per
  // email. A kill -9 repeats the emails whose marks were not yet written (a
  // group commit's worth at most); a crash of the machine can repeat those
  // sent since the last fsync. Both with the same Message-IDs.
  AsyncMarks marks;  // declared first: waited for on every return
  const OutboxEntry* unsynced = nullptr;  // the last mark not yet synced
  for (const OutboxEntry& entry : claimed) {
    bool stopping;
    {
      std::lock_guard lock(mu_);
      stopping = stop_;
    }
    if (stopping || PausedUntil() > clock->NowMillis()) {
      // Not attempted: due again when the pause ends, attempt not counted.
      RETURN_IF_ERROR(outbox_->Release(entry, std::max(PausedUntil(), clock->NowMillis())));
      unsynced = nullptr;  // the release was synced
      continue;
    }
    // A send starts only while at least half its lease is left (the lease is
    // twice the SMTP timeout), so it ends before another process may take the
    // entry over. One that waited longer is left to its lease's end.
    if (clock->NowMillis() > entry.next_attempt_millis - options_.lease_millis / 2) continue;
    // Each is marked right after its send: a crash in between repeats this
    // one email, with the same Message-ID.
    Status result = SendNoting(entry.email);
    bool last = &entry == &claimed.back();
    if (result.ok() && !last) {
      outbox_->MarkSentAsync(entry, marks.Track(entry));
      unsynced = &entry;
      continue;
    }
    RETURN_IF_ERROR(Finish(entry, result, /*sync=*/last));
    unsynced = last || !result.ok() ? nullptr : &entry;  // retries and failures are marked synced
  }
  // The tail was skipped (lease too short): cover the unsynced marks.
  if (unsynced != nullptr) RETURN_IF_ERROR(outbox_->SyncAfter(*unsynced));
  return Status::OK();
}

void Dispatcher::Loop(int partition, int partitions) {
  common::Clock* clock = outbox_->clock();
  Lane& lane = *lanes_[partition];
  int64_t scan_at = 0;  // the first round scans (entries left from before)
  while (true) {
    std::vector<OutboxEntry> fresh;
    uint64_t seen_wakes = 0;
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      seen_wakes = lane.wakes;
      fresh.swap(lane.fresh);
      if (lane.scan) scan_at = 0;
      lane.scan = false;
    }
    Status round;
    if (!fresh.empty()) round = AttemptNew(fresh);  // while paused it releases them
    if (round.ok() && clock->NowMillis() >= scan_at) {
      scan_at = clock->NowMillis() + options_.poll_interval_millis;
      round = RunPartition(partition, partitions).status();
      auto next = outbox_->NextDue(scan_at, [&](const std::string& id) {
        return PartitionOf(id, partitions) == partition;
      });
      if (!next.ok()) {
        round = next.status();
      } else if (next->has_value() && std::max(**next, PausedUntil()) > clock->NowMillis()) {
        // A retry (or the end of a pause) before the next poll. Entries due
        // now arrived after the scan: their ids are in the lane already.
        scan_at = std::min(std::max(**next, PausedUntil()), scan_at);
      }
    }
    if (!round.ok()) {
      spdlog::error("email dispatcher: {}", round.ToString());
      scan_at = std::min(scan_at, clock->NowMillis() + 1'000);  // entries not attempted are found by the scan
    }
    std::unique_lock lock(mu_);
    int64_t wait_millis = std::max<int64_t>(scan_at - clock->NowMillis(), 1);
    lane.cv.wait_for(lock, std::chrono::milliseconds(wait_millis), [&] { return stop_ || lane.wakes != seen_wakes; });
  }
}

}  // namespace notify
