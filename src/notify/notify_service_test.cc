#include "notify/notify_service.h"

#include <gtest/gtest.h>

#include "notify/smtp_sink_for_test.h"
#include "table/table_engine.h"

namespace notify {
namespace {

using testing::ParseWithPython;
using testing::SmtpSink;

nlohmann::json OrderData() {
  return {{"shopName", "Rivulet Shop"},
          {"shopUrl", "http://localhost:8080"},
          {"customerName", "Ada Lovelace"},
          {"orderNumber", "A1B2"},
          {"orderUrl", "http://localhost:8080/orders/ord-a1b2"},
          {"items", {{{"name", "Tea"}, {"quantity", 2}, {"unitPrice", "€6.25"}, {"lineTotal", "€12.50"}}}},
          {"total", "€12.50"},
          {"shippingAddress",
           {{"name", "Ada Lovelace"}, {"line1", "1 Main St"}, {"city", "London"}, {"postalCode", "N1"},
            {"country", "GB"}}}};
}

class NotifyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table::TableEngineOptions options;
    options.sync_writes = false;
    options.ttl_interval_millis = 0;
    auto engine = table::TableEngine::Open((dir_.path() / "tables").string(), options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    tables_ = std::move(engine).value();
  }

  testing::TempDir dir_;
  std::unique_ptr<table::TableEngine> tables_;
};

TEST(ParseMailboxTest, AcceptsTheUsualForms) {
  auto plain = ParseMailbox("Rivulet Shop <shop@rivulet.local>");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "Rivulet Shop");
  EXPECT_EQ(plain->address, "shop@rivulet.local");
  auto quoted = ParseMailbox(" \"Shop, Inc \\\"X\\\"\" <a@b.c> ");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->name, "Shop, Inc \"X\"");
  EXPECT_EQ(ParseMailbox("<a@b.c>")->address, "a@b.c");
  EXPECT_EQ(ParseMailbox("a@b.c")->name, "");
  EXPECT_TRUE(ParseMailbox("Shop <nope>").status().IsInvalidArgument());
  EXPECT_TRUE(ParseMailbox("").status().IsInvalidArgument());
}

TEST_F(NotifyServiceTest, DeliversAComposedOrderEmailFromTheConfiguredSender) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start());
  NotifyConfig config;
  config.smtp_url = sink.url();
  config.from = "Tea Shop <orders@tea.example>";
  auto service = NotifyService::Start(tables_.get(), config);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  EXPECT_FALSE((*service)->logging_only());

  auto email = (*service)->Compose("order_confirmed", OrderData(), {"Ada Lovelace", "ada@example.com"});
  ASSERT_TRUE(email.ok()) << email.status().ToString();
  ASSERT_TRUE((*service)->outbox().Enqueue("ord-a1b2:confirmed", *email).ok());

  auto messages = sink.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  auto parsed = ParseWithPython(messages[0]);
  EXPECT_EQ(parsed.from, "Tea Shop <orders@tea.example>");
  EXPECT_EQ(parsed.subject, "Your Rivulet Shop order A1B2 is confirmed");
  EXPECT_EQ(parsed.message_id, MessageIdFor("ord-a1b2:confirmed"));
  EXPECT_NE(parsed.text.find("2 x Tea"), std::string::npos) << parsed.text;
  EXPECT_NE(parsed.html.find("€12.50"), std::string::npos);
}

TEST_F(NotifyServiceTest, WithoutSmtpUrlEmailsAreLoggedAndMarkedSent) {
  NotifyConfig config;
  auto service = NotifyService::Start(tables_.get(), config);
  ASSERT_TRUE(service.ok()) << service.status().ToString();
  EXPECT_TRUE((*service)->logging_only());
  auto email = (*service)->Compose("order_shipped", OrderData(), {"Ada", "ada@example.com"});
  ASSERT_TRUE(email.ok());
  ASSERT_TRUE((*service)->outbox().Enqueue("ord-a1b2:shipped", *email).ok());
  // Stopping waits for the thread; then RunOnce finishes whatever it had not reached.
  (*service)->dispatcher().Stop();
  ASSERT_TRUE((*service)->dispatcher().RunOnce().ok());
  auto entry = (*service)->outbox().Get("ord-a1b2:shipped");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->state, OutboxState::kSent);
}

TEST_F(NotifyServiceTest, RejectsBadConfiguration) {
  NotifyConfig config;
  config.from = "not an address";
  EXPECT_TRUE(NotifyService::Start(tables_.get(), config).status().IsInvalidArgument());
  config = NotifyConfig();
  config.smtp_url = "http://mail.example.com";
  EXPECT_TRUE(NotifyService::Start(tables_.get(), config).status().IsInvalidArgument());
  config = NotifyConfig();
  config.max_attempts = 0;
  EXPECT_TRUE(NotifyService::Start(tables_.get(), config).status().IsInvalidArgument());
  config = NotifyConfig();
  config.threads = 0;
  EXPECT_TRUE(NotifyService::Start(tables_.get(), config).status().IsInvalidArgument());
  config = NotifyConfig();
  auto service = NotifyService::Start(tables_.get(), config);
  ASSERT_TRUE(service.ok());
  EXPECT_TRUE((*service)->Compose("nope", {}, {"", "a@b.c"}).status().IsNotFound());
}

}  // namespace
}  // namespace notify
