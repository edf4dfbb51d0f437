// Principals (the root account, users, roles), their access keys and their
// policies (inline and managed), kept in memory for lookups on every request
// and written through to a table ("rivulet-iam", one item per entity with a
// JSON document) so they survive restarts.
//
// Thread safety: all methods may run concurrently (a reader-writer lock;
// writes also hold it while the table write happens, which keeps the table
// and memory in the same order).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "iam/policy.h"

namespace table {
class TableClient;
}

namespace iam {

inline constexpr char kIamTable[] = "rivulet-iam";

struct Principal {
  enum class Kind { kRoot, kUser, kRole };
  Kind kind = Kind::kUser;
  std::string name;  // "alice"; "root" for the account
  std::string id;    // "AIDA..." user id; the account id for root
  std::string arn;   // "arn:aws:iam::000000000000:user/alice"
};

struct AccessKey {
  std::string access_key_id;
  std::string secret;
  std::string user_name;  // "" for the root account's key
  std::string status = "Active";
  int64_t created_millis = 0;
};

struct NamedPolicy {
  std::string name;
  std::string document;
  std::shared_ptr<const Policy> parsed;
};

struct Identity {  // a user or a role
  std::string name, id, arn, path = "/";
  int64_t created_millis = 0;
  std::string assume_role_policy;  // roles only
  std::map<std::string, NamedPolicy> inline_policies;
  std::vector<std::string> attached;  // managed policy ARNs
};

struct ManagedPolicy {
  std::string name, id, arn, path = "/";
  int64_t created_millis = 0;
  NamedPolicy policy;
  int attachment_count = 0;
};

struct IdentityStoreOptions {
  std::string account_id = "000000000000";
  common::Clock* clock = common::SystemClock::Default();
};

class IdentityStore {
 public:
  // Creates the table when missing and loads every entity.
  static common::Result<std::unique_ptr<IdentityStore>> Open(table::TableClient* tables,
                                                             IdentityStoreOptions options = {});

  const std::string& account_id() const { return options_.account_id; }
  Principal Root() const;

  // The root account's key: the given one when both are non-empty (replacing
  // a stored one), else the stored one, else a new random one. `*created` is
  // set when a new key was generated (the caller prints it once).
  common::Result<AccessKey> EnsureRootKey(const std::string& access_key_id, const std::string& secret,
                                          bool* created);

  struct KeyOwner {
    std::string secret;
    Principal principal;
  };
  // An active key's secret and principal; nullopt for unknown or inactive keys.
  std::optional<KeyOwner> FindKey(std::string_view access_key_id) const;

  // Every policy that applies to the principal (inline and attached).
  std::vector<std::shared_ptr<const Policy>> PoliciesOf(const Principal& principal) const;

  // The principal's policies with their names and documents, inline ones
  // first (name order), then attached ones (attachment order): for
  // explanations (SimulatePrincipalPolicy, the console's simulator).
  struct PolicySource {
    std::string name;
    std::string arn;  // managed policies; "" for inline ones
    std::string document;
    std::shared_ptr<const Policy> parsed;
  };
  std::vector<PolicySource> PolicySourcesOf(const Principal& principal) const;

  // NotFound when no user or role has that ARN; the root ARN gives Root().
  common::Result<Principal> FindPrincipal(std::string_view arn) const;

