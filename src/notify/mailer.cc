#include "notify/mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <ctime>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/fnv1a.h"

namespace notify {

namespace {

constexpr size_t kFoldColumn = 78;
constexpr size_t kMaxEncodedWord = 75;  // RFC 2047 section 2
constexpr size_t kQpLineLimit = 76;     // RFC 2045 section 6.7

bool IsPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool ContainsLineBreak(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos || s.find('\0') != std::string_view::npos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// Length of the UTF-8 sequence starting with `lead` (1 for stray bytes, which
// are then passed through as they are).
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Encoded words for `text`; the first one leaves room for `first_used`
// columns already on its line.
std::string EncodeWords(std::string_view text, size_t first_used) {
  static constexpr std::string_view kPrefix = "=?UTF-8?B?";
  static constexpr std::string_view kSuffix = "?=";
  std::string out;
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t used = first ? first_used : 1;  // continuation lines start with one space
    size_t room = kMaxEncodedWord;
    if (used + kMaxEncodedWord > kFoldColumn) room = kFoldColumn > used ? kFoldColumn - used : 0;
    size_t payload_chars = room > kPrefix.size() + kSuffix.size() ? room - kPrefix.size() - kSuffix.size() : 0;
    size_t max_bytes = std::max<size_t>(payload_chars / 4 * 3, 12);  // never less than 3 chars of UTF-8
    size_t end = pos;
    while (end < text.size()) {
      size_t len = Utf8SequenceLength(static_cast<unsigned char>(text[end]));
      if (end + len > text.size()) len = text.size() - end;
      if (end + len - pos > max_bytes) break;
      end += len;
    }
    if (end == pos) end = std::min(text.size(), pos + Utf8SequenceLength(static_cast<unsigned char>(text[pos])));
    if (!first) out += "\r\n ";
    out += kPrefix;
    out += Base64(text.substr(pos, end - pos));
    out += kSuffix;
    pos = end;
    first = false;
  }
  return out;
}

// Folds one header ("Name: value") at spaces so physical lines stay within
// 78 columns where a space allows; existing CRLF-space folds are kept.
std::string FoldHeader(std::string_view name, std::string_view value) {
  std::string line = std::string(name) + ": " + std::string(value);
  std::string out;
  size_t start = 0;
  size_t min_split = name.size() + 2;  // never fold right after "Name:"
  while (start < line.size()) {
    size_t eol = line.find("\r\n", start);
    if (eol == std::string::npos) eol = line.size();
    std::string_view physical(line.data() + start, eol - start);
    while (physical.size() > kFoldColumn) {
      size_t split = physical.rfind(' ', kFoldColumn);
      if (split == std::string_view::npos || split <= min_split) {
        split = physical.find(' ', std::max(kFoldColumn, min_split + 1));
        if (split == std::string_view::npos) break;
      }
      out.append(physical.substr(0, split));
      out += "\r\n";
      physical.remove_prefix(split);  // the space starts the continuation line
      min_split = 1;
    }
    out.append(physical);
    if (eol < line.size()) out += "\r\n";
    start = eol + 2;
    min_split = 1;
  }
  out += "\r\n";
  return out;
}

// RFC 5322 atext plus space: a display name made only of these needs no quotes.
bool IsPlainPhrase(std::string_view s) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~ ";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string_view::npos;
  });
}

Status ValidateAddress(std::string_view field, std::string_view address) {
  if (address.empty()) return Status::InvalidArgument(fmt::format("{} address is empty", field));
  if (address.size() > 254) {
    return Status::InvalidArgument(
        fmt::format("{} address is {} characters; the limit is 254", field, address.size()));
  }
  size_t at = address.find('@');
  bool ok = at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
            address.find('@', at + 1) == std::string_view::npos;
  ok = ok && std::all_of(address.begin(), address.end(), [](char c) {
         return c > 0x20 && c != 0x7f && c != '<' && c != '>' && c != ',' && c != '"' && c != '\\' &&
                c != '(' && c != ')' && c != ';' && c != ':' && c != '[' && c != ']';
       });
  if (!ok) return Status::InvalidArgument(fmt::format("{} address '{}' is not a valid address", field, address));
  return Status::OK();
}

constexpr std::array<std::string_view, 9> kBuiltHeaders = {
    "Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding", "Bcc"};

}  // namespace

