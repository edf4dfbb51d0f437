// The email outbox: a durable queue of messages in a table, and the
// Dispatcher thread that delivers them through a Mailer with retries.
//
// Exactly one email per event reaches the mailbox because:
//  - an entry's id is chosen by the caller for the event ("<orderId>:confirmed")
//    and written with attribute_not_exists(id), so repeating the event adds
//    nothing (Enqueue is idempotent; MakeEnqueueAction lets the caller write
//    the entry in the same transaction as its checkpoint or effect);
//  - every attempt first claims the entry with a conditional update
//    (state = QUEUED and attempts unchanged), so two dispatchers never send
//    the same entry at once;
//  - the entry is marked SENT right after the server accepted the message, and
//    its Message-ID is derived from the id, so the one duplicate a crash
//    between "accepted" and "marked SENT" can cause carries the same
//    Message-ID (see README.md, "Exactly once");
//  - Dispatcher::Deliver sends a new email before it has an entry and then
//    writes the entry, SENT, with the same condition; it reads first which
//    ids have one (a repeated batch), and a crash in between sends again
//    with the same Message-ID.
//
// Table layout (`rivulet-outbox`, created by Open when missing): hash key `id`
// (S); global secondary index `state-due` on (`state` S, `due_millis` N).
// `due_millis` is when the next attempt is due while QUEUED (pushed forward by
// a claim's lease while an attempt is in flight), and when the entry became
// SENT or FAILED afterwards, so one index serves both the dispatcher and the
// admin listing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "notify/body_codec.h"
#include "notify/mailer.h"
#include "table/table_client.h"

namespace notify {

// Append only: the names are stored in the table.
enum class OutboxState { kQueued, kSent, kFailed };
// "QUEUED", "SENT", "FAILED".
std::string_view StateName(OutboxState state);
// Inverse of StateName; false for anything else.
bool ParseStateName(std::string_view name, OutboxState* state);

struct OutboxEntry {
  std::string id;  // caller's idempotency key, 1..1024 bytes
  Email email;     // email.message_id == MessageIdFor(id) unless the caller set one
  OutboxState state = OutboxState::kQueued;
  int attempts = 0;  // attempts started (claimed), including one in flight
  int64_t next_attempt_millis = 0;  // QUEUED: when the next attempt is due
  std::string last_error;           // "" until an attempt failed
  int64_t created_millis = 0;
  int64_t sent_millis = 0;     // 0 unless SENT
  int64_t updated_millis = 0;  // last change of any kind
};

// "<" + hex(SHA-256(id))[0..40] + "@rivulet>": the same id always gives the
// same Message-ID, so a duplicate caused by a crash is recognisable.
std::string MessageIdFor(std::string_view entry_id);

// For the admin API: {id, state, attempts, nextAttemptAt, lastError,
// messageId, to, subject, createdAt, sentAt, updatedAt}; times in epoch ms.
nlohmann::json ToJson(const OutboxEntry& entry);

// Monotonic counters for /metrics (read them; never reset).
struct OutboxCounters {
  std::atomic<uint64_t> enqueued{0};    // new entries (Enqueue, NotifyEnqueued)
  std::atomic<uint64_t> duplicates{0};  // Enqueue calls for an id that existed
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> failed{0};      // entries that reached FAILED
  std::atomic<uint64_t> retries{0};     // failed attempts rescheduled
};

struct OutboxOptions {
  std::string table_name = "rivulet-outbox";
  common::Clock* clock = common::SystemClock::Default();
  // What the emails resemble (every template rendered without data): their
  // bodies are compressed against it (body_codec.h). Empty: each alone.
  std::string dictionary_sample;
};

// Thread safety: every method may be called from any thread.
// REQUIRES: the TableClient outlives the Outbox.
class Outbox {
 public:
  static constexpr const char* kStateIndex = "state-due";

  // Creates the table (and its index) when it does not exist.
  static Result<std::unique_ptr<Outbox>> Open(table::TableClient* tables, OutboxOptions options = {});

  // Adds a QUEUED entry due now and wakes the dispatcher. OK also when an
  // entry with this id exists already (then nothing is written, whatever its
  // state or content); `created` tells which. InvalidArgument for a bad id or
  // an email that ValidateEmail rejects.
  Status Enqueue(const std::string& id, Email email, bool* created = nullptr);

