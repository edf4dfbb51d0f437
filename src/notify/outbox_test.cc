#include "notify/outbox.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "notify/smtp_sink_for_test.h"
#include "table/table_engine.h"

namespace notify {
namespace {

using testing::ParseWithPython;
using testing::SmtpSink;

Email MakeEmail(const std::string& to, const std::string& subject) {
  Email email;
  email.from = {"Rivulet Shop", "shop@rivulet.local"};
  email.to = {"Ada Lovelace", to};
  email.subject = subject;
  email.text_body = "Hello Ada,\nyour order is confirmed.\n";
  email.html_body = "<p>Hello Ada,<br>your order is confirmed.</p>";
  return email;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngineOptions table_options;
    table_options.sync_writes = false;
    table_options.ttl_interval_millis = 0;
    table_options.clock = &clock_;
    auto engine = table::TableEngine::Open((dir_.path() / "tables").string(), table_options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    tables_ = std::move(engine).value();
    OutboxOptions options;
    options.clock = &clock_;
    auto outbox = Outbox::Open(tables_.get(), options);
    ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
    outbox_ = std::move(outbox).value();
  }

  // A real SMTP mailer; with the sink not started its port refuses connections.
  std::unique_ptr<SmtpMailer> MakeMailer() {
    SmtpOptions options;
    options.url = sink_.url();
    options.connect_timeout_millis = 5'000;
    options.timeout_millis = 20'000;
    options.clock = &clock_;
    return std::move(SmtpMailer::Create(options)).value();
  }

  DispatcherOptions ExactBackoff(int max_attempts = 20) {
    DispatcherOptions options;
    options.jitter = 0;
    options.max_attempts = max_attempts;
    return options;
  }

  OutboxEntry Get(const std::string& id) {
    auto entry = outbox_->Get(id);
    EXPECT_TRUE(entry.ok() && entry->has_value()) << id;
    return entry.ok() && entry->has_value() ? **entry : OutboxEntry{};
  }

  void Enqueue(const std::string& id, const std::string& to = "ada@example.com") {
    ASSERT_TRUE(outbox_->Enqueue(id, MakeEmail(to, "Order " + id)).ok());
  }

  int RunOnce(Dispatcher& dispatcher) {
    auto ran = dispatcher.RunOnce();
    EXPECT_TRUE(ran.ok()) << ran.status().ToString();
    return ran.ok() ? *ran : -1;
  }

  testing::TempDir dir_;
  common::ManualClock clock_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<Outbox> outbox_;
  SmtpSink sink_;
};

TEST(MessageIdTest, IsStableAndDerivedFromTheEntryId) {
  EXPECT_EQ(MessageIdFor("o-1:confirmed"), MessageIdFor("o-1:confirmed"));
  EXPECT_NE(MessageIdFor("o-1:confirmed"), MessageIdFor("o-1:shipped"));
  std::string id = MessageIdFor("o-1:confirmed");
  EXPECT_EQ(id.front(), '<');
  EXPECT_EQ(id.substr(id.size() - 9), "@rivulet>");
  EXPECT_EQ(id.size(), 1 + 40 + 9u);
}

TEST(BackoffTest, DoublesFromOneSecondUpToFiveMinutes) {
  DispatcherOptions options;
  options.jitter = 0;
  std::vector<int64_t> delays;
  for (int failed = 1; failed <= 12; ++failed) delays.push_back(BackoffDelayMillis(failed, options, 0.5));
  EXPECT_EQ(delays, (std::vector<int64_t>{1'000, 2'000, 4'000, 8'000, 16'000, 32'000, 64'000, 128'000, 256'000,
                                          300'000, 300'000, 300'000}));
  EXPECT_EQ(BackoffDelayMillis(1000, options, 0.5), 300'000) << "no overflow for huge attempt counts";
}

TEST(BackoffTest, JitterOnlyShortensTheDelayByAtMostItsFraction) {
  DispatcherOptions options;
  options.jitter = 0.2;
  EXPECT_EQ(BackoffDelayMillis(3, options, 0.0), 4'000);
  EXPECT_EQ(BackoffDelayMillis(3, options, 0.5), 3'600);
  EXPECT_GE(BackoffDelayMillis(3, options, 0.999999), 3'200);
  EXPECT_LE(BackoffDelayMillis(20, options, 0.0), 300'000);
}

TEST_F(OutboxTest, EnqueueTwiceWithTheSameIdWritesOnce) {
  bool created = false;
  ASSERT_TRUE(outbox_->Enqueue("o-1:confirmed", MakeEmail("ada@example.com", "First"), &created).ok());
  EXPECT_TRUE(created);
  clock_.AdvanceMillis(5'000);
  ASSERT_TRUE(outbox_->Enqueue("o-1:confirmed", MakeEmail("eve@example.com", "Second"), &created).ok());
  EXPECT_FALSE(created);

  OutboxEntry entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.email.subject, "First");
  EXPECT_EQ(entry.email.to.address, "ada@example.com");
  EXPECT_EQ(entry.state, OutboxState::kQueued);
  EXPECT_EQ(entry.attempts, 0);
  EXPECT_EQ(entry.created_millis, clock_.NowMillis() - 5'000);
  EXPECT_EQ(entry.email.message_id, MessageIdFor("o-1:confirmed"));
  EXPECT_EQ(outbox_->counters().enqueued.load(), 1u);
  EXPECT_EQ(outbox_->counters().duplicates.load(), 1u);
  EXPECT_EQ(*outbox_->Count(OutboxState::kQueued), 1);
}

TEST_F(OutboxTest, EnqueueManyWritesTheNewEntriesOfABatchThatHoldsDuplicates) {
  ASSERT_TRUE(outbox_->Enqueue("o-2:confirmed", MakeEmail("eve@example.com", "Earlier")).ok());
  std::vector<std::pair<std::string, Email>> emails;
  for (int i = 1; i <= 3; ++i) {
    emails.emplace_back("o-" + std::to_string(i) + ":confirmed",
                        MakeEmail("ada@example.com", "Order o-" + std::to_string(i)));
  }
  // The transaction fails on o-2's condition; the other two are retried.
  ASSERT_EQ(*outbox_->EnqueueMany(std::move(emails)), 2);
  EXPECT_EQ(Get("o-1:confirmed").email.subject, "Order o-1");
  EXPECT_EQ(Get("o-2:confirmed").email.subject, "Earlier");
  EXPECT_EQ(Get("o-3:confirmed").email.subject, "Order o-3");
  EXPECT_EQ(Get("o-3:confirmed").email.to.address, "ada@example.com");
  EXPECT_EQ(outbox_->counters().duplicates.load(), 1u);
}

TEST_F(OutboxTest, EnqueueRejectsBadIdsAndEmails) {
  EXPECT_TRUE(outbox_->Enqueue("", MakeEmail("ada@example.com", "x")).IsInvalidArgument());
  EXPECT_TRUE(outbox_->Enqueue("o-1", MakeEmail("not an address", "x")).IsInvalidArgument());
  EXPECT_TRUE(outbox_->Enqueue("o-1", MakeEmail("ada@example.com", "a\r\nBcc: x@y.z")).IsInvalidArgument());
  EXPECT_FALSE(outbox_->Get("o-1")->has_value());
}

TEST_F(OutboxTest, EnqueueActionCommitsWithTheCallersTransactionOnlyOnce) {
  table::CreateTableRequest create;
  create.table_name = "checkpoints";
  create.key_schema = {{"k", table::KeyType::kHash}};
  create.attribute_definitions = {{"k", table::AttributeValue::Type::kS}};
  ASSERT_TRUE(tables_->CreateTable(create).ok());
  auto transact = [&](const std::string& sequence, table::WriteFailure* failure) {
    table::TransactWriteItem checkpoint;
    checkpoint.kind = table::TransactWriteItem::Kind::kPut;
    checkpoint.table_name = "checkpoints";
    checkpoint.item = {{"k", table::AttributeValue::S("shard-0")}, {"seq", table::AttributeValue::S(sequence)}};
    auto enqueue = outbox_->MakeEnqueueAction("o-9:confirmed", MakeEmail("ada@example.com", "Hi"));
    EXPECT_TRUE(enqueue.ok());
    return tables_->TransactWriteItems({checkpoint, *enqueue}, "", failure);
  };

  table::WriteFailure failure;
  ASSERT_TRUE(transact("100", &failure).ok());
  outbox_->NotifyEnqueued();
  Status again = transact("101", &failure);
  ASSERT_TRUE(again.IsConditionFailed()) << again.ToString();
  EXPECT_TRUE(Outbox::IsAlreadyEnqueued(failure, 1));
  EXPECT_FALSE(Outbox::IsAlreadyEnqueued(failure, 0));

  EXPECT_EQ(Get("o-9:confirmed").state, OutboxState::kQueued);
  table::GetItemRequest get;
  get.table_name = "checkpoints";
  get.key = {{"k", table::AttributeValue::S("shard-0")}};
  EXPECT_EQ((*tables_->GetItem(get))->at("seq").scalar(), "100") << "the whole second transaction was cancelled";
}

TEST_F(OutboxTest, FailedAttemptsBackOffExponentiallyUntilFailed) {
  auto mailer = MakeMailer();  // nothing listens: every attempt is refused
  Dispatcher dispatcher(outbox_.get(), mailer.get(), ExactBackoff(/*max_attempts=*/4));
  Enqueue("o-1:confirmed");
  int64_t start = clock_.NowMillis();

  EXPECT_EQ(RunOnce(dispatcher), 1);
  OutboxEntry entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kQueued);
  EXPECT_EQ(entry.attempts, 1);
  EXPECT_EQ(entry.next_attempt_millis, start + 1'000);
  EXPECT_NE(entry.last_error.find("Unavailable"), std::string::npos) << entry.last_error;

  clock_.AdvanceMillis(999);
  EXPECT_EQ(RunOnce(dispatcher), 0) << "not due before its backoff ends";
  clock_.AdvanceMillis(1);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  EXPECT_EQ(Get("o-1:confirmed").next_attempt_millis, clock_.NowMillis() + 2'000);
  clock_.AdvanceMillis(2'000);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  EXPECT_EQ(Get("o-1:confirmed").next_attempt_millis, clock_.NowMillis() + 4'000);
  EXPECT_EQ(Get("o-1:confirmed").attempts, 3);

  clock_.AdvanceMillis(4'000);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kFailed) << "the fourth failure is the last";
  EXPECT_EQ(entry.attempts, 4);
  EXPECT_EQ(outbox_->counters().retries.load(), 3u);
  EXPECT_EQ(outbox_->counters().failed.load(), 1u);
  clock_.AdvanceMillis(600'000);
  EXPECT_EQ(RunOnce(dispatcher), 0);

  auto failed = outbox_->List(OutboxState::kFailed, 10);
  ASSERT_TRUE(failed.ok());
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(ToJson((*failed)[0])["state"], "FAILED");
}

TEST_F(OutboxTest, DispatcherThreadDeliversEachEntryOnceWithItsMessageId) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get());
  dispatcher.Start();
  for (int i = 0; i < 3; ++i) Enqueue("o-" + std::to_string(i) + ":confirmed");
  auto messages = sink_.WaitForMessages(3);
  dispatcher.Stop();

  ASSERT_EQ(messages.size(), 3u);
  std::set<std::string> ids;
  for (const std::string& raw : messages) {
    auto parsed = ParseWithPython(raw);
    ids.insert(parsed.message_id);
    EXPECT_EQ(parsed.to, "Ada Lovelace <ada@example.com>");
    EXPECT_EQ(parsed.text, "Hello Ada,\nyour order is confirmed.\n");
    EXPECT_EQ(parsed.html, "<p>Hello Ada,<br>your order is confirmed.</p>");
  }
  EXPECT_EQ(ids, (std::set<std::string>{MessageIdFor("o-0:confirmed"), MessageIdFor("o-1:confirmed"),
                                        MessageIdFor("o-2:confirmed")}));
  for (int i = 0; i < 3; ++i) {
    OutboxEntry entry = Get("o-" + std::to_string(i) + ":confirmed");
    EXPECT_EQ(entry.state, OutboxState::kSent);
    EXPECT_EQ(entry.sent_millis, clock_.NowMillis());
    // What the admin view shows stays; the bodies leave the table.
    EXPECT_EQ(entry.email.to.address, "ada@example.com");
    EXPECT_EQ(entry.email.subject, "Order o-" + std::to_string(i) + ":confirmed");
    EXPECT_EQ(entry.email.message_id, MessageIdFor(entry.id));
    EXPECT_EQ(entry.email.text_body, "");
    EXPECT_EQ(entry.email.html_body, "");
  }
  // Nothing is left to send, also much later.
  clock_.AdvanceMillis(3'600'000);
  EXPECT_EQ(RunOnce(dispatcher), 0);
  EXPECT_EQ(sink_.Messages().size(), 3u);
  EXPECT_EQ(outbox_->counters().sent.load(), 3u);
}

TEST_F(OutboxTest, EntriesWaitWhileSmtpIsDownAndAreDeliveredOnceWhenItReturns) {
  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get(), ExactBackoff());
  const std::vector<std::string> ids = {"o-1:confirmed", "o-2:confirmed", "o-3:confirmed"};
  for (const auto& id : ids) Enqueue(id);
  // While the server is down, one entry per pause probes it; the others keep
  // their attempts instead of each burning one.
  for (int round = 1; round <= 4; ++round) {
    EXPECT_EQ(RunOnce(dispatcher), 1);
    EXPECT_EQ(RunOnce(dispatcher), 0) << "paused after the failed probe";
    int attempts = 0;
    for (const auto& id : ids) {
      OutboxEntry entry = Get(id);
      EXPECT_EQ(entry.state, OutboxState::kQueued);
      attempts += entry.attempts;
    }
    EXPECT_EQ(attempts, round);
    clock_.AdvanceMillis(300'000);
  }

  ASSERT_TRUE(sink_.Start());
  EXPECT_EQ(RunOnce(dispatcher), 3);
  for (const auto& id : ids) EXPECT_EQ(Get(id).state, OutboxState::kSent);
  clock_.AdvanceMillis(600'000);
  EXPECT_EQ(RunOnce(dispatcher), 0);
  auto messages = sink_.WaitForMessages(3);
  ASSERT_EQ(messages.size(), 3u);
  std::set<std::string> message_ids;
  for (const auto& raw : messages) message_ids.insert(ParseWithPython(raw).message_id);
  EXPECT_EQ(message_ids, (std::set<std::string>{MessageIdFor(ids[0]), MessageIdFor(ids[1]), MessageIdFor(ids[2])}));
}

TEST_F(OutboxTest, ServerPauseGrowsAndEndsWithTheFirstSuccess) {
  auto mailer = MakeMailer();
  DispatcherOptions options = ExactBackoff();
  options.server_max_backoff_millis = 4'000;
  Dispatcher dispatcher(outbox_.get(), mailer.get(), options);
  for (int i = 0; i < 5; ++i) Enqueue("o-" + std::to_string(i));
  EXPECT_EQ(RunOnce(dispatcher), 1);
  clock_.AdvanceMillis(999);
  EXPECT_EQ(RunOnce(dispatcher), 0) << "paused for 1 s";
  clock_.AdvanceMillis(1);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  clock_.AdvanceMillis(1'999);
  EXPECT_EQ(RunOnce(dispatcher), 0) << "then 2 s";
  clock_.AdvanceMillis(1);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  clock_.AdvanceMillis(4'000);
  EXPECT_EQ(RunOnce(dispatcher), 1) << "then 4 s, the configured cap";
  clock_.AdvanceMillis(4'000);
  ASSERT_TRUE(sink_.Start());
  EXPECT_EQ(RunOnce(dispatcher), 5) << "the first success resumes everything due";
  EXPECT_EQ(outbox_->counters().sent.load(), 5u);
}

TEST_F(OutboxTest, TwoDispatchersNeverSendTheSameEntryTwice) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher first(outbox_.get(), mailer.get());
  Dispatcher second(outbox_.get(), mailer.get());
  constexpr int kEntries = 20;
  for (int i = 0; i < kEntries; ++i) Enqueue("o-" + std::to_string(i) + ":confirmed");
  int a = 0, b = 0;
  std::thread t1([&] { a = RunOnce(first); });
  std::thread t2([&] { b = RunOnce(second); });
  t1.join();
  t2.join();
  EXPECT_EQ(a + b, kEntries);
  auto messages = sink_.WaitForMessages(kEntries);
  EXPECT_EQ(messages.size(), static_cast<size_t>(kEntries));
  std::set<std::string> ids;
  for (const auto& raw : messages) ids.insert(ParseWithPython(raw).message_id);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kEntries));
}

TEST_F(OutboxTest, AnAttemptAbandonedMidSendIsRetriedAfterItsLease) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  DispatcherOptions options = ExactBackoff();
  Dispatcher dispatcher(outbox_.get(), mailer.get(), options);
  Enqueue("o-1:confirmed");
  // Another dispatcher claimed the entry and died before finishing.
  auto claimed = outbox_->Claim(Get("o-1:confirmed"), clock_.NowMillis() + options.lease_millis);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());

  EXPECT_EQ(RunOnce(dispatcher), 0) << "the lease protects the attempt in flight";
  clock_.AdvanceMillis(options.lease_millis);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  OutboxEntry entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kSent);
  EXPECT_EQ(entry.attempts, 2);
  // The dead attempt's late report is refused: the entry moved on.
  EXPECT_TRUE(outbox_->MarkRetry(**claimed, clock_.NowMillis(), "late").IsConditionFailed());
  EXPECT_EQ(sink_.WaitForMessages(1).size(), 1u);
}

TEST_F(OutboxTest, AfterARestartAttemptsLeftInFlightAreSentWithoutWaitingForTheLease) {
  ASSERT_TRUE(sink_.Start());
  Enqueue("o-1:confirmed");
  Enqueue("o-2:confirmed");
  // The previous process claimed o-1 and died mid-send.
  auto claimed = outbox_->Claim(Get("o-1:confirmed"), clock_.NowMillis() + 120'000);
  ASSERT_TRUE(claimed.ok() && claimed->has_value());

  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get());  // the restarted process
  dispatcher.Start();
  auto messages = sink_.WaitForMessages(2);
  dispatcher.Stop();
  ASSERT_EQ(messages.size(), 2u) << "the ManualClock never moved: no lease ran out";
  OutboxEntry entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kSent);
  EXPECT_EQ(entry.attempts, 2);
  EXPECT_EQ(*outbox_->ReleaseInFlight(), 0) << "nothing is left in flight";
}

TEST_F(OutboxTest, RejectedRecipientFailsAtOnceAndCanBeRequeued) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get(), ExactBackoff());
  Enqueue("o-1:confirmed", "reject@example.com");
  EXPECT_EQ(RunOnce(dispatcher), 1);
  OutboxEntry entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kFailed);
  EXPECT_EQ(entry.attempts, 1);
  EXPECT_NE(entry.last_error.find("550"), std::string::npos) << entry.last_error;

  EXPECT_TRUE(outbox_->Requeue("nope").IsNotFound());
  ASSERT_TRUE(outbox_->Requeue("o-1:confirmed").ok());
  EXPECT_TRUE(outbox_->Requeue("o-1:confirmed").IsConditionFailed()) << "only FAILED entries";
  entry = Get("o-1:confirmed");
  EXPECT_EQ(entry.state, OutboxState::kQueued);
  EXPECT_EQ(entry.attempts, 0);
}

TEST_F(OutboxTest, ListOrdersQueuedBySoonestAndSentByMostRecent) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get(), ExactBackoff());
  for (int i = 0; i < 3; ++i) {
    Enqueue("o-" + std::to_string(i));
    clock_.AdvanceMillis(10);
  }
  auto queued = outbox_->List(OutboxState::kQueued, 10);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 3u);
  EXPECT_EQ((*queued)[0].id, "o-0");
  EXPECT_EQ((*queued)[2].id, "o-2");
  // Whole entries, although the index holds only keys and attempts.
  auto described = tables_->DescribeTable("rivulet-outbox");
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->global_secondary_indexes.size(), 1u);
  EXPECT_EQ(described->global_secondary_indexes[0].projection.type, table::ProjectionType::kInclude);
  EXPECT_EQ((*queued)[0].email.subject, "Order o-0");
  EXPECT_EQ((*queued)[0].email.text_body, "Hello Ada,\nyour order is confirmed.\n");
  EXPECT_EQ((*queued)[0].created_millis, (*queued)[0].next_attempt_millis);
  EXPECT_EQ(RunOnce(dispatcher), 3);
  auto sent = outbox_->List(OutboxState::kSent, 2);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->size(), 2u);
  EXPECT_EQ(*outbox_->Count(OutboxState::kSent), 3);
  EXPECT_EQ(*outbox_->Count(OutboxState::kSent, 2), 2) << "counts stop at the limit";
  EXPECT_EQ(*outbox_->Count(OutboxState::kSent, 3), 3);
  EXPECT_EQ(*outbox_->Count(OutboxState::kSent, 4), 3);
  EXPECT_EQ(*outbox_->Count(OutboxState::kQueued), 0);
  EXPECT_TRUE(outbox_->List(OutboxState::kSent, 0).status().IsInvalidArgument());
}

// The dispatcher's batch claim: one transaction claims new entries; entries
// already claimed, or unknown, are skipped.
TEST_F(OutboxTest, ClaimNewClaimsNewEntriesTogether) {
  for (const char* id : {"o-1", "o-2", "o-3"}) Enqueue(id);
  auto claimed = outbox_->ClaimNew({"o-1", "o-2", "o-3", "o-unknown"}, clock_.NowMillis() + 60'000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), 3u);
  for (const OutboxEntry& entry : *claimed) {
    EXPECT_EQ(entry.attempts, 1);
    EXPECT_EQ(entry.email.text_body, "Hello Ada,\nyour order is confirmed.\n");  // read from the item
  }
  auto again = outbox_->ClaimNew({"o-1", "o-2"}, clock_.NowMillis() + 60'000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());

  // o-3 is given back unattempted; o-1 and o-2 are sent.
  ASSERT_TRUE(outbox_->Release((*claimed)[2], clock_.NowMillis() + 5'000).ok());
  ASSERT_TRUE(outbox_->MarkSent((*claimed)[0]).ok());
  ASSERT_TRUE(outbox_->MarkSent((*claimed)[1]).ok());
  EXPECT_EQ(Get("o-1").state, OutboxState::kSent);
  EXPECT_EQ(Get("o-2").state, OutboxState::kSent);
  OutboxEntry released = Get("o-3");
  EXPECT_EQ(released.state, OutboxState::kQueued);
  EXPECT_EQ(released.attempts, 0);
  EXPECT_EQ(released.next_attempt_millis, clock_.NowMillis() + 5'000);
  EXPECT_EQ(outbox_->counters().sent.load(), 2u);
  // Marking again changes nothing: those attempts are over.
  EXPECT_TRUE(outbox_->MarkSent((*claimed)[0]).IsConditionFailed());
  EXPECT_EQ(outbox_->counters().sent.load(), 2u);
}

// MarkSentAsync: each `done` runs once, after which the entry reads SENT; a
// mark of an attempt that is over is refused through `done`, not counted.
TEST_F(OutboxTest, AsyncMarksReportEachOutcomeOnceAndAreVisibleThen) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back("o-" + std::to_string(i));
  for (const std::string& id : ids) Enqueue(id);
  auto claimed = outbox_->ClaimNew(ids, clock_.NowMillis() + 60'000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->size(), ids.size());

  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::vector<Status>> outcomes;  // guarded by mu
  std::map<std::string, OutboxState> seen;              // guarded by mu: read in `done`
  auto mark = [&](const OutboxEntry& entry) {
    outbox_->MarkSentAsync(entry, [&, id = entry.id](const Status& marked) {
      auto stored = outbox_->Get(id);
      std::lock_guard lock(mu);
      outcomes[id].push_back(marked);
      if (stored.ok() && stored->has_value()) seen[id] = (*stored)->state;
      cv.notify_all();
    });
  };
  auto wait_for = [&](size_t count) {
    std::unique_lock lock(mu);
    size_t total = 0;
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
      total = 0;
      for (const auto& [id, list] : outcomes) total += list.size();
      return total >= count;
    })) << total << " of " << count << " marks answered";
  };
  for (const OutboxEntry& entry : *claimed) mark(entry);
  wait_for(ids.size());
  for (const std::string& id : ids) {
    std::lock_guard lock(mu);
    ASSERT_EQ(outcomes[id].size(), 1u) << id;
    EXPECT_TRUE(outcomes[id][0].ok()) << id << ": " << outcomes[id][0].ToString();
    EXPECT_EQ(seen[id], OutboxState::kSent) << id;
  }
  EXPECT_EQ(outbox_->counters().sent.load(), ids.size());

  mark((*claimed)[0]);  // that attempt is over
  wait_for(ids.size() + 1);
  std::lock_guard lock(mu);
  ASSERT_EQ(outcomes[ids[0]].size(), 2u);
  EXPECT_TRUE(outcomes[ids[0]][1].IsConditionFailed()) << outcomes[ids[0]][1].ToString();
  EXPECT_EQ(outbox_->counters().sent.load(), ids.size());
}

// With a dispatcher in the process (SetClaimLease), EnqueueMany writes its
// entries claimed and hands them over whole; a crash before the send leaves
// them in flight, which ReleaseInFlight (or the lease) makes due again.
TEST_F(OutboxTest, EntriesEnqueuedForALocalDispatcherArriveClaimed) {
  std::vector<OutboxEntry> handed;
  outbox_->SetWakeHook([&](const std::vector<OutboxEntry>& entries) {
    handed.insert(handed.end(), entries.begin(), entries.end());
  });
  outbox_->SetClaimLease(60'000);
  std::vector<std::pair<std::string, Email>> emails;
  emails.emplace_back("o-1", MakeEmail("ada@example.com", "Order o-1"));
  ASSERT_EQ(*outbox_->EnqueueMany(std::move(emails)), 1);
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0].attempts, 1);
  EXPECT_EQ(handed[0].email.subject, "Order o-1");
  EXPECT_EQ(handed[0].email.message_id, MessageIdFor("o-1"));
  OutboxEntry stored = Get("o-1");
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.next_attempt_millis, clock_.NowMillis() + 60'000);
  auto due = outbox_->Due(clock_.NowMillis(), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());  // ours while the lease lasts
  EXPECT_EQ(*outbox_->ReleaseInFlight(), 1);
  EXPECT_EQ(outbox_->Due(clock_.NowMillis(), 10)->size(), 1u);

  // Without a hook (no dispatcher here), entries are written unclaimed.
  outbox_->SetWakeHook(nullptr);
  outbox_->SetClaimLease(60'000);
  std::vector<std::pair<std::string, Email>> more;
  more.emplace_back("o-2", MakeEmail("ada@example.com", "Order o-2"));
  ASSERT_EQ(*outbox_->EnqueueMany(std::move(more)), 1);
  EXPECT_EQ(Get("o-2").attempts, 0);
}

std::vector<std::pair<std::string, Email>> Batch(const std::vector<std::string>& ids) {
  std::vector<std::pair<std::string, Email>> emails;
  for (const auto& id : ids) emails.emplace_back(id, MakeEmail("ada@example.com", "Order " + id));
  return emails;
}

TEST_F(OutboxTest, DeliverSendsNewEmailsAtOnceAndWritesEachEntryOnlyAsSent) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  DispatcherOptions options;
  options.inline_send_millis = 10'000;  // a send slowed by a busy machine still counts as quick
  Dispatcher dispatcher(outbox_.get(), mailer.get(), options);
  dispatcher.Start();
  const std::vector<std::string> ids = {"o-1:confirmed", "o-2:confirmed", "o-3:confirmed"};
  auto written = dispatcher.Deliver(Batch(ids));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, 3);
  // Sent before Deliver returned, each once, with its stable Message-ID.
  auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 3u);
  std::set<std::string> message_ids;
  for (const auto& raw : messages) message_ids.insert(ParseWithPython(raw).message_id);
  EXPECT_EQ(message_ids, (std::set<std::string>{MessageIdFor(ids[0]), MessageIdFor(ids[1]), MessageIdFor(ids[2])}));
  for (const auto& id : ids) {
    OutboxEntry entry = Get(id);
    EXPECT_EQ(entry.state, OutboxState::kSent);
    EXPECT_EQ(entry.attempts, 1);
    EXPECT_EQ(entry.sent_millis, clock_.NowMillis());
    EXPECT_EQ(entry.email.to.address, "ada@example.com");
    EXPECT_EQ(entry.email.subject, "Order " + id);
    EXPECT_EQ(entry.email.message_id, MessageIdFor(id));
    EXPECT_EQ(entry.email.text_body, "") << "a sent entry keeps no bodies";
  }
  EXPECT_EQ(outbox_->counters().sent.load(), 3u);

