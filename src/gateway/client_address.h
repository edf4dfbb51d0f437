// Who the client is when a reverse proxy (nginx, a load balancer) sits in
// front: the proxy's own address is what the socket shows, and the client's
// is in X-Forwarded-For. The header is believed only from proxies the
// operator named (gateway.trusted_proxies); anyone else could write anything
// there and pick a fresh throttling bucket per request.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gateway {

// A set of addresses and CIDR blocks ("10.0.0.0/8", "::1", "192.0.2.7").
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match as their IPv4 address.
class AddressSet {
 public:
  // InvalidArgument naming the first entry that is not an address or CIDR.
  static common::Result<AddressSet> Parse(const std::vector<std::string>& entries);

  bool empty() const { return blocks_.empty(); }
  bool Contains(std::string_view address) const;

 private:
  struct Block {
    std::array<unsigned char, 16> bytes{};  // IPv4 in the first 4
    bool v4 = false;
    int prefix_bits = 0;
  };
  std::vector<Block> blocks_;
};

// The client's address for a request that arrived from `peer`: `peer` itself
// unless it is a trusted proxy and the request carries X-Forwarded-For; then
// the rightmost address of that list that is not a trusted proxy (the ones
// left of it were written by whoever the first trusted proxy heard from, so
// they prove nothing). Unparseable entries end the walk at the last good one.
std::string ClientAddress(const std::string& peer, std::string_view forwarded_for, const AddressSet& trusted);

}  // namespace gateway
