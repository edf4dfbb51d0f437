#include "notify/smtp_sink_for_test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace notify::testing {

namespace {

constexpr const char* kHandler = R"py(
import asyncio
from base64 import b64decode
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, MISSING

class Handler(Mailbox):
    def __init__(self, mail_dir):
        super().__init__(mail_dir)
        self.ehlo_log = mail_dir.rstrip('/') + '.ehlo'
        self.auth_log = mail_dir.rstrip('/') + '.auth'

    def _check(self, login, password):
        ok = login == b'rivulet' and password == b's3cret p@ss'
        with open(self.auth_log, 'a') as f:
            f.write(login.decode(errors='replace') + (' ok' if ok else ' denied') + '\n')
        return AuthResult(success=ok, handled=False)

    async def auth_PLAIN(self, server, args):
        data = await server.challenge_auth('') if len(args) == 1 else b64decode(args[1])
        if data is MISSING:
            return AuthResult(success=False)
        _, login, password = data.split(b'\0')
        return self._check(login, password)

    async def auth_LOGIN(self, server, args):
        login = await server.challenge_auth('User Name\0') if len(args) == 1 else b64decode(args[1])
        password = await server.challenge_auth('Password\0')
        if login is MISSING or password is MISSING:
            return AuthResult(success=False)
        return self._check(login, password)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with open(self.ehlo_log, 'a') as f:
            f.write(hostname + '\n')
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject'):
            return '550 5.1.1 no such user'
        if address.startswith('busy'):
            return '451 4.3.0 try again later'
        if address.startswith('slow'):
            await asyncio.sleep(0.5)
        envelope.rcpt_tos.append(address)
        return '250 OK'
)py";

constexpr const char* kParser = R"py(
import email, email.policy, json, sys
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
out = {k: str(msg.get(h, '')) for k, h in [('from', 'From'), ('to', 'To'), ('subject', 'Subject'),
       ('message_id', 'Message-ID'), ('date', 'Date'), ('mime_version', 'MIME-Version')]}
out['content_type'] = msg.get_content_type()
text = msg.get_body(preferencelist=('plain',))
html = msg.get_body(preferencelist=('html',))
out['text'] = text.get_content() if text is not None else ''
out['html'] = html.get_content() if html is not None else ''
print(json.dumps(out))
)py";

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("rivulet-notify-" + std::to_string(getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

SmtpSink::SmtpSink(Tls tls) : tls_(tls), port_(FreePort()) {
  std::ofstream(dir_.path() / "rivulet_test_smtp.py") << kHandler;
  if (tls_ != Tls::kNone) {
    std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
                          " -addext subjectAltName=IP:127.0.0.1 -keyout " +
                          (dir_.path() / "key.pem").string() + " -out " + cert_file() + " 2>/dev/null";
    if (std::system(command.c_str()) != 0) ADD_FAILURE() << "openssl could not make a test certificate";
  }
}

SmtpSink::~SmtpSink() { Stop(); }

bool SmtpSink::Start() {
  if (pid_ > 0) return true;
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::string mail_dir = (dir_.path() / "mail").string();
  std::vector<std::string> args = {"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", listen,
                                   "-c", "rivulet_test_smtp.Handler"};
  std::string key_file = (dir_.path() / "key.pem").string();
  if (tls_ == Tls::kStartTls) {
    args.insert(args.end(), {"--tlscert", cert_file(), "--tlskey", key_file});
  } else if (tls_ == Tls::kImplicit) {
    args.insert(args.end(), {"--smtpscert", cert_file(), "--smtpskey", key_file});
  }
  args.push_back(mail_dir);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = {"PYTHONPATH=" + dir_.path().string(), "PATH=/usr/bin:/bin"};
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // Dies with the test process, also when that crashes or is killed.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (pid_ < 0) {
    pid_ = -1;
    ADD_FAILURE() << "cannot fork to start /usr/bin/python3 -m aiosmtpd";
    return false;
  }
  for (int i = 0; i < 400; ++i) {  // up to 20 s: python starts slowly on a busy machine
    if (CanConnect(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "aiosmtpd exited at start (port " << port_ << " taken?)";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "aiosmtpd did not listen on " << listen;
  Stop();
  return false;
}

void SmtpSink::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  // The port may linger in TIME_WAIT; aiosmtpd sets SO_REUSEADDR, so a restart works.
}

std::vector<std::string> SmtpSink::Messages() const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path() / "mail" / "new", ec)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> messages;
  for (const auto& f : files) messages.push_back(ReadAll(f));
  return messages;
}

std::vector<std::string> SmtpSink::WaitForMessages(size_t count) const {
  for (int i = 0; i < 400; ++i) {
    auto messages = Messages();
    if (messages.size() >= count) return messages;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Messages();
}

std::vector<std::string> SmtpSink::AuthLog() const {
  std::ifstream in(dir_.path() / "mail.auth");
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

int SmtpSink::EhloCount() const {
  std::ifstream in(dir_.path() / "mail.ehlo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) ++count;
  return count;
}

ParsedMessage ParseWithPython(const std::string& raw) {
  TempDir dir;
  std::ofstream(dir.path() / "parse.py") << kParser;
  // Stored the way a Maildir stores messages: LF line ends.
  std::string stored;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    stored += raw[i];
  }
  std::ofstream(dir.path() / "message.eml", std::ios::binary) << stored;
  std::string command = "/usr/bin/python3 " + (dir.path() / "parse.py").string() + " < " +
                        (dir.path() / "message.eml").string();
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t n;
  while (pipe != nullptr && (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  if (pipe != nullptr) pclose(pipe);
  ParsedMessage parsed;
  auto json = nlohmann::json::parse(output, nullptr, false);
  if (json.is_discarded()) {
    ADD_FAILURE() << "python could not parse the message: " << output;
    return parsed;
  }
  parsed.from = json.value("from", "");
  parsed.to = json.value("to", "");
  parsed.subject = json.value("subject", "");
  parsed.message_id = json.value("message_id", "");
  parsed.date = json.value("date", "");
  parsed.mime_version = json.value("mime_version", "");
  parsed.content_type = json.value("content_type", "");
  parsed.text = json.value("text", "");
  parsed.html = json.value("html", "");
  return parsed;
}

}  // namespace notify::testing
