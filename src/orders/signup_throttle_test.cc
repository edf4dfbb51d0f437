#include "orders/signup_throttle.h"

#include <gtest/gtest.h>

namespace orders {
namespace {

class SignupThrottleTest : public ::testing::Test {
 protected:
  static SignupThrottleOptions Options() {
    SignupThrottleOptions o;
    o.max_per_ip = 3;
    o.refill_seconds = 60;
    return o;
  }
  // How many of `n` sign-ups from `ip` pass now.
  int Passed(SignupThrottle& throttle, const char* ip, int n) {
    int passed = 0;
    for (int i = 0; i < n; ++i) passed += throttle.Acquire(ip) == 0 ? 1 : 0;
    return passed;
  }
  common::ManualClock clock_;
};

TEST_F(SignupThrottleTest, AnAddressGetsItsBurstThenOnePerRefill) {
  SignupThrottle throttle(&clock_, Options());
  EXPECT_EQ(Passed(throttle, "203.0.113.5", 3), 3);
  int wait = throttle.Acquire("203.0.113.5");
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 60);
  clock_.AdvanceMillis(wait * 1000);
  EXPECT_EQ(Passed(throttle, "203.0.113.5", 2), 1);
}

TEST_F(SignupThrottleTest, AddressesAreCountedSeparately) {
  SignupThrottle throttle(&clock_, Options());
  EXPECT_EQ(Passed(throttle, "203.0.113.5", 5), 3);
  EXPECT_EQ(Passed(throttle, "203.0.113.6", 3), 3);
  EXPECT_EQ(Passed(throttle, "2001:db8::1", 5), 3);
}

TEST_F(SignupThrottleTest, LoopbackIsExemptByDefault) {
  SignupThrottle throttle(&clock_, Options());
  EXPECT_EQ(Passed(throttle, "127.0.0.1", 100), 100);
  EXPECT_EQ(Passed(throttle, "127.0.0.42", 100), 100);
  EXPECT_EQ(Passed(throttle, "::1", 100), 100);
}

TEST_F(SignupThrottleTest, IpV4MappedAddressesCountAsTheirIpV4Address) {
  SignupThrottle throttle(&clock_, Options());
  EXPECT_EQ(Passed(throttle, "::ffff:127.0.0.1", 10), 10);  // loopback, exempt
  EXPECT_EQ(Passed(throttle, "::ffff:203.0.113.5", 2), 2);
  EXPECT_EQ(Passed(throttle, "203.0.113.5", 2), 1);  // the same client
}

TEST_F(SignupThrottleTest, ExemptListTakesAddressesAndCidrs) {
  SignupThrottleOptions o = Options();
  o.exempt = {"10.1.0.0/16", "127.0.0.1"};
  ASSERT_TRUE(SignupThrottle::Validate(o).ok());
  SignupThrottle throttle(&clock_, o);
  EXPECT_EQ(Passed(throttle, "10.1.200.7", 10), 10);
  EXPECT_EQ(Passed(throttle, "127.0.0.1", 10), 10);
  EXPECT_EQ(Passed(throttle, "127.0.0.2", 10), 3);
  EXPECT_EQ(Passed(throttle, "10.2.0.1", 10), 3);
}

TEST_F(SignupThrottleTest, AnEmptyExemptListThrottlesLoopbackToo) {
  SignupThrottleOptions o = Options();
  o.exempt.clear();
  SignupThrottle throttle(&clock_, o);
  EXPECT_EQ(Passed(throttle, "127.0.0.1", 10), 3);
}

TEST_F(SignupThrottleTest, MalformedExemptEntriesAreRejectedByName) {
  SignupThrottleOptions o = Options();
  o.exempt = {"127.0.0.1", "localhost"};
  common::Status s = SignupThrottle::Validate(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("api.signup_exempt_addresses"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("localhost"), std::string::npos) << s.ToString();
  o.exempt = {"10.0.0.0/33"};
  EXPECT_FALSE(SignupThrottle::Validate(o).ok());
  o.exempt = {"${aws:SourceIp}"};
  EXPECT_FALSE(SignupThrottle::Validate(o).ok());
}

}  // namespace
}  // namespace orders
