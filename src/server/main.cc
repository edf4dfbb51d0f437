// rivulet [serve] [--config FILE] [--data-dir DIR] [--bind ADDR] [--http-port N]
//         [--aws-port N] [--role all|api|worker] [--log-format text|json] [--set section.name=value ...]
// rivulet version
// rivulet loadgen [--url URL] [--rate N] [--duration D] [--customers N] ...  (src/loadgen)
// rivulet [--data-dir DIR] replay --from archive/<stream>/YYYY/MM/DD/ --to-stream NAME [--endpoint URL]
//
// Startup: config -> logging -> data dir -> BuildServices (services.cc) ->
// listeners -> <data-dir>/ports.json. SIGINT/SIGTERM: stop accepting, drain
// in-flight requests, run shutdown hooks, exit 0.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "archiver/replay.h"
#include "common/logging.h"
#include "gateway/api_guard.h"
#include "gateway/aws_dispatcher.h"
#include "gateway/server.h"
#include "gateway/web_app.h"
#include "loadgen/loadgen.h"
#include "server/config.h"
#include "server/services.h"

#ifndef RIVULET_VERSION
#define RIVULET_VERSION "dev"
#endif

namespace server {
namespace {

namespace fs = std::filesystem;

common::Status WritePortsFile(const std::string& data_dir, uint16_t http, uint16_t aws) {
  fs::path final_path = fs::path(data_dir) / "ports.json";
  fs::path tmp = fs::path(data_dir) / ("ports.json.tmp." + std::to_string(::getpid()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"http\": " << http << ", \"aws\": " << aws << "}\n";
    out.flush();
    if (!out) return common::Status::IOError("cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);  // atomic: readers never see a partial file
  if (ec) return common::Status::IOError("cannot rename " + tmp.string() + ": " + ec.message());
  return common::Status::OK();
}

common::Result<gateway::ServerOptions> ServerOptionsFrom(const Config& c) {
  gateway::ServerOptions o;
  ASSIGN_OR_RETURN(int64_t threads, c.Int("gateway.threads", 0));
  o.threads = static_cast<int>(threads);
  ASSIGN_OR_RETURN(int64_t header, c.Int("gateway.max_header_bytes", 16 * 1024));
  ASSIGN_OR_RETURN(int64_t body, c.Int("gateway.max_body_bytes", 8 * 1024 * 1024));
  ASSIGN_OR_RETURN(int64_t read_ms, c.Int("gateway.read_timeout_ms", 10'000));
  ASSIGN_OR_RETURN(int64_t idle_ms, c.Int("gateway.idle_timeout_ms", 60'000));
  ASSIGN_OR_RETURN(int64_t drain_ms, c.Int("gateway.drain_timeout_ms", 15'000));
  ASSIGN_OR_RETURN(o.access_log, c.Bool("gateway.access_log", false));
  ASSIGN_OR_RETURN(int64_t ws_msgs, c.Int("gateway.ws_max_queue_messages", 1024));
  ASSIGN_OR_RETURN(int64_t ws_bytes, c.Int("gateway.ws_max_queue_bytes", 4 * 1024 * 1024));
  ASSIGN_OR_RETURN(int64_t ws_frame, c.Int("gateway.ws_max_frame_bytes", 64 * 1024));
  ASSIGN_OR_RETURN(int64_t ws_idle, c.Int("gateway.ws_idle_timeout_ms", 60'000));
  ASSIGN_OR_RETURN(int64_t tls_ms, c.Int("gateway.tls_handshake_timeout_ms", 10'000));
  if (header < 1024 || body < 0 || read_ms < 100 || idle_ms < 100 || drain_ms < 0 || ws_msgs < 1 ||
      ws_bytes < 1024 || ws_frame < 128 || ws_idle < 1000 || tls_ms < 100 || threads < 0 || threads > 256) {
    return common::Status::InvalidArgument(
        "a gateway.* limit is out of range (header >= 1024, timeouts >= 100 ms, ws idle >= 1000 ms, "
        "threads 0..256)");
  }
  o.max_header_bytes = static_cast<size_t>(header);
  o.max_body_bytes = static_cast<size_t>(body);
  o.read_timeout_ms = static_cast<int>(read_ms);
  o.idle_timeout_ms = static_cast<int>(idle_ms);
  o.drain_timeout_ms = static_cast<int>(drain_ms);
  o.ws_max_queue_messages = static_cast<size_t>(ws_msgs);
  o.ws_max_queue_bytes = static_cast<size_t>(ws_bytes);
  o.ws_max_frame_bytes = static_cast<size_t>(ws_frame);
  o.ws_idle_timeout_ms = static_cast<int>(ws_idle);
  o.tls_handshake_timeout_ms = static_cast<int>(tls_ms);
  return o;
}

common::Result<uint16_t> Port(const Config& c, std::string_view key, int64_t def) {
  ASSIGN_OR_RETURN(int64_t port, c.Int(key, def));
  if (port < 0 || port > 65535) {
    return common::Status::InvalidArgument(std::string(key) + " is " + std::to_string(port) +
                                           "; a port is 0..65535 (0 picks a free one)");
  }
  return static_cast<uint16_t>(port);
}

// TLS for one listener from `<prefix>_cert` / `<prefix>_key` (PEM paths):
// both or neither. The AWS endpoint's keys default to the web listener's
// (`fallback`) unless gateway.aws_tls = false keeps it plain.
common::Status TlsFrom(const Config& c, const std::string& prefix, const gateway::ListenerOptions* fallback,
                       gateway::ListenerOptions* listener) {
  std::string cert_key = prefix + "_cert", key_key = prefix + "_key";
  listener->tls_cert_file = c.GetString(cert_key, "");
  listener->tls_key_file = c.GetString(key_key, "");
  if (listener->tls_cert_file.empty() != listener->tls_key_file.empty()) {
    return common::Status::InvalidArgument(
        (listener->tls_cert_file.empty() ? key_key + " is set but " + cert_key : cert_key + " is set but " + key_key) +
        " is not: TLS needs both a certificate and a key (PEM files)");
  }
  if (listener->tls_cert_file.empty() && fallback != nullptr) {
    ASSIGN_OR_RETURN(bool inherit, c.Bool("gateway.aws_tls", true));
    if (inherit) {
      listener->tls_cert_file = fallback->tls_cert_file;
      listener->tls_key_file = fallback->tls_key_file;
    }
  }
  return common::Status::OK();
}

// Builds the services; while a remote backend answers that it is throttled or
// unavailable (a worker started before its services node, a flaky network),
// tears the partial build down and tries again every second, up to
// server.startup_wait_ms. Null when SIGINT/SIGTERM arrived while waiting.
common::Result<std::unique_ptr<ServiceRegistry>> BuildServicesPatiently(const Config& config,
                                                                         const std::string& data_dir,
                                                                         const sigset_t& signals) {
  ASSIGN_OR_RETURN(int64_t wait_ms, config.Int("server.startup_wait_ms", 60000));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (int attempt = 1;; ++attempt) {
    auto registry = std::make_unique<ServiceRegistry>(data_dir);
    common::Status built = BuildServices(config, registry.get());
    if (built.ok()) return registry;
    bool transient = built.code() == common::Status::Code::kThrottled ||
                     built.code() == common::Status::Code::kUnavailable;
    if (!transient || std::chrono::steady_clock::now() >= deadline) return built;
    spdlog::warn("starting (attempt {}): {}; trying again in 1 s", attempt, built.ToString());
    registry.reset();
    timespec one_second{1, 0};
    if (sigtimedwait(&signals, nullptr, &one_second) > 0) return std::unique_ptr<ServiceRegistry>();
  }
}

common::Status Serve(const Config& config) {
  std::string data_dir = config.GetString("server.data_dir", "./data");
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return common::Status::IOError("cannot create data dir " + data_dir + ": " + ec.message());

  // Signals go to the sigwait below, never to the I/O threads started later.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<ServiceRegistry> built;
  ASSIGN_OR_RETURN(built, BuildServicesPatiently(config, data_dir, signals));
  if (!built) return common::Status::OK();  // stopped by a signal while waiting
  ServiceRegistry& registry = *built;

  gateway::WebAppOptions web_options;
  web_options.static_dir = StaticDir(config);
  web_options.static_store = registry.static_store();
  web_options.spa_fallback = config.GetBool("gateway.spa_fallback", true);
  web_options.version = RIVULET_VERSION;
  web_options.ready = [&registry](std::vector<std::string>* not_ready) { return registry.Ready(not_ready); };
  web_options.api_guard = registry.api_guard();
  gateway::WebApp web(web_options, &registry.web(), &registry.throttler());
  RETURN_IF_ERROR(web.AddBuiltinRoutes());

  ASSIGN_OR_RETURN(gateway::ServerOptions server_options, ServerOptionsFrom(config));
  gateway::Server server(server_options);

  gateway::ListenerOptions http;
  http.name = "http";
  http.address = config.GetString("gateway.bind", "0.0.0.0");
  ASSIGN_OR_RETURN(http.port, Port(config, "gateway.http_port", 8080));
  http.handler = web.AsHandler();
  http.cors.allowed_origins = config.GetString("gateway.cors_origins", "");
  auto trusted = gateway::AddressSet::Parse(gateway::SplitList(config.GetString("gateway.trusted_proxies", "")));
  if (!trusted.ok()) return trusted.status().WithContext("gateway.trusted_proxies");
  http.trusted_proxies = *trusted;
  http.hub = &registry.hub();
  RETURN_IF_ERROR(TlsFrom(config, "gateway.tls", nullptr, &http));
  RETURN_IF_ERROR(server.AddListener(http));

  gateway::ListenerOptions aws;
  aws.name = "aws";
  aws.address = config.GetString("gateway.aws_bind", "127.0.0.1");
  ASSIGN_OR_RETURN(aws.port, Port(config, "gateway.aws_port", 4566));
  aws.handler = registry.aws().AsHandler();
  aws.cors.allowed_origins = config.GetString("gateway.aws_cors_origins", "");
  aws.trusted_proxies = *trusted;  // aws:SourceIp in policies
  // Bodies other than S3 PUTs are held in memory (64 MiB is plenty for JSON
  // APIs); S3 PutObject/UploadPart bodies stream to disk, up to S3's 5 GiB
  // single-PUT limit (plus room for aws-chunked framing).
  aws.stream_body = [dispatcher = &registry.aws()](const gateway::Request& head) {
    return dispatcher->StreamsBody(head);
  };
  aws.max_streamed_body_bytes = (5ULL << 30) + (64ULL << 20);
  ASSIGN_OR_RETURN(int64_t aws_body, config.Int("gateway.aws_max_body_bytes", 64 * 1024 * 1024));
  if (aws_body <= 0) return common::Status::InvalidArgument("gateway.aws_max_body_bytes must be > 0");
  aws.max_body_bytes = static_cast<size_t>(aws_body);
  aws.error_response = [](int status, std::string_view title, std::string_view detail, std::string_view id) {
    std::string type = status == 413 ? "RequestEntityTooLargeException" : "SerializationException";
    return gateway::AwsDispatcher::JsonError(status, type, std::string(title) + ": " + std::string(detail), id);
  };
  RETURN_IF_ERROR(TlsFrom(config, "gateway.aws_tls", &http, &aws));
  RETURN_IF_ERROR(server.AddListener(aws));

  RETURN_IF_ERROR(server.Start());
  uint16_t http_port = server.port("http"), aws_port = server.port("aws");
  RETURN_IF_ERROR(WritePortsFile(data_dir, http_port, aws_port));
  spdlog::info("rivulet {} serving web on {}:{}{}, AWS endpoint on {}:{}{}, data in {}, static files from {}{}",
               RIVULET_VERSION, http.address, http_port, http.tls_cert_file.empty() ? "" : " (TLS)", aws.address,
               aws_port, aws.tls_cert_file.empty() ? "" : " (TLS)", data_dir,
               web_options.static_store ? "the site bucket " + config.GetString("web.site_bucket", "site")
                                        : web_options.static_dir,
               web.static_files().enabled() ? "" : " (missing: serving a placeholder page)");
  std::string shown = http.address == "0.0.0.0" ? "127.0.0.1" : http.address;
  const char* web_scheme = http.tls_cert_file.empty() ? "http" : "https";
  const char* aws_scheme = aws.tls_cert_file.empty() ? "http" : "https";
  std::printf("Rivulet is running: %s://%s:%u/  (AWS endpoint %s://%s:%u, Ctrl-C stops)\n", web_scheme,
              shown.c_str(), http_port, aws_scheme, aws.address.c_str(), aws_port);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}; draining in-flight requests", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.Shutdown();
  registry.RunShutdownHooks();
  spdlog::info("stopped cleanly");
  return common::Status::OK();
}

}  // namespace
}  // namespace server

int main(int argc, char** argv) {
  CLI::App app{"Rivulet: streams, tables, objects and functions in one binary"};
  app.require_subcommand(0, 1);
  std::string config_file, data_dir, bind, log_format = "text", log_level, static_dir, role;
  int http_port = -1, aws_port = -1, threads = -1;
  std::vector<std::string> settings;
  app.add_option("--config", config_file, "TOML config file")->check(CLI::ExistingFile);
  app.add_option("--data-dir", data_dir, "data directory (server.data_dir, default ./data)");
  app.add_option("--bind", bind, "address of the web listener (gateway.bind, default 0.0.0.0)");
  app.add_option("--http-port", http_port, "web port, 0 = any free one (gateway.http_port, default 8080)");
  app.add_option("--aws-port", aws_port, "AWS endpoint port, 0 = any free one (gateway.aws_port, default 4566)");
  app.add_option("--log-format", log_format, "text or json (log.format)")->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (log.level)");
  app.add_option("--static-dir", static_dir, "built web UI (gateway.static_dir)");
  app.add_option("--threads", threads, "I/O threads, 0 = hardware threads (gateway.threads)");
  app.add_option("--role", role, "all, api (serve only) or worker (functions only) (server.role, default all)")
      ->check(CLI::IsMember({"all", "api", "worker"}));
  app.add_option("--set", settings, "any setting: --set section.name=value (repeatable)");
  auto* serve = app.add_subcommand("serve", "serve until SIGINT/SIGTERM (the default)");
  serve->fallthrough();
  auto* version = app.add_subcommand("version", "print the version");
  loadgen::Options load;
  std::string load_duration = "10s", load_think = "20ms", load_drain = "10s", load_progress = "auto";
  auto* loadgen_cmd = app.add_subcommand("loadgen", "drive a running Rivulet with simulated shoppers and measure it");
  loadgen_cmd->add_option("--url,--target", load.url, "the Rivulet web address (default http://127.0.0.1:8080)");
  loadgen_cmd->add_option("--rate", load.scenario.rate, "orders (shopping sessions) per second, open loop")
      ->check(CLI::Range(0.01, 1e6));
  loadgen_cmd->add_option("--duration", load_duration, "how long to offer load: 60s, 2m; 0 = until Ctrl-C");
  loadgen_cmd->add_option("--customers", load.scenario.customers, "simulated customers (signed up once each)")
      ->check(CLI::Range(1, 1'000'000));
  loadgen_cmd->add_option("--connections", load.connections, "HTTP keep-alive connections (default 32)")
      ->check(CLI::Range(1, 10'000));
  loadgen_cmd->add_option("--admin-email", load.admin_email, "admin for /ws order updates (RIVULET_ADMIN_EMAIL)");
  loadgen_cmd->add_option("--admin-password", load.admin_password, "(RIVULET_ADMIN_PASSWORD)");
  loadgen_cmd->add_option("--browse", load.scenario.browse, "share of sessions that browse the catalog first")
      ->check(CLI::Range(0.0, 1.0));
  loadgen_cmd->add_option("--events", load.scenario.events, "activity events per session before the order, 0..4")
      ->check(CLI::Range(0, 4));
  loadgen_cmd->add_option("--visitors", load.scenario.visitors,
                          "visitors per order (default 1): the others post funnel events and leave without ordering")
      ->check(CLI::Range(1.0, 100.0));
  loadgen_cmd->add_option("--cancel", load.scenario.cancel, "share of confirmed orders cancelled")
      ->check(CLI::Range(0.0, 1.0));
  loadgen_cmd->add_option("--restock-below", load.restock_below,
                          "as the admin, every 5 s restock products with at most this many left (default 0: never)")
      ->check(CLI::Range(0, 1'000'000'000));
  loadgen_cmd->add_option("--restock-quantity", load.restock_quantity, "units added per restock (default 100)")
      ->check(CLI::Range(1, 1'000'000));
  loadgen_cmd->add_option("--think", load_think, "time between a session's steps (default 20ms)");
  loadgen_cmd->add_option("--drain", load_drain, "wait this long for outstanding confirmations (default 10s)");
  loadgen_cmd->add_flag("!--no-idempotency-keys", load.scenario.idempotency_keys, "send orders without Idempotency-Key");
  loadgen_cmd->add_option("--seed", load.seed, "random seed (default 1)");
  loadgen_cmd->add_option("--progress", load_progress, "auto, live, lines or quiet")
      ->check(CLI::IsMember({"auto", "live", "lines", "quiet"}));
  loadgen_cmd->add_flag("--json", load.json, "print the final report as one JSON object");
  loadgen_cmd->add_option("--latency-log", load.latency_log,
                          "write one CSV line per decided order: due, accepted and decided ms since the start");
  archiver::ReplayOptions replay_options;
  auto* replay = app.add_subcommand("replay", "stream archived records back into a stream");
  replay->fallthrough();  // --data-dir after "replay" still reaches the app
  replay->add_option("--from", replay_options.from, "archive prefix: archive/<stream>/YYYY/MM/DD/[HH/]")->required();
  replay->add_option("--to-stream", replay_options.to_stream, "the stream to put the records into")->required();
  replay->add_option("--endpoint", replay_options.endpoint,
                     "AWS endpoint of the running server (default: <data-dir>/ports.json, else http://127.0.0.1:4566)");
  CLI11_PARSE(app, argc, argv);

  if (loadgen_cmd->parsed()) {
    auto duration = loadgen::ParseDuration(load_duration);
    auto think = loadgen::ParseDuration(load_think);
    auto drain = loadgen::ParseDuration(load_drain);
    for (const auto* d : {&duration, &think, &drain}) {
      if (!d->ok()) {
        std::fprintf(stderr, "rivulet loadgen: %s\n", d->status().message().c_str());
        return 2;
      }
    }
    load.duration_seconds = *duration;
    load.scenario.think_micros = static_cast<int64_t>(*think * 1e6);
    load.drain_seconds = *drain;
    load.progress = load_progress == "auto" ? -1 : load_progress == "lines" ? 0 : load_progress == "live" ? 1 : 2;
    if (load.admin_email.empty() && std::getenv("RIVULET_ADMIN_EMAIL") != nullptr) {
      load.admin_email = std::getenv("RIVULET_ADMIN_EMAIL");
    }
    if (load.admin_password.empty() && std::getenv("RIVULET_ADMIN_PASSWORD") != nullptr) {
      load.admin_password = std::getenv("RIVULET_ADMIN_PASSWORD");
    }
    return loadgen::Run(load);
  }

  if (version->parsed()) {
    std::printf("rivulet %s\n", RIVULET_VERSION);
    return 0;
  }
  if (replay->parsed()) {
    if (replay->count("--endpoint") == 0) {
      // The server writes its ports beside its data (see WritePortsFile).
      std::ifstream ports((data_dir.empty() ? std::string("./data") : data_dir) + "/ports.json");
      std::string text((std::istreambuf_iterator<char>(ports)), std::istreambuf_iterator<char>());
      if (size_t at = text.find("\"aws\": "); at != std::string::npos) {
        replay_options.endpoint = "http://127.0.0.1:" + std::to_string(std::atoi(text.c_str() + at + 7));
      }
    }
    auto stats = archiver::Replay(replay_options);
    if (!stats.ok()) {
      std::fprintf(stderr, "rivulet replay: %s\n", stats.status().ToString().c_str());
      return 1;
    }
    std::printf("replayed %llu records from %llu objects into %s\n", static_cast<unsigned long long>(stats->records),
                static_cast<unsigned long long>(stats->objects), replay_options.to_stream.c_str());
    return 0;
  }

  std::map<std::string, std::string> flags;
  for (const auto& s : settings) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "--set expects section.name=value, got '%s'\n", s.c_str());
      return 2;
    }
    flags[s.substr(0, eq)] = s.substr(eq + 1);
  }
  if (!data_dir.empty()) flags["server.data_dir"] = data_dir;
  if (!bind.empty()) flags["gateway.bind"] = bind;
  if (http_port >= 0) flags["gateway.http_port"] = std::to_string(http_port);
  if (aws_port >= 0) flags["gateway.aws_port"] = std::to_string(aws_port);
  if (app.count("--log-format") > 0) flags["log.format"] = log_format;
  if (!log_level.empty()) flags["log.level"] = log_level;
  if (!static_dir.empty()) flags["gateway.static_dir"] = static_dir;
  if (threads >= 0) flags["gateway.threads"] = std::to_string(threads);
  if (!role.empty()) flags["server.role"] = role;

  auto config = server::Config::Load(config_file, std::move(flags));
  if (!config.ok()) {
    std::fprintf(stderr, "rivulet: %s\n", config.status().ToString().c_str());
    return 2;
  }
  std::string format = config->GetString("log.format", "text");
  auto status = common::InitLogging(format == "json" ? common::LogFormat::kJson : common::LogFormat::kText,
                                    config->GetString("log.level", "info"));
  if (!status.ok()) {
    std::fprintf(stderr, "rivulet: %s\n", status.ToString().c_str());
    return 2;
  }
  status = server::Serve(*config);
  if (!status.ok()) {
    spdlog::error("rivulet: {}", status.ToString());
    return 1;
  }
  return 0;
}
