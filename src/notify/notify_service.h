// NotifyService: the email stack in one object, for the server to own and the
// notifier function to use: templates, the outbox, the mailer chosen from
// configuration (SMTP, or logging when no SMTP URL is set) and the running
// dispatcher.
//
// Lifecycle: Start() opens everything and starts the dispatcher thread; the
// destructor stops it. Thread safety: every method may be called from any
// thread. REQUIRES: the TableClient outlives the service.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "notify/mailer.h"
#include "notify/outbox.h"
#include "notify/template.h"
#include "table/table_client.h"

namespace notify {

// The settings the server reads (see README.md, "Configuration").
struct NotifyConfig {
  std::string smtp_url;  // smtp.url; "" logs emails instead of sending them
  std::string from = "Rivulet Shop <shop@rivulet.local>";  // smtp.from
  bool starttls = false;                                   // smtp.starttls
  bool verify_peer = true;                                 // smtp.verify_peer
  std::string ca_file;                                     // smtp.ca_file
  // One SMTP transaction's limit (smtp.timeout_ms). A claimed email is
  // leased for twice this: if its sender dies mid-send, another worker sends
  // it once the lease runs out.
  int64_t smtp_timeout_millis = 60'000;
  int max_attempts = 20;                                   // notify.max_attempts
  int threads = 4;                                         // notify.threads: sending threads
  // Searched in order, e.g. {"<data-dir>/templates", "templates"}; the
  // built-in templates fill in whatever these do not have.
  std::vector<std::string> template_dirs;
  std::string outbox_table = "rivulet-outbox";
  // False when other processes send from the same outbox (several workers):
  // then attempts in flight at start may be theirs, and only their claim's
  // lease running out hands them over.
  bool sole_sender = true;
  // False on nodes that do not run the functions (--role api): they share
  // the outbox with the workers and must not deliver from it (nor release
  // the workers' claims), so no dispatcher starts there.
  bool sends = true;
  common::Clock* clock = common::SystemClock::Default();
};

class NotifyService {
 public:
  // InvalidArgument for a bad smtp.from, smtp.url or max_attempts, or a
  // template that does not parse; the table's error when the outbox cannot
  // be created.
  static Result<std::unique_ptr<NotifyService>> Start(table::TableClient* tables, NotifyConfig config);
  ~NotifyService();

  // Renders template `name` (order_confirmed, ...) with `data` into an
  // email from the configured sender to `to`. NotFound for an unknown name.
  Result<Email> Compose(std::string_view name, const nlohmann::json& data, Mailbox to) const;

  Outbox& outbox() { return *outbox_; }
  const TemplateStore& templates() const { return *templates_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const Mailbox& from() const { return from_; }
  // True when emails are only logged (no smtp.url).
  bool logging_only() const { return logging_only_; }

 private:
  NotifyService() = default;

  Mailbox from_;
  bool logging_only_ = false;
  std::unique_ptr<TemplateStore> templates_;
  std::unique_ptr<Mailer> mailer_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Dispatcher> dispatcher_;  // destroyed first: it uses the others
};

}  // namespace notify