Status ValidateEmail(const Email& email) {
  RETURN_IF_ERROR(ValidateAddress("from", email.from.address));
  RETURN_IF_ERROR(ValidateAddress("to", email.to.address));
  if (ContainsLineBreak(email.from.name)) return Status::InvalidArgument("from name contains a line break");
  if (ContainsLineBreak(email.to.name)) return Status::InvalidArgument("to name contains a line break");
  if (ContainsLineBreak(email.subject)) return Status::InvalidArgument("subject contains a line break");
  const std::string& id = email.message_id;
  if (id.size() < 5 || id.front() != '<' || id.back() != '>' || id.find('@') == std::string::npos ||
      !IsPrintableAscii(id) || id.find(' ') != std::string::npos || id.size() > 250) {
    return Status::InvalidArgument(fmt::format("message_id '{}' is not of the form <id@domain>", id));
  }
  for (const auto& [name, value] : email.headers) {
    bool name_ok = !name.empty() && name.size() <= 76 &&
                   std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
    if (!name_ok) return Status::InvalidArgument(fmt::format("header name '{}' is not a valid field name", name));
    for (std::string_view built : kBuiltHeaders) {
      if (EqualsIgnoreCase(name, built)) {
        return Status::InvalidArgument(fmt::format("header {} is set by the mailer and cannot be given", name));
      }
    }
    if (ContainsLineBreak(value)) return Status::InvalidArgument(fmt::format("header {} contains a line break", name));
  }
  return Status::OK();
}

Result<Mailbox> ParseMailbox(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  std::string_view in = trim(text);
  Mailbox mailbox;
  if (!in.empty() && in.back() == '>') {
    size_t open = in.rfind('<');
    if (open == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("'{}' is not of the form Name <address>", text));
    }
    mailbox.address = std::string(trim(in.substr(open + 1, in.size() - open - 2)));
    std::string_view name = trim(in.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        mailbox.name += name[i];
      }
    } else {
      mailbox.name = std::string(name);
    }
  } else {
    mailbox.address = std::string(in);
  }
  RETURN_IF_ERROR(ValidateAddress("mailbox", mailbox.address));
  if (ContainsLineBreak(mailbox.name)) return Status::InvalidArgument("mailbox name contains a line break");
  return mailbox;
}

std::string FormatRfc5322Date(int64_t millis) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string EncodeHeaderText(std::string_view text) {
  if (IsPrintableAscii(text)) return std::string(text);
  return EncodeWords(text, 0);
}

std::string FormatMailbox(const Mailbox& mailbox) {
  if (mailbox.name.empty()) return mailbox.address;
  std::string phrase;
  if (!IsPrintableAscii(mailbox.name)) {
    phrase = EncodeWords(mailbox.name, 6);  // after "From: " or "To: "
  } else if (IsPlainPhrase(mailbox.name)) {
    phrase = mailbox.name;
  } else {
    phrase = "\"";
    for (char c : mailbox.name) {
      if (c == '"' || c == '\\') phrase += '\\';
      phrase += c;
    }
    phrase += '"';
  }
  return phrase + " <" + mailbox.address + ">";
}

std::string EncodeQuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t line_start = 0;
  while (line_start <= text.size()) {
    size_t eol = text.find('\n', line_start);
    bool last = eol == std::string_view::npos;
    std::string_view line = text.substr(line_start, (last ? text.size() : eol) - line_start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty() && line_start > 0) break;  // text ended with a line break
    size_t column = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      bool at_end = i + 1 == line.size();
      bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
      if (c == '.' && column == 0) literal = false;  // belt and braces next to curl's dot-stuffing
      std::string token;
      if (literal) {
        token = static_cast<char>(c);
      } else {
        token = {'=', kHex[c >> 4], kHex[c & 15]};
      }
      // Room for the token plus a possible soft break '=' (76 columns in all).
      size_t reserve = at_end ? 0 : 1;
      if (column + token.size() + reserve > kQpLineLimit) {
        out += "=\r\n";
        column = 0;
        if (c == '.') token = "=2E";
      }
      out += token;
      column += token.size();
    }
    if (last) break;
    out += "\r\n";
    line_start = eol + 1;
  }
  return out;
}