  // A redelivered batch (and a repeat within one) sends nothing again.
  auto again = dispatcher.Deliver(Batch({ids[0], ids[1], ids[0]}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  clock_.AdvanceMillis(3'600'000);
  dispatcher.Stop();
  EXPECT_EQ(RunOnce(dispatcher), 0);
  EXPECT_EQ(sink_.Messages().size(), 3u);
  EXPECT_EQ(outbox_->counters().duplicates.load(), 3u);
}

TEST_F(OutboxTest, DeliverQueuesWhatTheServerRefusedAndTheQueueSendsItOnceLater) {
  auto mailer = MakeMailer();  // the sink is not started: connections are refused
  Dispatcher dispatcher(outbox_.get(), mailer.get(), ExactBackoff());
  dispatcher.Start();
  const std::vector<std::string> ids = {"o-1:confirmed", "o-2:confirmed", "o-3:confirmed"};
  auto written = dispatcher.Deliver(Batch(ids));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(*written, 3);
  // The first send failed and is retried after the first backoff; the
  // server's pause sent the others to the queue unattempted.
  OutboxEntry first = Get(ids[0]);
  EXPECT_EQ(first.state, OutboxState::kQueued);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.next_attempt_millis, clock_.NowMillis() + 1'000);
  EXPECT_NE(first.last_error, "");
  EXPECT_EQ(first.email.text_body, "Hello Ada,\nyour order is confirmed.\n");
  for (const auto& id : {ids[1], ids[2]}) EXPECT_EQ(Get(id).state, OutboxState::kQueued);
  EXPECT_EQ(outbox_->counters().sent.load(), 0u);
  dispatcher.Stop();

  ASSERT_TRUE(sink_.Start());
  clock_.AdvanceMillis(300'000);  // past the pause and any lease
  Dispatcher later(outbox_.get(), mailer.get(), ExactBackoff());
  EXPECT_EQ(RunOnce(later), 3);
  for (const auto& id : ids) EXPECT_EQ(Get(id).state, OutboxState::kSent);
  auto messages = sink_.WaitForMessages(3);
  std::set<std::string> message_ids;
  for (const auto& raw : messages) message_ids.insert(ParseWithPython(raw).message_id);
  EXPECT_EQ(messages.size(), 3u);
  EXPECT_EQ(message_ids, (std::set<std::string>{MessageIdFor(ids[0]), MessageIdFor(ids[1]), MessageIdFor(ids[2])}));
}

TEST_F(OutboxTest, AfterASlowSendDeliverQueuesUntilASendIsQuickAgain) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  DispatcherOptions options;
  options.inline_send_millis = 200;  // well below the slow 500 ms, well above a quick send here
  Dispatcher dispatcher(outbox_.get(), mailer.get(), options);
  dispatcher.Start();
  std::vector<std::pair<std::string, Email>> slow;
  slow.emplace_back("o-1:confirmed", MakeEmail("slow@example.com", "Order o-1"));
  ASSERT_EQ(*dispatcher.Deliver(std::move(slow)), 1);
  EXPECT_EQ(Get("o-1:confirmed").state, OutboxState::kSent) << "sent inline: nothing told it the server was slow";
  EXPECT_FALSE(dispatcher.sends_inline());

  // The next email goes through the queue; its quick send by a sending
  // thread turns inline sending back on.
  ASSERT_EQ(*dispatcher.Deliver(Batch({"o-2:confirmed"})), 1);
  EXPECT_EQ(sink_.WaitForMessages(2).size(), 2u);
  for (int i = 0; i < 200 && !dispatcher.sends_inline(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(dispatcher.sends_inline());
  dispatcher.Stop();
  EXPECT_EQ(Get("o-2:confirmed").state, OutboxState::kSent);
  EXPECT_EQ(sink_.Messages().size(), 2u);
}

TEST_F(OutboxTest, DeliverWithoutRunningThreadsOnlyEnqueues) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher dispatcher(outbox_.get(), mailer.get());
  ASSERT_EQ(*dispatcher.Deliver(Batch({"o-1:confirmed"})), 1);
  EXPECT_TRUE(sink_.Messages().empty());
  EXPECT_EQ(Get("o-1:confirmed").state, OutboxState::kQueued);
  EXPECT_EQ(RunOnce(dispatcher), 1);
  EXPECT_EQ(Get("o-1:confirmed").state, OutboxState::kSent);
  EXPECT_EQ(sink_.WaitForMessages(1).size(), 1u);
}

// The real engine, except that its next `failures` transactions fail as a
// full disk would (a table error Deliver cannot check for before it sends).
class TransactionsFailingFor : public table::TableClient {
 public:
  TransactionsFailingFor(table::TableClient* engine, int failures) : engine_(engine), failures_(failures) {}
  using Request = std::map<std::string, table::KeysAndAttributes>;
  Result<table::TableDescription> CreateTable(const table::CreateTableRequest& r) override {
    return engine_->CreateTable(r);
  }
  Result<table::TableDescription> DeleteTable(const std::string& t) override { return engine_->DeleteTable(t); }
  Result<table::TableDescription> DescribeTable(const std::string& t) override { return engine_->DescribeTable(t); }
  Result<table::TableDescription> UpdateTable(const table::UpdateTableRequest& r) override {
    return engine_->UpdateTable(r);
  }
  Result<std::vector<std::string>> ListTables(const std::string& start, int limit, std::string* last) override {
    return engine_->ListTables(start, limit, last);
  }
  Status UpdateTimeToLive(const std::string& t, const std::string& a) override {
    return engine_->UpdateTimeToLive(t, a);
  }
  Result<table::WriteResult> PutItem(const table::PutItemRequest& r, table::WriteFailure* f) override {
    return engine_->PutItem(r, f);
  }
  Result<table::WriteResult> UpdateItem(const table::UpdateItemRequest& r, table::WriteFailure* f) override {
    return engine_->UpdateItem(r, f);
  }
  Result<table::WriteResult> DeleteItem(const table::DeleteItemRequest& r, table::WriteFailure* f) override {
    return engine_->DeleteItem(r, f);
  }
  Result<std::optional<table::Item>> GetItem(const table::GetItemRequest& r) override { return engine_->GetItem(r); }
  Result<table::QueryResult> Query(const table::QueryRequest& r) override { return engine_->Query(r); }
  Result<table::QueryResult> Scan(const table::ScanRequest& r) override { return engine_->Scan(r); }
  Result<table::BatchGetResult> BatchGetItem(const Request& r) override { return engine_->BatchGetItem(r); }
  Result<table::BatchWriteResult> BatchWriteItem(
      const std::map<std::string, std::vector<table::WriteRequest>>& r) override {
    return engine_->BatchWriteItem(r);
  }
  Status TransactWriteItems(const std::vector<table::TransactWriteItem>& items, const std::string& token,
                            table::WriteFailure* failure) override {
    if (failures_ > 0) {
      --failures_;
      return Status::IOError("no space left on device");
    }
    return engine_->TransactWriteItems(items, token, failure);
  }
  Result<std::vector<std::optional<table::Item>>> TransactGetItems(
      const std::vector<table::TransactGetItem>& items) override {
    return engine_->TransactGetItems(items);
  }

 private:
  table::TableClient* engine_;
  int failures_;
};

TEST_F(OutboxTest, EmailsWhoseEntriesCouldNotBeWrittenAreRecordedOnTheRetryNotSentAgain) {
  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  DispatcherOptions options;
  options.inline_send_millis = 10'000;  // all three are sent inline
  Dispatcher dispatcher(outbox_.get(), mailer.get(), options);
  dispatcher.Start();
  TransactionsFailingFor writer(tables_.get(), 2);
  const std::vector<std::string> ids = {"o-1:confirmed", "o-2:confirmed", "o-3:confirmed"};
  auto first = dispatcher.Deliver(Batch(ids), &writer);
  EXPECT_EQ(first.status().code(), Status::Code::kIOError) << first.status().ToString();
  EXPECT_EQ(sink_.Messages().size(), 3u) << "sent before the write failed";
  auto entry = outbox_->Get(ids[0]);
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->has_value());

  // The notifier repeats the batch; the write fails once more, then works.
  EXPECT_EQ(dispatcher.Deliver(Batch(ids), &writer).status().code(), Status::Code::kIOError);
  auto retried = dispatcher.Deliver(Batch({ids[0], ids[1], ids[2], ids[0], "o-4:confirmed"}), &writer);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(*retried, 4);
  for (const auto& id : {ids[0], ids[1], ids[2], std::string("o-4:confirmed")}) {
    EXPECT_EQ(Get(id).state, OutboxState::kSent) << id;
  }
  dispatcher.Stop();
  auto messages = sink_.Messages();
  std::multiset<std::string> message_ids;
  for (const auto& raw : messages) message_ids.insert(ParseWithPython(raw).message_id);
  EXPECT_EQ(message_ids, (std::multiset<std::string>{MessageIdFor(ids[0]), MessageIdFor(ids[1]), MessageIdFor(ids[2]),
                                                     MessageIdFor("o-4:confirmed")}))
      << "each email once";
}

// Outbox tables created before the index shrank copy every attribute into
// the index; Due then returns whole entries, and everything still works.
TEST_F(OutboxTest, AnOutboxWhoseIndexHoldsWholeEntriesStillDelivers) {
  table::CreateTableRequest create;
  create.table_name = "old-outbox";
  create.key_schema = {{"id", table::KeyType::kHash}};
  create.attribute_definitions = {{"id", table::AttributeValue::Type::kS},
                                  {"state", table::AttributeValue::Type::kS},
                                  {"due_millis", table::AttributeValue::Type::kN}};
  table::GlobalSecondaryIndex index;
  index.index_name = Outbox::kStateIndex;
  index.key_schema = {{"state", table::KeyType::kHash}, {"due_millis", table::KeyType::kRange}};
  create.global_secondary_indexes = {index};
  ASSERT_TRUE(tables_->CreateTable(create).ok());
  OutboxOptions options;
  options.clock = &clock_;
  options.table_name = "old-outbox";
  auto old = Outbox::Open(tables_.get(), options);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  ASSERT_TRUE((*old)->Enqueue("o-1:confirmed", MakeEmail("ada@example.com", "Order o-1")).ok());

  ASSERT_TRUE(sink_.Start());
  auto mailer = MakeMailer();
  Dispatcher dispatcher(old->get(), mailer.get(), ExactBackoff());
  EXPECT_EQ(RunOnce(dispatcher), 1);
  auto messages = sink_.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(ParseWithPython(messages[0]).text, "Hello Ada,\nyour order is confirmed.\n");
  auto sent = (*old)->List(OutboxState::kSent, 10);
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].email.subject, "Order o-1");
  EXPECT_EQ((*sent)[0].email.html_body, "");
}