  // Enqueue for many emails at once: one transaction (one fsync) per 100
  // entries instead of one write each. Ids that exist already, or repeat in
  // `emails`, are skipped (counted as duplicates). Returns how many entries
  // were created; InvalidArgument as Enqueue, before anything is written.
  // `writer` (default: the outbox's own client) is the client the entries
  // are written through, e.g. one checked against the caller's execution role.
  Result<int> EnqueueMany(std::vector<std::pair<std::string, Email>> emails, table::TableClient* writer = nullptr);

  // The same write as one action for the caller's own TransactWriteItems
  // (checkpoint + outbox entry, all or nothing). The action's condition fails
  // when the entry exists: the transaction then returns ConditionFailed and
  // IsAlreadyEnqueued(failure, index_of_this_action) is true, which means the
  // work was done before. After a successful commit call NotifyEnqueued().
  Result<table::TransactWriteItem> MakeEnqueueAction(const std::string& id, Email email) const;
  static bool IsAlreadyEnqueued(const table::WriteFailure& failure, size_t action_index);
  // Counts `count` new entries and wakes the dispatcher.
  void NotifyEnqueued(int count = 1);

  // --- for emails sent before they had an entry (Dispatcher::Deliver) ---
  // Checks what an entry needs: the id's length, the email (ValidateEmail),
  // and fills in the Message-ID when the email has none. InvalidArgument
  // names what is wrong.
  Status Prepare(const std::string& id, Email* email) const;
  // Which of `ids` have an entry, in any state. Read through `reader`
  // (default: the outbox's own client).
  Result<std::set<std::string>> Existing(const std::vector<std::string>& ids,
                                         table::TableClient* reader = nullptr);
  // How an attempt made before the entry existed ended, to be recorded as
  // the new entry: SENT (then kept without its bodies), QUEUED with
  // `attempts` made so far and due at `due_millis`, or FAILED.
  struct Outcome {
    std::string id;
    Email email;  // Prepare()d
    OutboxState state = OutboxState::kSent;
    int attempts = 1;
    int64_t due_millis = 0;  // QUEUED only
    std::string error;       // "" when sent
  };
  // PermissionDenied when `writer` would refuse to Record entries with these
  // ids: checked before anything is sent, so that a caller whose role may
  // not write the outbox sends nothing either.
  Status CheckMayRecord(const std::vector<std::string>& ids, table::TableClient* writer = nullptr) const;
  // Writes one new entry per outcome, one transaction (one fsync) per 100;
  // ids that have an entry already are skipped (counted as duplicates).
  // Wakes the dispatcher when one is QUEUED. How many were written.
  Result<int> Record(const std::vector<Outcome>& outcomes, table::TableClient* writer = nullptr);

  // nullopt when there is no entry with this id.
  Result<std::optional<OutboxEntry>> Get(const std::string& id);
  // Up to `limit` (1..1000) entries in `state`: QUEUED soonest due first;
  // SENT and FAILED most recent first.
  Result<std::vector<OutboxEntry>> List(OutboxState state, int limit);
  // Number of entries in `state`, counting at most `at_most` (reads that
  // many index keys: SENT grows with every email ever sent).
  Result<int64_t> Count(OutboxState state, int64_t at_most = std::numeric_limits<int64_t>::max());
  // Admin: a FAILED entry goes back to QUEUED, attempts 0, due now.
  // NotFound when there is no such entry, ConditionFailed when it is not FAILED.
  Status Requeue(const std::string& id);

