#include "orders/openapi.h"

namespace orders {

std::string_view OpenApiJson() {
  static constexpr std::string_view kDoc = R"json({
"openapi": "3.0.3",
"info": {"title": "Rivulet shop API", "version": "1.0.0",
         "description": "Orders, catalog, auth and analytics of the Rivulet web shop. Money is integer minor units; times are RFC 3339 UTC with milliseconds. Errors are application/problem+json with an optional `field`. State-changing requests from another site (Sec-Fetch-Site: cross-site, or a foreign Origin) are 403; bodies must be application/json (else 415). Any request may carry an API key (x-api-key): an invalid one is 403, one over its usage plan 429 with Retry-After; routes in api.require_key_routes need one. Live updates: WebSocket /ws (topics orders/<customerId>, admin/orders, analytics)."},
"components": {
  "securitySchemes": {
    "session": {"type": "apiKey", "in": "cookie", "name": "rivulet_session"},
    "bearer": {"type": "http", "scheme": "bearer"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
  "schemas": {
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail", "requestId"], "properties": {
      "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
      "detail": {"type": "string"}, "requestId": {"type": "string"}, "field": {"type": "string"}}},
    "User": {"type": "object", "properties": {"id": {"type": "string"}, "email": {"type": "string"},
      "name": {"type": "string"}, "role": {"type": "string", "enum": ["customer", "admin"]}}},
    "Product": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
      "description": {"type": "string"}, "price": {"type": "integer"}, "currency": {"type": "string"},
      "stock": {"type": "integer"}, "category": {"type": "string"}, "imageUrl": {"type": "string"}}},
    "Address": {"type": "object", "additionalProperties": false, "required": ["name", "line1", "city", "postalCode", "country"],
      "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
        "line1": {"type": "string", "minLength": 1, "maxLength": 200}, "line2": {"type": "string", "maxLength": 200},
        "city": {"type": "string", "minLength": 1, "maxLength": 100},
        "postalCode": {"type": "string", "minLength": 1, "maxLength": 20},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"}}},
    "PlaceOrder": {"type": "object", "additionalProperties": false, "required": ["items", "shippingAddress"], "properties": {
      "items": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"type": "object", "additionalProperties": false,
        "required": ["productId", "quantity"], "properties": {
          "productId": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
          "quantity": {"type": "integer", "minimum": 1, "maximum": 100}}}},
      "shippingAddress": {"$ref": "#/components/schemas/Address"}}},
    "Status": {"type": "string", "enum": ["PLACED", "CONFIRMED", "SHIPPED", "DELIVERED", "REJECTED", "CANCELLED"]},
    "Order": {"type": "object", "properties": {"id": {"type": "string"}, "customerId": {"type": "string"},
      "status": {"$ref": "#/components/schemas/Status"},
      "items": {"type": "array", "items": {"type": "object", "properties": {"productId": {"type": "string"},
        "name": {"type": "string"}, "quantity": {"type": "integer"}, "unitPrice": {"type": "integer"}, "lineTotal": {"type": "integer"}}}},
      "total": {"type": "integer"}, "currency": {"type": "string"},
      "shippingAddress": {"$ref": "#/components/schemas/Address"},
      "createdAt": {"type": "string", "format": "date-time"}, "updatedAt": {"type": "string", "format": "date-time"},
      "history": {"type": "array", "items": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"},
        "at": {"type": "string", "format": "date-time"}, "reason": {"type": "string"}}}}}},
    "OrderPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
      "nextCursor": {"type": "string", "nullable": true}}},
    "UsagePlan": {"type": "object", "additionalProperties": false, "properties": {
      "rateLimit": {"type": "number", "exclusiveMinimum": 0, "maximum": 100000, "default": 10},
      "burstLimit": {"type": "number", "minimum": 1, "maximum": 1000000, "default": 20},
      "quotaPerDay": {"type": "integer", "minimum": 0, "default": 10000, "description": "requests per UTC day; 0 = no quota"}}},
    "Accepted": {"type": "object", "properties": {"id": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"}}}},
  "responses": {
    "Problem": {"description": "problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
  "parameters": {
    "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    "status": {"name": "status", "in": "query", "schema": {"$ref": "#/components/schemas/Status"}},
    "id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}}},
"security": [{"session": []}, {"bearer": []}],
"paths": {
  "/api/auth/signup": {"post": {"security": [], "requestBody": {"content": {"application/json": {"schema": {"type": "object",
      "additionalProperties": false, "required": ["email", "password", "name"], "properties": {"email": {"type": "string"},
      "password": {"type": "string", "minLength": 8, "maxLength": 128}, "name": {"type": "string", "minLength": 1, "maxLength": 100}}}}}},
    "responses": {"201": {"description": "signed up and in (Set-Cookie)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
      "400": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
  "/api/auth/login": {"post": {"security": [], "requestBody": {"content": {"application/json": {"schema": {"type": "object",
      "required": ["email", "password"], "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}}}},
    "responses": {"200": {"description": "signed in (Set-Cookie)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
      "401": {"$ref": "#/components/responses/Problem"},
      "429": {"description": "too many failed sign-ins for the account or address; Retry-After says when to try again",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}},
  "/api/auth/logout": {"post": {"responses": {"204": {"description": "signed out, cookie cleared"}}}},
  "/api/auth/me": {"get": {"responses": {"200": {"description": "the user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
    "401": {"$ref": "#/components/responses/Problem"}}}},
  "/api/products": {"get": {"security": [], "parameters": [{"name": "search", "in": "query", "schema": {"type": "string"}},
      {"name": "category", "in": "query", "schema": {"type": "string"}}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
    "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
      "items": {"type": "array", "items": {"$ref": "#/components/schemas/Product"}}, "nextCursor": {"type": "string", "nullable": true}}}}}},
      "400": {"$ref": "#/components/responses/Problem"}}}},
  "/api/products/{id}": {"get": {"security": [], "parameters": [{"$ref": "#/components/parameters/id"}],
    "responses": {"200": {"description": "the product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"}}}},
      "404": {"$ref": "#/components/responses/Problem"}}}},
  "/api/categories": {"get": {"security": [], "responses": {"200": {"description": "{items: [{id, name, count}]}"}}}},
  "/api/orders": {
    "post": {"parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 128}}],
      "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlaceOrder"}}}},
      "responses": {"202": {"description": "durable in the stream; Location: /api/orders/{id}", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
        "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
        "422": {"$ref": "#/components/responses/Problem"}, "503": {"$ref": "#/components/responses/Problem"}}},
    "get": {"parameters": [{"$ref": "#/components/parameters/status"}, {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
      "responses": {"200": {"description": "my orders, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderPage"}}}}}}},
  "/api/orders/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/id"}],
    "responses": {"200": {"description": "the order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
      "404": {"$ref": "#/components/responses/Problem"}}}},
  "/api/orders/{id}/cancel": {"post": {"parameters": [{"$ref": "#/components/parameters/id"}],
    "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
      "202": {"description": "accepted; the processor had not answered within 5 s"},
      "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
  "/api/admin/orders": {"get": {"parameters": [{"$ref": "#/components/parameters/status"}, {"name": "customerId", "in": "query", "schema": {"type": "string"}},
      {"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/cursor"}],
    "responses": {"200": {"description": "orders, newest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderPage"}}}},
      "403": {"$ref": "#/components/responses/Problem"}}}},
  "/api/admin/orders/{id}/status": {"post": {"parameters": [{"$ref": "#/components/parameters/id"}],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["status"],
      "properties": {"status": {"type": "string", "enum": ["SHIPPED", "DELIVERED", "CANCELLED"]}, "reason": {"type": "string", "maxLength": 200}}}}}},
    "responses": {"202": {"description": "queued for the processor", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}},
      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}}},
  "/api/admin/customers/{id}": {"get": {"parameters": [{"$ref": "#/components/parameters/id"}],
    "responses": {"200": {"description": "{customer: User, orders: [Order]}"}, "404": {"$ref": "#/components/responses/Problem"}}}},
  "/api/events": {"post": {"security": [], "requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false,
      "required": ["type"], "properties": {"type": {"type": "string", "enum": ["page_view", "product_view", "add_to_cart", "checkout_started"]},
      "productId": {"type": "string"}}}}}},
    "responses": {"202": {"description": "durable in the activity stream"}, "400": {"$ref": "#/components/responses/Problem"}}}},
  "/api/admin/api-keys": {
    "post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["name"],
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "usagePlan": {"$ref": "#/components/schemas/UsagePlan"}}}}}},
      "responses": {"201": {"description": "the key, shown only here", "content": {"application/json": {"schema": {"type": "object", "properties": {
          "id": {"type": "string"}, "name": {"type": "string"}, "key": {"type": "string"}, "usagePlan": {"$ref": "#/components/schemas/UsagePlan"},
          "createdAt": {"type": "string", "format": "date-time"}}}}}},
        "400": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}},
    "get": {"responses": {"200": {"description": "{items: [{id, name, usagePlan, createdAt, createdBy, usedToday}]} (never the key)"},
      "403": {"$ref": "#/components/responses/Problem"}}}},
  "/api/admin/api-keys/{id}": {"delete": {"parameters": [{"$ref": "#/components/parameters/id"}],
    "responses": {"204": {"description": "deleted; the key stops working"}, "403": {"$ref": "#/components/responses/Problem"},
      "404": {"$ref": "#/components/responses/Problem"}}}},
  "/api/analytics/summary": {"get": {"parameters": [{"name": "range", "in": "query", "schema": {"type": "string", "enum": ["5m", "1h", "24h"]}}],
    "responses": {"200": {"description": "Summary (docs/api.md)"}, "403": {"$ref": "#/components/responses/Problem"}}}}
}})json";
  return kDoc;
}

}  // namespace orders