// A page of little repetition, as an email layout is to zstd.
std::string Layout(uint32_t seed) {
  std::string layout;
  for (int i = 0; i < 300; ++i) {
    seed = seed * 1103515245 + 12345;
    layout += "<td class=\"c" + std::to_string(seed % 997) + "\">" + std::to_string(seed >> 8) + "</td>";
  }
  return layout;
}

TEST_F(OutboxTest, BodiesShrinkAgainstTheDictionaryAndStayReadableInAnyProcess) {
  OutboxOptions options;
  options.clock = &clock_;
  options.table_name = "dictionary-outbox";
  options.dictionary_sample = Layout(1);
  auto with = Outbox::Open(tables_.get(), options);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  Email email = MakeEmail("ada@example.com", "Order o-1");
  email.html_body = Layout(1) + "<p>Dear Ada, thank you.</p>";
  ASSERT_TRUE((*with)->Enqueue("o-1:confirmed", email).ok());
  options.dictionary_sample.clear();
  auto without = Outbox::Open(tables_.get(), options);
  ASSERT_TRUE(without.ok());
  ASSERT_TRUE((*without)->Enqueue("o-2:confirmed", email).ok());

  auto raw = [&](const std::string& id) {
    table::GetItemRequest get;
    get.table_name = "dictionary-outbox";
    get.key = {{"id", table::AttributeValue::S(id)}};
    return **tables_->GetItem(get);
  };
  table::Item packed = raw("o-1:confirmed"), alone = raw("o-2:confirmed");
  ASSERT_TRUE(packed.count("bodies_dictionary"));
  EXPECT_FALSE(alone.count("bodies_dictionary"));
  EXPECT_LT(packed.at("bodies_zstd").scalar().size() * 4, alone.at("bodies_zstd").scalar().size());

  // Another process, with no dictionary or another one, reads both; the
  // dictionary's own item is in no listing.
  options.dictionary_sample = Layout(2);
  auto other = Outbox::Open(tables_.get(), options);
  ASSERT_TRUE(other.ok());
  for (const auto* outbox : {&*without, &*other}) {
    for (const char* id : {"o-1:confirmed", "o-2:confirmed"}) {
      auto entry = (*outbox)->Get(id);
      ASSERT_TRUE(entry.ok() && entry->has_value()) << id << " " << entry.status().ToString();
      EXPECT_EQ((*entry)->email.html_body, email.html_body);
      EXPECT_EQ((*entry)->email.text_body, email.text_body);
    }
  }
  auto queued = (*other)->List(OutboxState::kQueued, 10);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->size(), 2u);

  // Without its dictionary an entry is reported as damaged, not misread.
  table::DeleteItemRequest del;
  del.table_name = "dictionary-outbox";
  del.key = {{"id", table::AttributeValue::S("zstd-dictionary#" + packed.at("bodies_dictionary").scalar())}};
  ASSERT_TRUE(tables_->DeleteItem(del).ok());
  auto fresh = Outbox::Open(tables_.get(), options);
  ASSERT_TRUE(fresh.ok());
  auto damaged = (*fresh)->Get("o-1:confirmed");
  EXPECT_EQ(damaged.status().code(), Status::Code::kCorruption) << damaged.status().ToString();
  EXPECT_TRUE((*fresh)->Get("o-2:confirmed").ok());
}

}  // namespace
}  // namespace notify
