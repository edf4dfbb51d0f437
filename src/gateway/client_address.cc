#include "gateway/client_address.h"

#include <algorithm>
#include <charconv>

#include <boost/asio/ip/address.hpp>

namespace gateway {
namespace {

// Parses an address into 16 bytes (IPv4 in the first 4); false when invalid.
bool ToBytes(std::string_view text, std::array<unsigned char, 16>* bytes, bool* v4) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  bytes->fill(0);
  *v4 = address.is_v4();
  if (*v4) {
    auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes->begin());
  } else {
    *bytes = address.to_v6().to_bytes();
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

common::Result<AddressSet> AddressSet::Parse(const std::vector<std::string>& entries) {
  AddressSet set;
  for (const std::string& raw : entries) {
    std::string_view entry = Trim(raw);
    if (entry.empty()) continue;
    size_t slash = entry.find('/');
    Block block;
    bool ok = ToBytes(entry.substr(0, slash), &block.bytes, &block.v4);
    int max_bits = block.v4 ? 32 : 128;
    block.prefix_bits = max_bits;
    if (ok && slash != std::string_view::npos) {
      std::string_view bits = entry.substr(slash + 1);
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), block.prefix_bits);
      ok = ec == std::errc() && end == bits.data() + bits.size() && block.prefix_bits >= 0 &&
           block.prefix_bits <= max_bits;
    }
    if (!ok) {
      return common::Status::InvalidArgument("\"" + std::string(entry) +
                                             "\" is not an IP address or CIDR block (10.0.0.0/8, ::1)");
    }
    set.blocks_.push_back(block);
  }
  return set;
}

bool AddressSet::Contains(std::string_view address) const {
  std::array<unsigned char, 16> bytes;
  bool v4 = false;
  if (blocks_.empty() || !ToBytes(address, &bytes, &v4)) return false;
  return std::any_of(blocks_.begin(), blocks_.end(), [&](const Block& b) {
    if (b.v4 != v4) return false;
    int full = b.prefix_bits / 8, rest = b.prefix_bits % 8;
    if (!std::equal(bytes.begin(), bytes.begin() + full, b.bytes.begin())) return false;
    if (rest == 0) return true;
    auto mask = static_cast<unsigned char>(0xFF << (8 - rest));
    return (bytes[static_cast<size_t>(full)] & mask) == (b.bytes[static_cast<size_t>(full)] & mask);
  });
}

std::string ClientAddress(const std::string& peer, std::string_view forwarded_for, const AddressSet& trusted) {
  if (forwarded_for.empty() || !trusted.Contains(peer)) return peer;
  std::string client = peer;
  while (!forwarded_for.empty()) {
    size_t comma = forwarded_for.rfind(',');
    std::string_view hop = Trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
    std::array<unsigned char, 16> bytes;
    bool v4 = false;
    if (!ToBytes(hop, &bytes, &v4)) break;
    client = std::string(hop);
    if (!trusted.Contains(client)) break;
  }
  return client;
}

}  // namespace gateway
