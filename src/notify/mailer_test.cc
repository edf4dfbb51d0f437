#include "notify/mailer.h"

#include <gtest/gtest.h>

#include "notify/smtp_sink_for_test.h"

namespace notify {
namespace {

using testing::ParseWithPython;
using testing::SmtpSink;

Email SampleEmail() {
  Email email;
  email.from = {"Rivulet Shop", "shop@rivulet.local"};
  email.to = {"Zoë Müller", "zoe@example.com"};
  email.subject = "Your order №42 is confirmed ✓";
  email.text_body = "Hi Zoë,\n\nTotal: €12.50\n.a line starting with a dot\n";
  email.html_body = "<p>Hi Zo&euml;, total <b>€12.50</b></p>\n";
  email.message_id = "<abc123@rivulet>";
  email.headers = {{"X-Rivulet-Order", "42"}};
  return email;
}

// Decodes the RFC 2047 words of a header value (base64 only) for checks
// that do not need Python.
std::string DecodeBase64(std::string_view in) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    buffer = (buffer << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

TEST(MimeTest, MessageHasDateMessageIdAndBothParts) {
  std::string message = BuildMimeMessage(SampleEmail(), 1'795'636'334'000);
  EXPECT_NE(message.find("Date: Wed, 25 Nov 2026 19:52:14 +0000\r\n"), std::string::npos) << message;
  EXPECT_NE(message.find("Message-ID: <abc123@rivulet>\r\n"), std::string::npos);
  EXPECT_NE(message.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(message.find("X-Rivulet-Order: 42\r\n"), std::string::npos);
  EXPECT_NE(message.find("From: Rivulet Shop <shop@rivulet.local>\r\n"), std::string::npos);
  EXPECT_NE(message.find("Content-Type: multipart/alternative;"), std::string::npos);
  size_t text = message.find("Content-Type: text/plain; charset=UTF-8");
  size_t html = message.find("Content-Type: text/html; charset=UTF-8");
  ASSERT_NE(text, std::string::npos);
  ASSERT_NE(html, std::string::npos);
  EXPECT_LT(text, html) << "clients show the last alternative they understand; HTML goes last";

  auto parsed = ParseWithPython(message);
  EXPECT_EQ(parsed.content_type, "multipart/alternative");
  EXPECT_EQ(parsed.subject, "Your order №42 is confirmed ✓");
  EXPECT_EQ(parsed.to, "Zoë Müller <zoe@example.com>");
  EXPECT_EQ(parsed.text, "Hi Zoë,\n\nTotal: €12.50\n.a line starting with a dot\n");
  EXPECT_EQ(parsed.html, "<p>Hi Zo&euml;, total <b>€12.50</b></p>\n");
}

TEST(MimeTest, EveryLineEndsWithCrlfAndStaysWithin78Columns) {
  Email email = SampleEmail();
  email.subject = std::string(40, 'x') + " " + std::string(40, 'y') + " " + std::string(10, 'z');
  email.text_body = std::string(300, 'a') + "\n";
  std::string message = BuildMimeMessage(email, 0);
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "unterminated last line";
    EXPECT_EQ(message.substr(start, end - start).find('\n'), std::string::npos) << "bare LF";
    EXPECT_LE(end - start, 78u) << message.substr(start, end - start);
    start = end + 2;
  }
  EXPECT_EQ(ParseWithPython(message).subject, email.subject);
}

TEST(MimeTest, TextOnlyMessageHasOnePlainPart) {
  Email email = SampleEmail();
  email.html_body.clear();
  std::string message = BuildMimeMessage(email, 0);
  EXPECT_EQ(message.find("multipart"), std::string::npos);
  auto parsed = ParseWithPython(message);
  EXPECT_EQ(parsed.content_type, "text/plain");
  EXPECT_EQ(parsed.text, email.text_body);
}

TEST(MimeTest, NonAsciiHeaderTextBecomesEncodedWordsSplitOnCharacters) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "ü€";  // 2- and 3-byte characters
  std::string encoded = EncodeHeaderText(text);
  std::string decoded;
  size_t pos = 0;
  int words = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = encoded.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u) << "an encoded word is at most 75 characters";
    std::string part = DecodeBase64(encoded.substr(pos + 10, end - pos - 10));
    // Each word holds whole characters: it never ends inside a UTF-8 sequence.
    ASSERT_FALSE(part.empty());
    unsigned char last_lead = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      if ((static_cast<unsigned char>(part[i]) & 0xC0) != 0x80) last_lead = static_cast<unsigned char>(part[i]);
    }
    size_t tail = part.size() - part.find_last_of(static_cast<char>(last_lead));
    EXPECT_EQ(tail, last_lead >= 0xE0 ? 3u : 2u);
    decoded += part;
    pos = end + 2;
    ++words;
  }
  EXPECT_GT(words, 1);
  EXPECT_EQ(decoded, text);
  EXPECT_EQ(EncodeHeaderText("plain ascii"), "plain ascii");
}

