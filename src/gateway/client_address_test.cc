#include "gateway/client_address.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

AddressSet Set(std::vector<std::string> entries) {
  auto set = AddressSet::Parse(entries);
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return set.ok() ? *set : AddressSet();
}

TEST(AddressSetTest, MatchesAddressesAndBlocks) {
  AddressSet set = Set({"10.0.0.0/8", "192.0.2.7", "fd00::/8", " 172.16.0.0/12 "});
  EXPECT_TRUE(set.Contains("10.1.2.3"));
  EXPECT_TRUE(set.Contains("192.0.2.7"));
  EXPECT_FALSE(set.Contains("192.0.2.8"));
  EXPECT_TRUE(set.Contains("172.31.255.255"));
  EXPECT_FALSE(set.Contains("172.32.0.0"));
  EXPECT_TRUE(set.Contains("fd12::1"));
  EXPECT_FALSE(set.Contains("fe80::1"));
  EXPECT_TRUE(set.Contains("::ffff:10.9.9.9"));  // IPv4-mapped counts as IPv4
  EXPECT_FALSE(set.Contains("not an address"));
  EXPECT_FALSE(AddressSet().Contains("10.1.2.3"));
}

TEST(AddressSetTest, RefusesWhatIsNotAnAddressNamingIt) {
  for (const char* bad : {"10.0.0.0/33", "::1/129", "example.com", "10.0.0.0/", "10.0.0.0/8x", "1.2.3.4/-1"}) {
    auto set = AddressSet::Parse({"127.0.0.1", bad});
    ASSERT_FALSE(set.ok()) << bad;
    EXPECT_NE(set.status().message().find(bad), std::string::npos) << set.status().message();
  }
}

TEST(ClientAddressTest, BelievesForwardedForOnlyFromTrustedProxies) {
  AddressSet proxies = Set({"127.0.0.1", "10.0.0.0/8"});
  // Not from a proxy: the header is whatever the client wrote.
  EXPECT_EQ(ClientAddress("203.0.113.5", "198.51.100.1", proxies), "203.0.113.5");
  // No header, or no trusted proxies at all: the peer.
  EXPECT_EQ(ClientAddress("127.0.0.1", "", proxies), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", AddressSet()), "127.0.0.1");
  // The rightmost hop that is not a proxy; what the client itself sent to
  // the first proxy (left of it) proves nothing.
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", proxies), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", proxies), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "2001:db8::7", proxies), "2001:db8::7");
  // Garbage ends the walk at the last address that parsed.
  EXPECT_EQ(ClientAddress("127.0.0.1", "junk, 10.0.0.3", proxies), "10.0.0.3");
  EXPECT_EQ(ClientAddress("127.0.0.1", "junk", proxies), "127.0.0.1");
}

}  // namespace
}  // namespace gateway
