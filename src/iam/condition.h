// The condition operators of the policy language (String*, Numeric*, Date*,
// Bool, BinaryEquals, IpAddress, Arn*, Null): validation of a policy's values
// when it is parsed, and evaluation against a request's context values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "iam/policy.h"

namespace iam {

// Whether `op` (without qualifier and IfExists) is a known base operator.
bool IsConditionOperator(std::string_view op);

// InvalidArgument naming `where` when a value cannot be what the operator
// compares (a number for Numeric*, a date for Date*, a CIDR for IpAddress, ...).
common::Status ValidateConditionValues(const Condition& condition, const std::string& where);

// Evaluates one condition. `policy_values` are the condition's values after
// policy-variable substitution; `request_values` is null when the request has
// no such key.
bool EvaluateCondition(const Condition& condition, const std::vector<std::string>& policy_values,
                       const std::vector<std::string>* request_values);

// "2026-01-01T00:00:00Z", "2026-01-01" or epoch seconds -> epoch milliseconds.
bool ParseIamDate(std::string_view text, long long* millis);

}  // namespace iam