TEST(MimeTest, DisplayNamesAreQuotedOrEncodedWhenNeeded) {
  EXPECT_EQ(FormatMailbox({"", "a@b.c"}), "a@b.c");
  EXPECT_EQ(FormatMailbox({"Ada Lovelace", "a@b.c"}), "Ada Lovelace <a@b.c>");
  EXPECT_EQ(FormatMailbox({"Lovelace, Ada \"A\"", "a@b.c"}), "\"Lovelace, Ada \\\"A\\\"\" <a@b.c>");
  std::string encoded = FormatMailbox({"Zoë", "a@b.c"});
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u) << encoded;
  EXPECT_EQ(DecodeBase64(encoded.substr(10, encoded.find("?=") - 10)), "Zoë");
}

TEST(MimeTest, QuotedPrintableEscapesWhatItMust) {
  EXPECT_EQ(EncodeQuotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(EncodeQuotedPrintable("é"), "=C3=A9");
  EXPECT_EQ(EncodeQuotedPrintable("trailing \nx"), "trailing=20\r\nx");
  EXPECT_EQ(EncodeQuotedPrintable(".dot"), "=2Edot");
  EXPECT_EQ(EncodeQuotedPrintable("a\r\nb\n"), "a\r\nb\r\n");
  std::string long_line = EncodeQuotedPrintable(std::string(100, 'q'));
  EXPECT_EQ(long_line.find("=\r\n"), 75u) << "soft break keeps lines at 76 columns";
}

TEST(MimeTest, ValidateRejectsHeaderInjectionAndBadAddresses) {
  Email email = SampleEmail();
  email.subject = "hi\r\nBcc: victim@example.com";
  EXPECT_TRUE(ValidateEmail(email).IsInvalidArgument());
  email = SampleEmail();
  email.to.address = "no-at-sign";
  EXPECT_TRUE(ValidateEmail(email).IsInvalidArgument());
  email = SampleEmail();
  email.to.address = "a@b.c>\r\nRCPT TO:<x@y.z";
  EXPECT_TRUE(ValidateEmail(email).IsInvalidArgument());
  email = SampleEmail();
  email.headers = {{"Message-ID", "<other@x>"}};
  EXPECT_TRUE(ValidateEmail(email).IsInvalidArgument());
  email = SampleEmail();
  email.message_id = "no-brackets@x";
  EXPECT_TRUE(ValidateEmail(email).IsInvalidArgument());
  EXPECT_TRUE(ValidateEmail(SampleEmail()).ok());
}

class SmtpMailerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(sink_.Start()); }

  std::unique_ptr<SmtpMailer> Mailer(std::string url = "") {
    SmtpOptions options;
    options.url = url.empty() ? sink_.url() : url;
    options.connect_timeout_millis = 5'000;
    options.timeout_millis = 20'000;
    auto mailer = SmtpMailer::Create(options);
    EXPECT_TRUE(mailer.ok()) << mailer.status().ToString();
    return std::move(mailer).value();
  }

  SmtpSink sink_;
};

TEST_F(SmtpMailerTest, DeliversOneMessageWithHeadersAndBothParts) {
  auto mailer = Mailer();
  ASSERT_TRUE(mailer->Send(SampleEmail()).ok());
  auto messages = sink_.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  auto parsed = ParseWithPython(messages[0]);
  EXPECT_EQ(parsed.message_id, "<abc123@rivulet>");
  EXPECT_FALSE(parsed.date.empty());
  EXPECT_EQ(parsed.subject, "Your order №42 is confirmed ✓");
  EXPECT_EQ(parsed.from, "Rivulet Shop <shop@rivulet.local>");
  EXPECT_EQ(parsed.text, "Hi Zoë,\n\nTotal: €12.50\n.a line starting with a dot\n");
  EXPECT_EQ(parsed.html, "<p>Hi Zo&euml;, total <b>€12.50</b></p>\n");
}

TEST_F(SmtpMailerTest, ReusesTheConnectionForConsecutiveMessages) {
  auto mailer = Mailer();
  for (int i = 0; i < 3; ++i) {
    Email email = SampleEmail();
    email.message_id = "<m" + std::to_string(i) + "@rivulet>";
    ASSERT_TRUE(mailer->Send(email).ok());
  }
  ASSERT_EQ(sink_.WaitForMessages(3).size(), 3u);
  EXPECT_EQ(sink_.EhloCount(), 1);
}

TEST_F(SmtpMailerTest, RejectedRecipientIsInvalidArgument) {
  Email email = SampleEmail();
  email.to.address = "reject-me@example.com";
  Status status = Mailer()->Send(email);
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("550"), std::string::npos) << status.ToString();
}

TEST_F(SmtpMailerTest, TemporaryRejectionIsThrottled) {
  Email email = SampleEmail();
  email.to.address = "busy@example.com";
  Status status = Mailer()->Send(email);
  EXPECT_EQ(status.code(), Status::Code::kThrottled) << status.ToString();
}

