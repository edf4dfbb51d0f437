#include "orders/login_throttle.h"

#include <gtest/gtest.h>

namespace orders {
namespace {

class LoginThrottleTest : public ::testing::Test {
 protected:
  LoginThrottleTest() : throttle_(&clock_, Options()) {}
  static LoginThrottleOptions Options() {
    LoginThrottleOptions o;
    o.max_failures = 3;
    o.max_failures_per_ip = 5;
    o.lockout_seconds = 10;
    o.max_lockout_seconds = 60;
    o.forget_seconds = 300;
    o.max_entries = 8;
    return o;
  }
  void Fail(int n, const char* email = "a@x", const char* ip = "1.1.1.1") {
    for (int i = 0; i < n; ++i) throttle_.RecordFailure(email, ip);
  }
  common::ManualClock clock_;
  LoginThrottle throttle_;
};

TEST_F(LoginThrottleTest, LocksAnAccountAfterMaxFailures) {
  Fail(2);
  EXPECT_EQ(throttle_.RetryAfter("a@x", "2.2.2.2"), 0);
  Fail(1);
  EXPECT_EQ(throttle_.RetryAfter("A@X", "2.2.2.2"), 10);  // emails compare case-insensitively
  EXPECT_EQ(throttle_.RetryAfter("b@x", "2.2.2.2"), 0);
  clock_.AdvanceMillis(9'500);
  EXPECT_EQ(throttle_.RetryAfter("a@x", "2.2.2.2"), 1);
  clock_.AdvanceMillis(500);
  EXPECT_EQ(throttle_.RetryAfter("a@x", "2.2.2.2"), 0);
}

TEST_F(LoginThrottleTest, LockoutDoublesAndIsCapped) {
  Fail(3);
  EXPECT_EQ(throttle_.RetryAfter("a@x", ""), 10);
  clock_.AdvanceMillis(10'000);
  Fail(1);
  EXPECT_EQ(throttle_.RetryAfter("a@x", ""), 20);
  clock_.AdvanceMillis(20'000);
  Fail(1);
  EXPECT_EQ(throttle_.RetryAfter("a@x", ""), 40);
  clock_.AdvanceMillis(40'000);
  Fail(1);
  EXPECT_EQ(throttle_.RetryAfter("a@x", ""), 60);
}

TEST_F(LoginThrottleTest, SuccessResetsTheAccountButNotTheIp) {
  Fail(2, "a@x", "9.9.9.9");
  Fail(2, "b@x", "9.9.9.9");
  throttle_.RecordSuccess("a@x");
  Fail(2, "a@x", "8.8.8.8");
  EXPECT_EQ(throttle_.RetryAfter("a@x", "8.8.8.8"), 0);  // count restarted at 0
  Fail(1, "c@x", "9.9.9.9");  // the IP's 5th failure
  EXPECT_EQ(throttle_.RetryAfter("zzz@x", "9.9.9.9"), 10);
}

TEST_F(LoginThrottleTest, OldFailuresAreForgotten) {
  Fail(2);
  clock_.AdvanceMillis(301'000);
  Fail(2);
  EXPECT_EQ(throttle_.RetryAfter("a@x", ""), 0);
}

TEST_F(LoginThrottleTest, MemoryIsBounded) {
  for (int i = 0; i < 100; ++i) {
    throttle_.RecordFailure("u" + std::to_string(i) + "@x", "10.0.0." + std::to_string(i));
    clock_.AdvanceMillis(1);
  }
  EXPECT_LE(throttle_.size(), 8u);
  // The most recent failures are the ones kept.
  Fail(2, "u99@x", "");
  EXPECT_EQ(throttle_.RetryAfter("u99@x", ""), 10);
}

}  // namespace
}  // namespace orders
