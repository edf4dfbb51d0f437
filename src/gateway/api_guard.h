// Browser-facing checks for state-changing requests to the web API (/api/),
// run by WebApp before the handler (docs/api.md, "Security"):
//  - CSRF: a POST/PUT/PATCH/DELETE that a browser marks as cross-site
//    (`Sec-Fetch-Site: cross-site`) or whose `Origin` is neither the server's
//    own (its scheme-less host:port equals the Host header) nor a trusted
//    one is refused with 403. Requests with neither header (curl, SDKs,
//    load generators) are not browsers and pass: CSRF needs a browser.
//  - JSON only: such a request with a body must say `Content-Type:
//    application/json` (or `application/<x>+json`), else 415. HTML forms
//    cannot send that type cross-site without a CORS preflight.
// Both answer problem+json.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http.h"

namespace gateway {

struct ApiGuardOptions {
  // Origins besides the server's own that may send state-changing requests
  // ("http://localhost:5173"); compared exactly, lower case. From
  // api.trusted_origins and gateway.cors_origins.
  std::vector<std::string> trusted_origins;
};

// nullopt when `request` may proceed; otherwise the 403 or 415 to send.
std::optional<Response> CheckApiRequest(const Request& request, const ApiGuardOptions& options);

// True when `request` has no Origin header, or one that is the server's own
// or trusted (the Origin rule above, for any method: WebSocket upgrades).
bool FromOwnOrTrustedOrigin(const Request& request, const ApiGuardOptions& options);

// True for POST, PUT, PATCH and DELETE.
bool IsStateChanging(std::string_view method);

// Splits "a, b,c" on commas, trimming blanks and dropping empty items.
std::vector<std::string> SplitList(std::string_view text);

}  // namespace gateway
