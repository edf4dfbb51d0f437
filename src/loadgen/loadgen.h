// `rivulet loadgen`: drives a running Rivulet over HTTP like a crowd of
// shoppers and measures it. Open loop: sessions arrive at --rate per second
// whatever the server does, and every latency is measured from the request's
// intended send time, so a slow server cannot hide its queueing (no
// coordinated omission). Accept -> confirmed latency comes from the order
// updates the server pushes over /ws (topic `admin/orders`, hence the admin
// credentials); without them only the HTTP side is measured.
//
// Phases: sign in the admin, read the catalog, sign up (or in) every
// customer, open the WebSocket, run for --duration (restocking what runs low
// when asked to), then wait up to --drain for outstanding confirmations, and
// report.
#pragma once

#include <cstdint>
#include <string>

#include "loadgen/scenario.h"
#include "loadgen/stats.h"

namespace loadgen {

struct Options {
  std::string url = "http://127.0.0.1:8080";
  double duration_seconds = 10;  // 0: until SIGINT/SIGTERM
  double drain_seconds = 10;     // after the run, for outstanding confirmations
  int connections = 32;
  std::string admin_email;       // default: $RIVULET_ADMIN_EMAIL
  std::string admin_password;    // default: $RIVULET_ADMIN_PASSWORD
  std::string customer_password = "loadgen-password-1";
  // The shop's supplier (needs the admin): every 5 s, each product with at
  // most restock_below left gets restock_quantity more. 0: never.
  int restock_below = 0;
  int restock_quantity = 100;
  ScenarioOptions scenario;
  uint64_t seed = 1;
  // -1: a live status line when stderr is a terminal, plain lines otherwise;
  // 0: plain lines; 1: live line; 2: quiet (report only).
  int progress = -1;
  bool json = false;             // the final report as one JSON object on stdout
  // When set, one CSV line per order decided over /ws: its intended send,
  // 202 and decision, in ms since the run started, and the decision. To see
  // when in a run the slow orders came (a stall, a periodic job).
  std::string latency_log;
};

// Runs the load and prints the report on stdout. Returns the process exit
// code: 0 after a completed run, 1 when the setup failed (server unreachable,
// bad credentials), 2 for bad options.
int Run(const Options& options);

}  // namespace loadgen