  // --- the IAM API (errors: AlreadyExists, NotFound, InvalidArgument with a
  // message naming the field, ResourceInUse for deleting a user with keys or
  // policies, LimitExceeded) ---
  common::Result<Identity> CreateUser(const std::string& name, const std::string& path);
  common::Result<Identity> GetUser(const std::string& name) const;
  common::Status DeleteUser(const std::string& name);
  std::vector<Identity> ListUsers() const;
  common::Result<AccessKey> CreateAccessKey(const std::string& user_name);
  common::Status DeleteAccessKey(const std::string& user_name, const std::string& access_key_id);
  common::Result<std::vector<AccessKey>> ListAccessKeys(const std::string& user_name) const;
  common::Result<Identity> CreateRole(const std::string& name, const std::string& path,
                                      const std::string& assume_role_policy);
  common::Result<Identity> GetRole(const std::string& name) const;
  common::Status PutInlinePolicy(bool role, const std::string& owner, const std::string& policy_name,
                                 const std::string& document);
  common::Result<std::string> GetInlinePolicy(bool role, const std::string& owner,
                                              const std::string& policy_name) const;
  common::Status DeleteInlinePolicy(bool role, const std::string& owner, const std::string& policy_name);
  common::Result<ManagedPolicy> CreatePolicy(const std::string& name, const std::string& path,
                                             const std::string& document);
  common::Status AttachPolicy(bool role, const std::string& owner, const std::string& policy_arn);
  // NotFound when the policy is not attached to the owner.
  common::Status DetachPolicy(bool role, const std::string& owner, const std::string& policy_arn);
  // ResourceInUse while the role has inline or attached policies.
  common::Status DeleteRole(const std::string& name);
  std::vector<Identity> ListRoles() const;
  // The owner's inline policy names, sorted; NotFound for an unknown owner.
  common::Result<std::vector<std::string>> ListInlinePolicies(bool role, const std::string& owner) const;
  // The managed policies attached to the owner, in attachment order.
  common::Result<std::vector<ManagedPolicy>> ListAttachedPolicies(bool role, const std::string& owner) const;
  std::vector<ManagedPolicy> ListPolicies() const;
  common::Result<ManagedPolicy> GetPolicy(const std::string& policy_arn) const;
  // ResourceInUse while the policy is attached to a user or role.
  common::Status DeletePolicy(const std::string& policy_arn);

  // Grows with every change to identities or policies: a cache of
  // PoliciesOf() is current while this has not moved.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // For a node that shares the table with the node where IAM changes (a
  // `--role worker` reading an API node's tables): re-reads every entity when
  // the table's change mark (rewritten after every change) moved since the
  // last read, which moves generation(). One GetItem when nothing changed.
  // True when it re-read. REQUIRES: one caller at a time.
  common::Result<bool> Refresh();

 private:
  IdentityStore(table::TableClient* tables, IdentityStoreOptions options);
  common::Status Load();
  common::Status Save(const std::string& id, const std::string& doc);
  common::Status Erase(const std::string& id);
  common::Status MarkChanged();
  common::Result<std::string> ReadChangeMark() const;
  common::Status SaveIdentity(bool role, const Identity& identity);
  std::string NewId(std::string_view prefix, size_t length) const;
  std::string Arn(std::string_view kind, const std::string& path, const std::string& name) const;
  std::map<std::string, Identity>& Identities(bool role) { return role ? roles_ : users_; }
  const std::map<std::string, Identity>& Identities(bool role) const { return role ? roles_ : users_; }

  table::TableClient* tables_;
  IdentityStoreOptions options_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Identity> users_;                       // GUARDED_BY(mu_)
  std::map<std::string, Identity> roles_;                       // GUARDED_BY(mu_)
  std::map<std::string, ManagedPolicy> policies_;               // by ARN, GUARDED_BY(mu_)
  std::map<std::string, AccessKey, std::less<>> keys_;          // by id, GUARDED_BY(mu_)
  std::atomic<uint64_t> generation_{0};  // bumped under the unique lock of mu_
  std::string change_mark_;              // as of the last Load, touched by Open and Refresh only
};

// The principal's condition keys (aws:username, aws:userid,
// aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType), set the same
// way by the :4566 gate and by the execution-role checks of functions.
void SetPrincipalKeys(const Principal& principal, const std::string& account, RequestContext* context);

// Name rules of IAM: 1..64 (users, roles) or 1..128 (policies) characters of
// letters, digits and + = , . @ _ -.
common::Status ValidateIamName(std::string_view field, std::string_view name, size_t max);

}  // namespace iam