  // --- for the Dispatcher ---
  // QUEUED entries due at or before `now_millis`, soonest first. Only id,
  // state, attempts and due time are certain to be filled in (they come from
  // the index); Claim returns the whole entry.
  Result<std::vector<OutboxEntry>> Due(int64_t now_millis, int limit);
  // When the soonest QUEUED entry due before `horizon_millis` is due; nullopt
  // when there is none. With `mine`, the soonest among the first 200 such
  // entries for which it is true (a dispatcher thread waits only for its own
  // entries). The horizon keeps the index scan short: entries in flight are
  // due when their lease ends, minutes ahead, and every claim leaves a
  // deleted index key behind that a scan without an end would walk.
  Result<std::optional<int64_t>> NextDue(int64_t horizon_millis,
                                         const std::function<bool(const std::string& id)>& mine = nullptr);
  // Starts an attempt: attempts + 1 and due at `lease_until_millis`, if the
  // entry is still QUEUED with `entry.attempts`. The claimed entry as stored
  // (email included), or nullopt when another dispatcher changed it first.
  Result<std::optional<OutboxEntry>> Claim(const OutboxEntry& entry, int64_t lease_until_millis);
  // Ends the attempt of a claimed entry. ConditionFailed when the entry was
  // claimed again meanwhile (its lease ran out). A SENT entry keeps no
  // bodies (Get returns them empty): nobody reads them again. With `sync`
  // false the mark does not wait for an fsync (PutItemRequest::sync): a kill
  // -9 cannot lose it, a crash of the machine can until a later synced write
  // (SyncAfter) covers it.
  Status MarkSent(const OutboxEntry& claimed, bool sync = true);
  // MarkSent with sync false that does not wait for the write: `done` runs
  // once it is written, possibly on another thread, with what MarkSent would
  // have returned. The mark is visible at once and keeps its place in the
  // table's commit order, so a later synced write makes it durable; a kill
  // -9 before its group is written loses it (the email is sent again, with
  // the same Message-ID). Synchronous where the table client cannot write
  // asynchronously.
  void MarkSentAsync(const OutboxEntry& claimed, std::function<void(const Status&)> done);
  // A synced write to `marked` (its updated time), so that the unsynced
  // writes before it are durable too.
  Status SyncAfter(const OutboxEntry& marked);
  // Claim for many new entries (QUEUED, no attempt yet) at once: one
  // transaction (one fsync) per 100 entries instead of one write each.
  // Returns those it claimed, as stored.
  Result<std::vector<OutboxEntry>> ClaimNew(const std::vector<std::string>& ids, int64_t lease_until_millis);
  // Gives a claimed entry back unattempted: attempts as before the claim,
  // due at `due_millis`. OK also when it was claimed again meanwhile.
  Status Release(const OutboxEntry& claimed, int64_t due_millis);
  // Makes every attempt in flight (claimed, not finished) due now and counts
  // them. Only right when no other process sends from this outbox: after a
  // restart, the attempts in flight were the dead process's.
  Result<int> ReleaseInFlight();
  Status MarkRetry(const OutboxEntry& claimed, int64_t next_attempt_millis, const std::string& error);
  Status MarkFailed(const OutboxEntry& claimed, const std::string& error);

  // Called after new entries, with them (empty when not known, e.g. after
  // NotifyEnqueued), under a lock that SetWakeHook also takes (so after
  // SetWakeHook(nullptr) returns, the old hook is not running). The hook must
  // be quick and must not call back into the Outbox. An entry handed over
  // has its id and attempts 0, unless claimed at enqueue (SetClaimLease).
  using WakeHook = std::function<void(const std::vector<OutboxEntry>& entries)>;
  void SetWakeHook(WakeHook hook);
  // With `millis` > 0 (a dispatcher runs in this process and takes what the
  // hook hands over), EnqueueMany writes its entries already claimed (attempts
  // 1, in flight, due when the lease ends) and hands them over whole, email
  // included, so they are sent without a claim and a read of their own.
  // 0 turns it off; so does SetWakeHook.
  void SetClaimLease(int64_t millis);

  const OutboxCounters& counters() const { return counters_; }
  common::Clock* clock() const { return options_.clock; }
  const std::string& table_name() const { return options_.table_name; }

 private:
  Outbox(table::TableClient* tables, OutboxOptions options)
      : tables_(tables), options_(std::move(options)), bodies_(tables, options_.table_name) {}
  void Notify(int count, const std::vector<OutboxEntry>& entries);
  table::TransactWriteItem EntryAction(table::Item item) const;
  Result<table::Item> EntryItem(const std::string& id, Email* email, int64_t claim_until_millis) const;
  Result<table::Item> NewItem(const std::string& id, const Email& email, OutboxState state, int attempts,
                              int64_t due_millis, const std::string& error) const;
  table::TransactWriteItem ClaimAction(const std::string& id, int attempts, int64_t lease_until_millis) const;
  table::TransactWriteItem FinishAction(const OutboxEntry& claimed, OutboxState state, int64_t due_millis,
                                        const std::string& error) const;
  Status FinishAttempt(const OutboxEntry& claimed, OutboxState state, int64_t due_millis, const std::string& error,
                       bool sync = true);
  Result<table::QueryResult> QueryState(OutboxState state, std::optional<int64_t> due_at_most, bool forward,
                                        int limit, table::Select select = table::Select::kAllAttributes,
                                        const std::optional<table::Item>& start = std::nullopt,
                                        int64_t due_at_least = 0);
  // Where Due/NextDue start reading the state-due index (see outbox.cc):
  // 0 means from the beginning (a full scan, every kFullScanMillis).
  int64_t ScanFloor(int64_t now);
  void NoteEarliestDue(int64_t earliest_due, int64_t now, bool full_scan);

