-- wrk script for the cwm ingest benchmark: POST a fixed 1 KB JSON body (exactly 1024 bytes, as in
-- STACK.md §4) with its HMAC-SHA256 hex signature. wrk's Lua has no HMAC, so bench/run.sh writes
-- the body to a file and computes the signature with openssl, then passes both in:
--   BENCH_BODY_FILE  path of the body file (required)
--   BENCH_SIGNATURE  lowercase hex HMAC-SHA256 of that body (required for the receiver)
local path = os.getenv("BENCH_BODY_FILE")
assert(path, "BENCH_BODY_FILE is not set")
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()
assert(#body == 1024, "body must be 1024 bytes, got " .. #body)

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-HMAC-Signature"] = os.getenv("BENCH_SIGNATURE") or ""
