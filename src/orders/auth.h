// Sign-up, sign-in and sessions for /api/: the simple authentication that the
// IAM component will replace. Everything else in orders/ sees only the
// Authenticator interface and Principal, so the swap touches the wiring only.
//
// Passwords are hashed with argon2id (libargon2); a session token is 32 random
// bytes (OpenSSL RAND_bytes) sent as the cookie `rivulet_session` (HttpOnly,
// SameSite=Lax, Secure over TLS) or as `Authorization: Bearer <token>`, and stored only as its
// SHA-256 in the `sessions` table, with an expiry (also the table's TTL).
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "gateway/http.h"
#include "orders/api_policy.h"
#include "orders/validation.h"
#include "table/table_client.h"

namespace orders {

struct Principal {
  std::string user_id;
  std::string email;
  std::string name;
  std::string role;  // "customer" or "admin"
  bool admin() const { return role == "admin"; }
};

// {id, email, name, role}
std::string PrincipalJson(const Principal& p);

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // The signed-in user behind a request; Unauthenticated when there is none
  // or the session expired.
  virtual common::Result<Principal> Authenticate(const gateway::Request& request) = 0;
  // Whether `user` (null: anonymous) may do `action` on `resource`; the one
  // authorization question every /api/ handler asks (api_policy.h).
  virtual bool Allowed(const Principal* user, std::string_view action, std::string_view resource,
                       std::string_view leading_key = "") const = 0;
};

struct SessionAuthOptions {
  int64_t session_ttl_seconds = 7 * 24 * 3600;
  bool secure_cookie = false;  // always add `Secure` (behind a TLS proxy); TLS requests get it anyway
  // argon2id cost (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
  uint32_t argon2_memory_kib = 19 * 1024;
  uint32_t argon2_passes = 2;
};

class SessionAuth final : public Authenticator {
 public:
  static constexpr char kCookieName[] = "rivulet_session";

  SessionAuth(table::TableClient* tables, common::Clock* clock, SessionAuthOptions options = {})
      : tables_(tables), clock_(clock), options_(options) {}

  common::Result<Principal> Authenticate(const gateway::Request& request) override;
  bool Allowed(const Principal* user, std::string_view action, std::string_view resource,
               std::string_view leading_key = "") const override {
    return authorizer_.Allowed(user, action, resource, leading_key);
  }
  const ApiAuthorizer& authorizer() const { return authorizer_; }

  // AlreadyExists when the email is taken.
  common::Result<Principal> SignUp(const SignupRequest& request, const std::string& role = "customer");
  // Unauthenticated for an unknown email or a wrong password (same message).
  common::Result<Principal> Login(const LoginRequest& request);
  // A new session for `user`; returns the token (to put in the cookie).
  common::Result<std::string> CreateSession(const Principal& user);
  // Deletes the request's session, if any.
  common::Status Logout(const gateway::Request& request);
  common::Result<Principal> GetUser(const std::string& user_id);

  // Set-Cookie values; `Secure` when the request came over TLS
  // (gateway::Request::tls) or Options::secure_cookie is set.
  std::string SessionCookie(const std::string& token, bool tls = false) const;
  std::string ClearedCookie(bool tls = false) const;

  // Makes sure an admin exists: `email` (default admin@rivulet.local) is
  // created with `password`, or with a generated one when `password` is empty
  // (then returned in *generated, to be printed once); an existing user of
  // that email is made admin and keeps its password.
  common::Status EnsureAdmin(const std::string& email, const std::string& password, std::string* generated);

  // The id of the account with `email` (any case), if there is one.
  common::Result<std::optional<std::string>> UserIdForEmail(const std::string& email);

  // Exposed for tests.
  common::Result<std::string> HashPassword(const std::string& password) const;
  bool VerifyPassword(const std::string& encoded, const std::string& password) const;

 private:
  common::Result<std::optional<table::Item>> FindUserByEmail(const std::string& email);
  static std::string TokenFrom(const gateway::Request& request);

  table::TableClient* tables_;
  common::Clock* clock_;
  SessionAuthOptions options_;
  ApiAuthorizer authorizer_;
};

// Who may follow which /ws topic (docs/api.md): `orders/<customerId>` that
// customer and admins; `admin/orders` and `analytics` admins only; nothing
// else (rivulet:Subscribe on arn:rivulet:shop:::topic/<topic>, decided by
// `auth`'s policies). `user` is null for an anonymous connection. For the
// gateway hub's subscribe filter (wired in server/services.cc).
bool MaySubscribe(const Authenticator& auth, const Principal* user, std::string_view topic);
// True for the topics the shop publishes on (and MaySubscribe governs).
bool IsShopTopic(std::string_view topic);

// Random bytes as lower-case hex (ids, tokens). Uses OpenSSL RAND_bytes.
std::string RandomHex(size_t bytes);

}  // namespace orders