std::string BuildMimeMessage(const Email& email, int64_t date_millis) {
  std::string out;
  out += FoldHeader("Date", FormatRfc5322Date(date_millis));
  out += FoldHeader("From", FormatMailbox(email.from));
  out += FoldHeader("To", FormatMailbox(email.to));
  out += FoldHeader("Subject", IsPrintableAscii(email.subject) ? email.subject : EncodeWords(email.subject, 9));
  out += FoldHeader("Message-ID", email.message_id);
  out += "MIME-Version: 1.0\r\n";
  for (const auto& [name, value] : email.headers) {
    out += FoldHeader(name, IsPrintableAscii(value) ? value : EncodeWords(value, name.size() + 2));
  }
  std::string text = EncodeQuotedPrintable(email.text_body);
  if (email.html_body.empty()) {
    out += "Content-Type: text/plain; charset=UTF-8\r\n";
    out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    out += text;
    if (text.size() < 2 || text.compare(text.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
  }
  std::string html = EncodeQuotedPrintable(email.html_body);
  // "=_" never occurs in quoted-printable text, so the boundary cannot clash with a body.
  std::string boundary = fmt::format("=_rivulet_{:016x}", common::Fnv1a(email.message_id));
  out += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
  out += "This is a multi-part message in MIME format.\r\n";
  // The CRLF before each "--boundary" belongs to the delimiter (RFC 2046
  // 5.1.1), so each part's own last line break survives.
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += text;
  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += html;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

// --- SmtpMailer ---

struct SmtpMailer::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

namespace {

struct UploadSource {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* source = static_cast<UploadSource*>(userdata);
  size_t n = std::min(size * nitems, source->data.size() - source->offset);
  std::memcpy(buffer, source->data.data() + source->offset, n);
  source->offset += n;
  return n;
}

// Splits our own "starttls" query parameter off the URL; curl would take the
// query as part of the EHLO name.
std::string StripStarttlsParam(const std::string& url, bool* starttls) {
  size_t q = url.find('?');
  if (q == std::string::npos) return url;
  std::string base = url.substr(0, q);
  std::string rest;
  std::string_view query(url.data() + q + 1, url.size() - q - 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    if (param == "starttls" || param == "starttls=true" || param == "starttls=1") {
      *starttls = true;
    } else if (param != "starttls=false" && param != "starttls=0") {
      rest += rest.empty() ? "" : "&";
      rest += param;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return rest.empty() ? base : base + "?" + rest;
}

std::string RedactUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t authority = scheme_end + 3;
  size_t at = url.find('@', authority);
  size_t slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

Result<std::unique_ptr<SmtpMailer>> SmtpMailer::Create(SmtpOptions options) {
  if (options.url.rfind("smtp://", 0) != 0 && options.url.rfind("smtps://", 0) != 0) {
    return Status::InvalidArgument(
        fmt::format("smtp.url '{}' must start with smtp:// or smtps://", RedactUrl(options.url)));
  }
  InitCurlOnce();
  return std::unique_ptr<SmtpMailer>(new SmtpMailer(std::move(options)));
}

SmtpMailer::SmtpMailer(SmtpOptions options) : options_(std::move(options)) {
  curl_url_ = StripStarttlsParam(options_.url, &options_.starttls);
  redacted_url_ = RedactUrl(curl_url_);
}

SmtpMailer::~SmtpMailer() = default;

std::unique_ptr<SmtpMailer::Handle> SmtpMailer::Borrow() {
  return idle_.TakeOr([] {
    auto handle = std::make_unique<Handle>();
    handle->curl = curl_easy_init();
    return handle;
  });
}

Status SmtpMailer::Send(const Email& email) {
  RETURN_IF_ERROR(ValidateEmail(email));
  std::string message = BuildMimeMessage(email, options_.clock->NowMillis());

  std::unique_ptr<Handle> handle = Borrow();
  if (handle->curl == nullptr) return Status::Internal("curl_easy_init failed");
  CURL* curl = handle->curl;

  std::string mail_from = "<" + email.from.address + ">";
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + email.to.address + ">").c_str());
  UploadSource source{message, 0};
  char error[CURL_ERROR_SIZE] = {0};
  bool tls_required = options_.starttls || curl_url_.rfind("smtps://", 0) == 0;

  curl_easy_setopt(curl, CURLOPT_URL, curl_url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &source);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_USE_SSL, tls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_millis));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_millis));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);

  CURLcode rc = curl_easy_perform(curl);
  long smtp_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &smtp_code);
  // The easy handle keeps pointers to these; clear them before they go away.
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(recipients);
  idle_.Put(std::move(handle));

  if (rc == CURLE_OK) return Status::OK();
  std::string detail = fmt::format("SMTP to {} via {}: {} ({}{})", email.to.address, redacted_url_,
                                   error[0] != '\0' ? error : curl_easy_strerror(rc), curl_easy_strerror(rc),
                                   smtp_code != 0 ? fmt::format(", server said {}", smtp_code) : "");
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return Status::Unauthenticated(detail);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_USE_SSL_FAILED:
      return Status::Unavailable(detail);
    default:
      break;
  }
  // 530/534/535/538: authentication or TLS required or refused — our
  // configuration, not the message, so worth retrying once it is fixed.
  if (smtp_code == 530 || smtp_code == 534 || smtp_code == 535 || smtp_code == 538) {
    return Status::Unauthenticated(detail);
  }
  // Otherwise the server answered a command with a permanent (5xx) or a
  // transient (4xx) failure; everything else (a dropped connection) is transient.
  if (smtp_code >= 500 && smtp_code < 600) return Status::InvalidArgument(detail);
  if (smtp_code >= 400 && smtp_code < 500 && smtp_code != 421) return Status::Throttled(detail);
  return Status::Unavailable(detail);
}

Status LogMailer::Send(const Email& email) {
  RETURN_IF_ERROR(ValidateEmail(email));
  uint64_t n = count_.fetch_add(1) + 1;
  auto level = n <= 20 ? spdlog::level::info : spdlog::level::debug;
  spdlog::log(level, "email not sent (no smtp.url configured): to={} subject=\"{}\" message_id={}",
              email.to.address, email.subject, email.message_id);
  if (n > 20 && n % 1000 == 0) spdlog::info("{} emails logged, not sent (no smtp.url configured)", n);
  return Status::OK();
}

}  // namespace notify
