-- wrk script: POST /api/orders for one random demo product, signed in with
-- the bearer token in $TOKEN.
local token = os.getenv("TOKEN")
local address = '"shippingAddress":{"name":"Bench","line1":"1 Loop St","city":"Berlin","postalCode":"10115","country":"DE"}'
math.randomseed(os.time())
request = function()
  local body = string.format('{"items":[{"productId":"p-%03d","quantity":1}],%s}', math.random(1, 50), address)
  return wrk.format("POST", "/api/orders",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
