// Test helper: a real SMTP server (python3-aiosmtpd writing a Maildir) on a
// free 127.0.0.1 port, started and stopped by the test. Recipients starting
// with "reject" get 550, "busy" get 451, "slow" 250 after 0.5 s; each EHLO
// is counted, so tests can see whether connections were reused. Over TLS it
// offers AUTH PLAIN/LOGIN and accepts the user "rivulet" with the password
// "s3cret p@ss".
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace notify::testing {

// A fresh folder under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A port on 127.0.0.1 that nothing listened on a moment ago.
int FreePort();

class SmtpSink {
 public:
  enum class Tls {
    kNone,
    kStartTls,  // STARTTLS offered and required before MAIL FROM
    kImplicit,  // SMTPS: TLS from the first byte
  };

  // Picks a free port; nothing runs until Start(). With TLS, a self-signed
  // certificate for 127.0.0.1 is written to cert_file().
  explicit SmtpSink(Tls tls = Tls::kNone);
  ~SmtpSink();  // Stop()

  // Starts aiosmtpd on port() and waits until it accepts connections.
  // Returns false (with a gtest failure) when it does not come up.
  bool Start();
  void Stop();

  int port() const { return port_; }
  std::string url() const {
    return (tls_ == Tls::kImplicit ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") + std::to_string(port_);
  }
  std::string cert_file() const { return (dir_.path() / "cert.pem").string(); }
  // Raw messages delivered so far, oldest first by file name.
  std::vector<std::string> Messages() const;
  // Waits (up to 20 s) until at least `count` messages arrived.
  std::vector<std::string> WaitForMessages(size_t count) const;
  int EhloCount() const;
  // One line per AUTH: "<user> ok" or "<user> denied".
  std::vector<std::string> AuthLog() const;

 private:
  TempDir dir_;
  Tls tls_;
  int port_;
  pid_t pid_ = -1;
};

// The message parsed by Python's email package (an independent MIME parser):
// decoded headers and the text and HTML parts, decoded.
struct ParsedMessage {
  std::string from, to, subject, message_id, date, mime_version, content_type;
  std::string text, html;
};
ParsedMessage ParseWithPython(const std::string& raw);

}  // namespace notify::testing
