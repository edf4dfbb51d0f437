#include "notify/notify_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace notify {

Result<std::unique_ptr<NotifyService>> NotifyService::Start(table::TableClient* tables, NotifyConfig config) {
  if (config.max_attempts < 1 || config.max_attempts > 1000) {
    return Status::InvalidArgument(
        fmt::format("notify.max_attempts is {}; it must be 1 to 1000", config.max_attempts));
  }
  if (config.threads < 1 || config.threads > 64) {
    return Status::InvalidArgument(fmt::format("notify.threads is {}; it must be 1 to 64", config.threads));
  }
  std::unique_ptr<NotifyService> service(new NotifyService());
  ASSIGN_OR_RETURN(service->from_, ParseMailbox(config.from));
  ASSIGN_OR_RETURN(service->templates_, TemplateStore::Open(config.template_dirs));
  for (const auto& [file, source] : service->templates_->sources()) {
    spdlog::debug("email template {} from {}", file, source);
  }

  if (config.smtp_timeout_millis < 100 || config.smtp_timeout_millis > 3'600'000) {
    return Status::InvalidArgument(
        fmt::format("smtp.timeout_ms is {}; it must be 100 to 3600000", config.smtp_timeout_millis));
  }
  if (!config.sends) {
    service->mailer_ = std::make_unique<LogMailer>();
  } else if (config.smtp_url.empty()) {
    service->mailer_ = std::make_unique<LogMailer>();
    service->logging_only_ = true;
    spdlog::warn("smtp.url (RIVULET_SMTP_URL) is not set: emails are logged, not sent");
  } else {
    SmtpOptions smtp;
    smtp.url = config.smtp_url;
    smtp.starttls = config.starttls;
    smtp.verify_peer = config.verify_peer;
    smtp.ca_file = config.ca_file;
    smtp.timeout_millis = static_cast<int>(config.smtp_timeout_millis);
    smtp.connect_timeout_millis = static_cast<int>(std::min<int64_t>(smtp.connect_timeout_millis, config.smtp_timeout_millis));
    smtp.clock = config.clock;
    ASSIGN_OR_RETURN(std::unique_ptr<SmtpMailer> mailer, SmtpMailer::Create(smtp));
    spdlog::info("emails go to {}{}", mailer->redacted_url(), config.starttls ? " (STARTTLS required)" : "");
    service->mailer_ = std::move(mailer);
  }

  OutboxOptions outbox_options;
  outbox_options.table_name = config.outbox_table;
  outbox_options.clock = config.clock;
  outbox_options.dictionary_sample = service->templates_->Sample();
  ASSIGN_OR_RETURN(service->outbox_, Outbox::Open(tables, outbox_options));

  DispatcherOptions dispatcher_options;
  dispatcher_options.max_attempts = config.max_attempts;
  dispatcher_options.threads = config.threads;
  dispatcher_options.release_in_flight_on_start = config.sole_sender;
  dispatcher_options.lease_millis = 2 * config.smtp_timeout_millis;
  service->dispatcher_ =
      std::make_unique<Dispatcher>(service->outbox_.get(), service->mailer_.get(), dispatcher_options);
  if (config.sends) service->dispatcher_->Start();
  return service;
}

NotifyService::~NotifyService() {
  if (dispatcher_) dispatcher_->Stop();
}

Result<Email> NotifyService::Compose(std::string_view name, const nlohmann::json& data, Mailbox to) const {
  ASSIGN_OR_RETURN(RenderedEmail rendered, templates_->Render(name, data));
  Email email;
  email.from = from_;
  email.to = std::move(to);
  email.subject = std::move(rendered.subject);
  email.text_body = std::move(rendered.text);
  email.html_body = std::move(rendered.html);
  return email;
}

}  // namespace notify