TEST_F(SmtpMailerTest, ServerDownIsUnavailableAndRecoversWhenItReturns) {
  auto mailer = Mailer();
  sink_.Stop();
  Status down = mailer->Send(SampleEmail());
  EXPECT_EQ(down.code(), Status::Code::kUnavailable) << down.ToString();
  ASSERT_TRUE(sink_.Start());
  Status up = mailer->Send(SampleEmail());
  EXPECT_TRUE(up.ok()) << up.ToString();
  EXPECT_EQ(sink_.WaitForMessages(1).size(), 1u);
}

// STARTTLS and SMTPS against aiosmtpd with a self-signed certificate for 127.0.0.1.
class SmtpTlsTest : public ::testing::Test {
 protected:
  static std::unique_ptr<SmtpMailer> TlsMailer(const SmtpSink& sink, bool starttls, std::string ca_file) {
    SmtpOptions options;
    options.url = sink.url();
    options.starttls = starttls;
    options.ca_file = std::move(ca_file);
    options.connect_timeout_millis = 5'000;
    options.timeout_millis = 20'000;
    return std::move(SmtpMailer::Create(options)).value();
  }
};

TEST_F(SmtpTlsTest, StartTlsDeliversWhenAsked) {
  SmtpSink sink(SmtpSink::Tls::kStartTls);
  ASSERT_TRUE(sink.Start());
  Status sent = TlsMailer(sink, /*starttls=*/true, sink.cert_file())->Send(SampleEmail());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  auto messages = sink.WaitForMessages(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(ParseWithPython(messages[0]).message_id, "<abc123@rivulet>");
}

TEST_F(SmtpTlsTest, StartTlsCanBeAskedForInTheUrl) {
  SmtpSink sink(SmtpSink::Tls::kStartTls);
  ASSERT_TRUE(sink.Start());
  SmtpOptions options;
  options.url = sink.url() + "?starttls=true";
  options.ca_file = sink.cert_file();
  Status sent = std::move(SmtpMailer::Create(options)).value()->Send(SampleEmail());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  EXPECT_EQ(sink.WaitForMessages(1).size(), 1u);
}

TEST_F(SmtpTlsTest, ServerRequiringTlsIsAConfigurationErrorNotARejection) {
  SmtpSink sink(SmtpSink::Tls::kStartTls);
  ASSERT_TRUE(sink.Start());
  Status sent = TlsMailer(sink, /*starttls=*/false, "")->Send(SampleEmail());
  EXPECT_EQ(sent.code(), Status::Code::kUnauthenticated) << sent.ToString();
  EXPECT_TRUE(sink.Messages().empty());
}

TEST_F(SmtpTlsTest, SmtpsDeliversAndChecksTheCertificate) {
  SmtpSink sink(SmtpSink::Tls::kImplicit);
  ASSERT_TRUE(sink.Start());
  Status untrusted = TlsMailer(sink, false, "")->Send(SampleEmail());
  EXPECT_EQ(untrusted.code(), Status::Code::kUnavailable) << "self-signed, not in the system CAs: "
                                                          << untrusted.ToString();
  Status sent = TlsMailer(sink, false, sink.cert_file())->Send(SampleEmail());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  EXPECT_EQ(sink.WaitForMessages(1).size(), 1u);
}

// Over STARTTLS: aiosmtpd offers AUTH only after STARTTLS (not on SMTPS), and
// the credentials take the same path in curl for both.
TEST_F(SmtpTlsTest, CredentialsComeFromTheUrl) {
  SmtpSink sink(SmtpSink::Tls::kStartTls);
  ASSERT_TRUE(sink.Start());
  SmtpOptions options;
  options.url = "smtp://rivulet:s3cret%20p%40ss@127.0.0.1:" + std::to_string(sink.port());
  options.starttls = true;
  options.ca_file = sink.cert_file();
  Status sent = std::move(SmtpMailer::Create(options)).value()->Send(SampleEmail());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  EXPECT_EQ(sink.WaitForMessages(1).size(), 1u);
  EXPECT_EQ(sink.AuthLog(), std::vector<std::string>{"rivulet ok"});

  options.url = "smtp://rivulet:wrong@127.0.0.1:" + std::to_string(sink.port());
  Status denied = std::move(SmtpMailer::Create(options)).value()->Send(SampleEmail());
  EXPECT_EQ(denied.code(), Status::Code::kUnauthenticated) << denied.ToString();
  EXPECT_EQ(denied.message().find("wrong"), std::string::npos) << "the password is never logged";
}

TEST(SmtpMailerCreateTest, RejectsOtherSchemesAndHidesPasswords) {
  SmtpOptions options;
  options.url = "http://example.com";
  EXPECT_TRUE(SmtpMailer::Create(options).status().IsInvalidArgument());
  options.url = "smtps://user:secret@mail.example.com:465?starttls=true";
  auto mailer = SmtpMailer::Create(options);
  ASSERT_TRUE(mailer.ok());
  EXPECT_EQ((*mailer)->redacted_url(), "smtps://user:***@mail.example.com:465");
}

}  // namespace
}  // namespace notify
