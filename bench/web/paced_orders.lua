-- wrk script: POST /api/orders paced to about $RATE requests/s in total over
-- the connections wrk opens ($CONNS, default 64), signed in with $TOKEN. wrk
-- is C and spends microseconds per request, so it is not the bottleneck; the
-- achieved rate is what the server accepts (wrk prints it).
local token = os.getenv("TOKEN")
local rate = tonumber(os.getenv("RATE") or "2000")
local conns = tonumber(os.getenv("CONNS") or "64")
local address = '"shippingAddress":{"name":"Bench","line1":"1 Loop St","city":"Berlin","postalCode":"10115","country":"DE"}'
local pause = math.max(0, math.floor(1000 * conns / rate))
math.randomseed(os.time())
request = function()
  local body = string.format('{"items":[{"productId":"p-%03d","quantity":1}],%s}', math.random(1, 50), address)
  return wrk.format("POST", "/api/orders",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
-- Milliseconds each connection waits before its next request.
delay = function() return pause end
