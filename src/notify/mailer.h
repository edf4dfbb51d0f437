// Mailer: sends one email. SmtpMailer delivers over SMTP/SMTPS with libcurl;
// LogMailer only logs (the server's choice when no SMTP URL is configured).
//
// The message bytes (RFC 5322 headers + MIME multipart/alternative body) are
// built by BuildMimeMessage, which tests call directly.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/idle_pool.h"
#include "common/status.h"

namespace notify {

using common::Result;
using common::Status;

struct Mailbox {
  std::string name;     // display name, any UTF-8; may be empty
  std::string address;  // "ada@example.com"
};

struct Email {
  Mailbox from;
  Mailbox to;
  std::string subject;    // UTF-8, one line
  std::string text_body;  // UTF-8 plain text; "\n" or "\r\n" line ends
  std::string html_body;  // UTF-8 HTML; empty for a text-only message
  // "<id@domain>", angle brackets included. The outbox derives a stable one
  // from the entry id; BuildMimeMessage requires it.
  std::string message_id;
  // Added as they are ("List-Unsubscribe", "<mailto:...>"). Names must be
  // printable ASCII without ':' and may not repeat the headers built here
  // (Date, From, To, Subject, Message-ID, MIME-Version, Content-*); values
  // must not contain CR or LF.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Thread safety: Send may be called from any number of threads at once.
class Mailer {
 public:
  virtual ~Mailer() = default;
  // OK once the server accepted the message for delivery (250 after DATA).
  // Unavailable: the server could not be reached, the connection broke, or
  // the server said 421 (it is going away). Throttled: the server answered
  // this message with another 4xx (retry it later). InvalidArgument: the
  // message or a recipient was rejected for good (5xx, malformed address).
  // Unauthenticated: credentials refused, or the server requires
  // authentication or TLS that was not configured.
  virtual Status Send(const Email& email) = 0;
};

// --- message building (exposed for tests and for LogMailer) ---

// Checks what Send needs: addresses (one '@', no spaces, angle brackets or
// control characters), a Message-ID in angle brackets, one-line subject and
// well-formed extra headers. InvalidArgument names the bad field.
Status ValidateEmail(const Email& email);

// The full message as sent after DATA: CRLF line ends, headers folded to
// 78 columns where possible, non-ASCII display names and subject as RFC 2047
// encoded words (UTF-8, base64), bodies quoted-printable. Text-only when
// html_body is empty, else multipart/alternative (text first, HTML last, so
// clients prefer HTML). `date_millis` becomes the Date: header (UTC).
// REQUIRES: ValidateEmail(email).ok().
std::string BuildMimeMessage(const Email& email, int64_t date_millis);

// Parses "Rivulet Shop <shop@rivulet.local>", "\"Shop, Inc\" <a@b.c>",
// "<a@b.c>" or "a@b.c" (the smtp.from setting). InvalidArgument otherwise.
Result<Mailbox> ParseMailbox(std::string_view text);

// "Wed, 25 Nov 2026 19:43:29 +0000".
std::string FormatRfc5322Date(int64_t millis);
// A header's display-name + address: `Ada <ada@x.org>`, `"Lovelace, Ada" <...>`,
// `=?UTF-8?B?...?= <...>`, or the bare address when the name is empty.
std::string FormatMailbox(const Mailbox& mailbox);
// RFC 2047 encoded words for `text` when it needs them (non-ASCII or control
// characters), else `text` unchanged. Words are at most 75 characters and
// split on UTF-8 character boundaries, separated by "\r\n ".
std::string EncodeHeaderText(std::string_view text);
// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks at 76 columns.
std::string EncodeQuotedPrintable(std::string_view text);

// --- SMTP ---

struct SmtpOptions {
  // smtp://host:port, smtps://user:pass@host:465 (user and password
  // percent-encoded), or smtp://host:587?starttls=true. The path (if any) is
  // the name used in EHLO, as in curl.
  std::string url;
  // Require STARTTLS on an smtp:// URL (CURLOPT_USE_SSL = CURLUSESSL_ALL).
  bool starttls = false;
  // TLS peer verification; turn off only for test servers with self-signed
  // certificates. `ca_file` overrides the system CA bundle.
  bool verify_peer = true;
  std::string ca_file;
  int connect_timeout_millis = 10'000;
  int timeout_millis = 60'000;  // whole transaction
  common::Clock* clock = common::SystemClock::Default();  // Date: header
};

// Delivers over SMTP with libcurl. Connections are reused: each sending
// thread borrows a CURL easy handle (which keeps its connection open) from a
// small pool and returns it afterwards, so a dispatcher thread keeps one
// SMTP session open across messages. Dot-stuffing is done by libcurl.
class SmtpMailer final : public Mailer {
 public:
  // InvalidArgument when the URL is not smtp:// or smtps://.
  static Result<std::unique_ptr<SmtpMailer>> Create(SmtpOptions options);
  ~SmtpMailer() override;

  Status Send(const Email& email) override;

  // The URL without its password, for logs.
  const std::string& redacted_url() const { return redacted_url_; }

 private:
  struct Handle;
  explicit SmtpMailer(SmtpOptions options);
  std::unique_ptr<Handle> Borrow();

  SmtpOptions options_;
  std::string curl_url_;  // options_.url without our own query parameters
  std::string redacted_url_;
  common::IdlePool<Handle> idle_;
};

// Logs each message (recipient, subject, Message-ID) and reports success;
// keeps nothing. For running without an SMTP server. The first 20 messages
// are logged at info level, later ones at debug with an info line every
// 1000, so a load test does not flood the log.
class LogMailer final : public Mailer {
 public:
  Status Send(const Email& email) override;

 private:
  std::atomic<uint64_t> count_{0};
};

}  // namespace notify
