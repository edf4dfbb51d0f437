// The OpenAPI 3 document of /api/ (served at GET /api/openapi.json): the
// machine-readable form of docs/api.md. Keep the two in step.
#pragma once

#include <string_view>

namespace orders {

std::string_view OpenApiJson();

}  // namespace orders