  table::TableClient* tables_;
  OutboxOptions options_;
  BodyCodec bodies_;
  OutboxCounters counters_;
  std::mutex hook_mu_;
  WakeHook wake_hook_;              // guarded by hook_mu_
  int64_t claim_lease_millis_ = 0;  // guarded by hook_mu_
  std::mutex floor_mu_;
  int64_t due_floor_ = 0;            // guarded by floor_mu_
  int64_t last_full_scan_millis_ = 0;  // guarded by floor_mu_
};

struct DispatcherOptions {
  // An entry goes FAILED when this many attempts failed.
  int max_attempts = 20;
  // Delay after the n-th failed attempt: initial * 2^(n-1), at most max.
  int64_t initial_backoff_millis = 1'000;
  int64_t max_backoff_millis = 300'000;
  // Each delay is shortened by a random fraction in [0, jitter) so entries
  // that failed together do not retry in lockstep. 0 for exact schedules.
  double jitter = 0.2;
  // How long a claimed attempt owns its entry; a dispatcher that crashes
  // mid-send leaves the entry to be retried after this. Must exceed the
  // mailer's timeout.
  int64_t lease_millis = 120'000;
  // When the server itself fails (Unavailable: unreachable; or
  // Unauthenticated: our configuration), every thread pauses instead of
  // burning an attempt of each queued entry: one entry probes the server
  // after 1 s, 2 s, 4 s ... at most this long, and the first success resumes
  // all. Entries not attempted meanwhile keep their attempts and stay due.
  int64_t server_max_backoff_millis = 30'000;
  int batch_size = 50;
  // Sending threads started by Start(). Each owns the entries whose id hashes
  // to it and keeps its own SMTP connection; several threads overlap the
  // table's fsyncs and the SMTP round trips.
  int threads = 4;
  // The thread also looks for due entries at least this often (entries
  // written by another process, or without NotifyEnqueued).
  int64_t poll_interval_millis = 2'000;
  // Start() first releases attempts left in flight by a crash (instead of
  // waiting for their leases), for the single-process setup. Turn off when
  // several processes deliver from one outbox table.
  bool release_in_flight_on_start = true;
  // Deliver sends new emails on its caller's thread for at most this long
  // per call; what is left goes through the outbox's queue (all of it when <= 0).
  int64_t inline_send_millis = 20;
  uint64_t seed = 0;  // jitter's random seed; 0 for a random one
};

// The delay before the next attempt after `failed_attempts` (>= 1) failed
// ones, given `random` in [0, 1).
int64_t BackoffDelayMillis(int failed_attempts, const DispatcherOptions& options, double random);

// Delivers due outbox entries. Either call RunOnce yourself (tests, with a
// ManualClock) or Start() the background threads, which look for due
// entries whenever an entry is enqueued, when the soonest retry is due, and
// every poll interval. Stop() (or the destructor) waits for the sends in
// flight to end.
// REQUIRES: outbox and mailer outlive the Dispatcher.
class Dispatcher {
 public:
  Dispatcher(Outbox* outbox, Mailer* mailer, DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void Start();
  void Stop();
  // Wakes the threads that own `entries` and hands the entries to them (all
  // threads, to scan, when `entries` is empty).
  void Wake(const std::vector<OutboxEntry>& entries = {});

  // How new emails should reach the outbox (the notifier's way in). While
  // the threads run, each email that has no entry yet is sent at once on the
  // calling thread and then gets its entry as it ended: SENT (without its
  // bodies), QUEUED for a retry, or FAILED, one table write per email
  // instead of an entry and its SENT mark. This stops after
  // `inline_send_millis` or while the server is paused (it failed; see
  // server_max_backoff_millis); the rest are enqueued (Outbox::EnqueueMany)
  // for the threads, as are all emails while the threads do not run and
  // while sends are slow (sends_inline()).
  // Returns how many entries were written; InvalidArgument as EnqueueMany
  // and PermissionDenied when `writer` may not write the entries, both
  // before anything is sent. When the entries of emails it sent cannot be
  // written (a table error), the call fails and a repeated call records
  // them without sending them again; only a crash between a send and its
  // entry's write sends the email again (same Message-ID).
  Result<int> Deliver(std::vector<std::pair<std::string, Email>> emails, table::TableClient* writer = nullptr);

  // False from a send (by anyone) that took longer than inline_send_millis
  // until one succeeds within it: a slow or hanging server then stalls the
  // notifier once (for at most the SMTP timeout), not on every batch, and
  // its emails wait in the outbox, not in the stream.
  bool sends_inline() const { return quick_sends_.load(); }

  // Attempts every entry due at the clock's now once; returns how many
  // attempts were made. Errors are the table's (a failed send is not one).
  Result<int> RunOnce() { return RunPartition(0, 1); }

 private:
  // RunOnce for the entries whose id hash is `partition` modulo `partitions`.
  Result<int> RunPartition(int partition, int partitions);
  void Loop(int partition, int partitions);
  // false when the entry was not ours to attempt (claimed by another).
  Result<bool> Attempt(const OutboxEntry& entry);
  double NextRandom();
  // Sends, then notes the outcome for the server-wide pause and the time it
  // took for sends_inline().
  Status SendNoting(const Email& email);
  // The server-wide pause: until when (0 = not paused).
  int64_t PausedUntil();
  // Deliver's first step: takes the emails of `emails` that an earlier call
  // sent without writing their entries (unrecorded_) and records them.
  Result<int> RecordEarlierSends(std::vector<std::pair<std::string, Email>>* emails, table::TableClient* writer);
  // Keeps outcomes whose Record failed for the caller's retry, up to kMaxUnrecorded.
  void KeepUnrecorded(std::vector<Outbox::Outcome> outcomes);
  void RecordServerResult(const Status& sent);

  Outbox* outbox_;
  Mailer* mailer_;
  DispatcherOptions options_;
  std::mutex random_mu_;
  std::mt19937_64 random_;  // guarded by random_mu_

  std::atomic<bool> quick_sends_{true};
  // Emails Deliver sent whose entries could not be written, by id: the
  // caller repeats the batch, and they are recorded then, not sent again.
  // Lost in a crash (the batch's emails are then sent again).
  static constexpr size_t kMaxUnrecorded = 10'000;
  std::mutex unrecorded_mu_;
  std::map<std::string, Outbox::Outcome> unrecorded_;  // guarded by unrecorded_mu_
  std::mutex breaker_mu_;
  int server_failures_ = 0;            // guarded by breaker_mu_; consecutive
  int64_t server_paused_until_ = 0;    // guarded by breaker_mu_

  // One per sending thread; each owns the ids hashing to it. New entries
  // reach their thread by id, so it claims them directly; the state-due index
  // is scanned only for retries, for entries written elsewhere and when ids
  // were not given, at most once per poll interval or when a retry is due.
  // (Scans walk the index keys every claim deletes, so one per email cost
  // O(emails sent lately).)
  struct Lane {
    std::condition_variable cv;
    uint64_t wakes = 0;            // guarded by mu_; the thread remembers the last it saw
    std::vector<OutboxEntry> fresh;  // guarded by mu_; new entries, claimed or to claim
    bool scan = false;             // guarded by mu_; scan the index on the next round
  };
  static constexpr size_t kMaxLaneEntries = 10'000;  // beyond: dropped, found by a scan
  // Sends new entries: those claimed at enqueue as they are, the others
  // (attempts 0, due now) after claiming them.
  Status AttemptNew(const std::vector<OutboxEntry>& fresh);
  // Sends claimed entries, marking each right after its send.
  Status SendClaimed(const std::vector<OutboxEntry>& claimed);
  // Records the outcome of a claimed entry's send.
  Status Finish(const OutboxEntry& claimed, const Status& sent, bool sync = true);
  std::mutex mu_;
  bool stop_ = false;  // guarded by mu_
  std::vector<std::unique_ptr<Lane>> lanes_;  // guarded by mu_; one per thread
  std::vector<std::thread> threads_;
};

}  // namespace notify
