#!/usr/bin/env bash
# Connect JSON over plain curl: what an integrator without any client library sees.
# Checks HTTP status codes, content types and Connect error bodies ({code, message, details});
# then the health endpoints, /metrics and gRPC server reflection (v1 and v1alpha, over h2c).
#
# Needs a running tenant-api: EVENTKIT_TEST_URL (e.g. http://127.0.0.1:8080),
# EVENTKIT_TEST_API_KEY (ek_...) and EVENTKIT_TEST_METRICS_TOKEN (the server's
# EVENTKIT_METRICS_TOKEN); EVENTKIT_TEST_API_KEY_B (another tenant) adds the cross-tenant
# checks. Needs curl, jq and python3.
set -uo pipefail

BASE="${EVENTKIT_TEST_URL:?set EVENTKIT_TEST_URL, e.g. http://127.0.0.1:8080}"
KEY="${EVENTKIT_TEST_API_KEY:?set EVENTKIT_TEST_API_KEY (ek_...)}"
METRICS_TOKEN="${EVENTKIT_TEST_METRICS_TOKEN:?set EVENTKIT_TEST_METRICS_TOKEN to the EVENTKIT_METRICS_TOKEN of the server}"
SVC="$BASE/eventkit.v1.InventoryService"

for tool in curl jq python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "connect_json.sh: $tool is missing (scripts/services --with $tool)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
STATUS=""
BODY=""
CTYPE=""

# call METHOD JSON-BODY [extra curl args...]: POSTs with auth (CALL_KEY, default KEY); sets STATUS, BODY, CTYPE.
call() {
  local method=$1 body=$2; shift 2
  printf '%s' "$body" >"$work/req"
  raw_call "$SVC/$method" --data-binary @"$work/req" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer ${CALL_KEY:-$KEY}" "$@"
}
# raw_call URL [curl args...]: a POST with Connect-Protocol-Version; sets STATUS, BODY, CTYPE.
raw_call() {
  local url=$1; shift
  : >"$work/body"
  STATUS=$(curl -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 30 \
    -X POST -H 'Connect-Protocol-Version: 1' "$@" "$url" 2>"$work/curl-err") || true
  BODY=$(cat "$work/body")
  CTYPE=$(tr -d '\r' <"$work/headers" | awk -F': *' 'tolower($1) == "content-type" {v = $2} END {print v}')
}

ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
not_ok() {
  failed=$((failed + 1))
  printf 'FAIL %s\n' "$1"
  printf '     HTTP %s, content-type %s\n' "${STATUS:-?}" "${CTYPE:-?}"
  printf '     body: %.600s\n' "$BODY"
  if [[ -s $work/curl-err ]]; then printf '     curl: %s\n' "$(head -c 300 "$work/curl-err")"; fi
}
# expect NAME HTTP-STATUS [JQ-FILTER...]: each filter must print true against BODY.
expect() {
  local name=$1 status=$2; shift 2
  if [[ $STATUS != "$status" ]]; then not_ok "$name (expected HTTP $status)"; return; fi
  local f
  for f in "$@"; do
    if [[ $(jq -r "$f" <<<"$BODY" 2>/dev/null) != true ]]; then not_ok "$name (expected $f)"; return; fi
  done
  ok "$name"
}
# expect_error NAME HTTP-STATUS CONNECT-CODE: a Connect error body with that code and a JSON content type.
expect_error() {
  local name=$1 status=$2 code=$3
  if [[ $CTYPE != application/json* ]]; then STATUS="$STATUS (content-type $CTYPE)"; fi
  expect "$name" "$status" ".code == \"$code\"" '(.message // "") | type == "string"'
}

word="ekcurl$(python3 -c 'import secrets,string; print("".join(secrets.choice(string.ascii_lowercase) for _ in range(10)))')"
code="CURL-$(python3 -c 'import uuid; print(uuid.uuid4())')"
unknown_id=$(python3 -c 'import uuid; print(uuid.uuid4())')

# ---- happy path
call CreateProduct "{\"name\":\"Fog machine $word\",\"category\":\"Effects\",\"trackingMode\":\"TRACKING_MODE_SERIALISED\",\"dailyRate\":{\"amountMinor\":\"4500\",\"currency\":\"EUR\"}}"
expect "CreateProduct returns the product" 200 \
  '.product.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")' \
  ".product.name == \"Fog machine $word\"" \
  '.product.dailyRate.amountMinor == "4500"' \
  '.product.trackingMode == "TRACKING_MODE_SERIALISED"' \
  '.product.createTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*Z$")'
if [[ $CTYPE == application/json* ]]; then ok "success content-type is application/json"; else not_ok "success content-type is application/json"; fi
product_id=$(jq -r '.product.id // empty' <<<"$BODY" 2>/dev/null)

call GetProduct "{\"id\":\"$product_id\"}"
expect "GetProduct returns it" 200 ".product.id == \"$product_id\"" '.product.category == "Effects"'

call CreateLocation "{\"name\":\"Depot $word\",\"kind\":\"LOCATION_KIND_WAREHOUSE\"}"
expect "CreateLocation" 200 '.location.id | length == 36' '.location.kind == "LOCATION_KIND_WAREHOUSE"'
location_id=$(jq -r '.location.id // empty' <<<"$BODY" 2>/dev/null)

call CreateAsset "{\"productId\":\"$product_id\",\"code\":\"$code\",\"serialNumber\":\"SN-$word\",\"locationId\":\"$location_id\"}"
expect "CreateAsset" 200 ".asset.code == \"$code\"" ".asset.productId == \"$product_id\"" ".asset.locationId == \"$location_id\""
asset_id=$(jq -r '.asset.id // empty' <<<"$BODY" 2>/dev/null)

call GetAsset "{\"id\":\"$asset_id\"}"
expect "GetAsset" 200 ".asset.id == \"$asset_id\""

call LookupAssetByCode "{\"code\":\"$code\"}"
expect "LookupAssetByCode" 200 ".asset.id == \"$asset_id\""

call ListProducts "{\"query\":\"$word\",\"page\":{\"pageSize\":10}}"
expect "ListProducts full-text query" 200 "[.products[].id] | index(\"$product_id\") != null"

# ---- errors
call GetProduct "{\"id\":\"$unknown_id\"}"
expect_error "GetProduct unknown id is not_found (404)" 404 not_found

call CreateAsset "{\"productId\":\"$product_id\",\"code\":\"$code\"}"
expect_error "CreateAsset duplicate code is already_exists (409)" 409 already_exists

if [[ -n ${EVENTKIT_TEST_API_KEY_B:-} ]]; then
  CALL_KEY=$EVENTKIT_TEST_API_KEY_B call GetProduct "{\"id\":\"$product_id\"}"
  expect_error "another tenant's GetProduct is not_found (404)" 404 not_found
  CALL_KEY=$EVENTKIT_TEST_API_KEY_B call LookupAssetByCode "{\"code\":\"$code\"}"
  expect_error "another tenant's LookupAssetByCode is not_found (404)" 404 not_found
  CALL_KEY=$EVENTKIT_TEST_API_KEY_B call GetAsset "{\"id\":\"$asset_id\"}"
  expect_error "another tenant's GetAsset is not_found (404)" 404 not_found
  CALL_KEY=$EVENTKIT_TEST_API_KEY_B call ListProducts "{\"query\":\"$word\"}"
  expect "another tenant's ListProducts does not see the product" 200 "[.products[]?.id] | index(\"$product_id\") == null"
fi

call CreateProduct '{"name":""}'
expect_error "CreateProduct empty name is invalid_argument (400)" 400 invalid_argument
# details[] holds {type, value: base64 protobuf}; decode google.rpc.BadRequest and find the field.
violations=$(jq -r '[.details[]? | select(.type == "google.rpc.BadRequest") | .value] | .[]' <<<"$BODY" 2>/dev/null | python3 -c '
import base64, sys
def fields(buf):
    i = 0
    while i < len(buf):
        key = 0; shift = 0
        while True:
            b = buf[i]; i += 1; key |= (b & 0x7f) << shift; shift += 7
            if b < 0x80: break
        num, wt = key >> 3, key & 7
        if wt == 0:
            while buf[i] & 0x80: i += 1
            i += 1; continue
        if wt != 2: raise SystemExit("unexpected wire type %d" % wt)
        n = 0; shift = 0
        while True:
            b = buf[i]; i += 1; n |= (b & 0x7f) << shift; shift += 7
            if b < 0x80: break
        yield num, buf[i:i + n]; i += n
for line in sys.stdin:
    line = line.strip()
    raw = base64.b64decode(line + "=" * (-len(line) % 4), altchars=b"-_" if ("-" in line or "_" in line) else None)
    for num, fv in fields(raw):                      # BadRequest.field_violations = 1
        if num == 1:
            for n2, v in fields(fv):                 # FieldViolation.field = 1
                if n2 == 1: print(v.decode())
' 2>&1)
if grep -qx 'name' <<<"$violations"; then
  ok "invalid_argument carries a google.rpc.BadRequest naming field \"name\""
else
  not_ok "invalid_argument carries a google.rpc.BadRequest naming field \"name\" (decoded: ${violations:-none})"
fi

call CreateProduct '{"name": "broken",'
expect_error "malformed JSON is invalid_argument (400)" 400 invalid_argument

raw_call "$SVC/GetProduct" --data-binary "{\"id\":\"$product_id\"}" -H 'Content-Type: application/json'
expect_error "no Authorization is unauthenticated (401)" 401 unauthenticated

raw_call "$SVC/GetProduct" --data-binary "{\"id\":\"$product_id\"}" -H 'Content-Type: application/json' \
  -H 'Authorization: Bearer ek_not_a_real_key'
expect_error "unknown API key is unauthenticated (401)" 401 unauthenticated

python3 -c '
import json, sys
json.dump({"name": "x" * (5 * 1024 * 1024)}, open(sys.argv[1], "w"))' "$work/big.json"
raw_call "$SVC/CreateProduct" --data-binary @"$work/big.json" -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $KEY" -H 'Expect:'
expect_error "5 MiB body is resource_exhausted (429)" 429 resource_exhausted

call NoSuchMethod '{}'
if [[ $STATUS == 404 ]]; then ok "unknown procedure is HTTP 404"; else not_ok "unknown procedure is HTTP 404"; fi

printf '%s' "{\"id\":\"$product_id\"}" >"$work/req"
raw_call "$SVC/GetProduct" --data-binary @"$work/req" -H 'Content-Type: text/plain' -H "Authorization: Bearer $KEY"
if [[ $STATUS == 415 ]]; then ok "unsupported content type is HTTP 415"; else not_ok "unsupported content type is HTTP 415"; fi

# ---- reads over HTTP GET (Connect "Unary-Get"): the RPCs the proto marks NO_SIDE_EFFECTS
# get_call METHOD QUERY [extra curl args...]: a GET with auth; sets STATUS, BODY, CTYPE (and $work/headers).
get_call() {
  local method=$1 query=$2; shift 2
  : >"$work/body"
  STATUS=$(curl -sS -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 30 \
    -H "Authorization: Bearer ${CALL_KEY:-$KEY}" "$@" "$SVC/$method?$query" 2>"$work/curl-err") || true
  BODY=$(cat "$work/body")
  CTYPE=$(tr -d '\r' <"$work/headers" | awk -F': *' 'tolower($1) == "content-type" {v = $2} END {print v}')
}
header_of() { tr -d '\r' <"$work/headers" | awk -F': *' -v h="$1" 'tolower($1) == h {v = $2} END {print v}'; }
get_message=$(jq -rn --arg id "$product_id" '{id: $id} | tojson | @uri')
get_call GetProduct "encoding=json&message=$get_message&connect=v1"
expect "GET GetProduct (encoding=json) answers as POST does" 200 ".product.id == \"$product_id\"" '.product.category == "Effects"'
etag=$(header_of etag)
if [[ $etag == \"*\" && $(header_of cache-control) == "private, no-cache" ]]; then ok "a GET answer carries an ETag and Cache-Control: private, no-cache"; else not_ok "a GET answer carries an ETag and Cache-Control: private, no-cache (got etag '$etag', cache-control '$(header_of cache-control)')"; fi
get_call GetProduct "encoding=json&message=$get_message" -H "If-None-Match: $etag"
if [[ $STATUS == 304 && -z $BODY ]]; then ok "GET with If-None-Match of the same answer is 304 without a body"; else not_ok "GET with If-None-Match of the same answer is 304 without a body"; fi
b64=$(printf '{"id":"%s"}' "$product_id" | base64 -w0 | tr '+/' '-_' | tr -d '=')
get_call GetProduct "encoding=json&base64=1&message=$b64"
expect "GET with base64=1 (unpadded base64url) answers too" 200 ".product.id == \"$product_id\""
get_call ListProducts "encoding=json&message=$(jq -rn --arg q "$word" '{query: $q} | tojson | @uri')"
expect "GET ListProducts full-text query" 200 "[.products[].id] | index(\"$product_id\") != null"
get_call GetProduct "message=$get_message"
expect_error "GET without encoding is invalid_argument (400)" 400 invalid_argument
if jq -e '.details[0].debug.fieldViolations[0].field == "encoding"' <<<"$BODY" >/dev/null 2>&1 || grep -q encoding <<<"$BODY"; then ok "the error names the encoding parameter"; else not_ok "the error names the encoding parameter"; fi
get_call GetProduct "encoding=json&message=$(jq -rn '{id: "nope"} | tojson | @uri')"
expect_error "GET with a bad id is invalid_argument (400)" 400 invalid_argument
CALL_KEY=ek_not_a_real_key get_call GetProduct "encoding=json&message=$get_message"
expect_error "GET with an unknown API key is unauthenticated (401)" 401 unauthenticated
get_call CreateProduct "encoding=json&message=$(jq -rn '{name: "by GET"} | tojson | @uri')"
if [[ $STATUS == 405 ]] && jq -e '.code == "unimplemented"' <<<"$BODY" >/dev/null 2>&1; then ok "GET of a write is HTTP 405 and writes nothing"; else not_ok "GET of a write is HTTP 405 and writes nothing"; fi
call ListProducts '{"query": "by GET"}'
expect "nothing was written by the refused GET" 200 '[(.products // [])[] | select(.name == "by GET")] | length == 0'

# ---- health, metrics, gRPC reflection (what operators and gRPC tools rely on)
for path in /health/live /health/ready /health; do
  STATUS=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 "$BASE$path" 2>"$work/curl-err"); BODY=$(cat "$work/body"); CTYPE=""
  if [[ $STATUS == 200 ]]; then ok "GET $path is 200"; else not_ok "GET $path is 200"; fi
done
if jq -e 'keys == ["status"]' "$work/body" >/dev/null 2>&1; then ok "GET /health without the metrics token says only up or down"; else not_ok "GET /health without the metrics token says only up or down"; fi
STATUS=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/health" 2>"$work/curl-err"); BODY=$(cat "$work/body"); CTYPE=""
if [[ $STATUS == 200 ]] && jq -e '.checks.postgres.ok' "$work/body" >/dev/null 2>&1; then ok "GET /health with the metrics token has the detail"; else not_ok "GET /health with the metrics token has the detail"; fi
STATUS=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 "$BASE/metrics" 2>"$work/curl-err"); BODY=$(head -c 2000 "$work/body"); CTYPE=""
if [[ $STATUS == 401 ]]; then ok "GET /metrics without the metrics token is HTTP 401"; else not_ok "GET /metrics without the metrics token is HTTP 401"; fi
STATUS=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $METRICS_TOKEN" "$BASE/metrics" 2>"$work/curl-err"); BODY=$(head -c 2000 "$work/body"); CTYPE=""
if [[ $STATUS == 200 ]] && grep -q '^# TYPE ' "$work/body"; then ok "GET /metrics with the metrics token is Prometheus text"; else not_ok "GET /metrics with the metrics token is Prometheus text"; fi

# ServerReflectionRequest { list_services: "" } as one gRPC frame (h2c, prior knowledge).
printf '\x00\x00\x00\x00\x02\x3a\x00' >"$work/reflect.bin"
for version in v1 v1alpha; do
  STATUS=$(curl -sS --http2-prior-knowledge -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 10 -X POST \
    -H 'Content-Type: application/grpc' -H 'TE: trailers' --data-binary @"$work/reflect.bin" \
    "$BASE/grpc.reflection.$version.ServerReflection/ServerReflectionInfo" 2>"$work/curl-err")
  BODY=$(tr -c '[:print:]' '.' <"$work/body"); CTYPE=$(tr -d '\r' <"$work/headers" | awk -F': *' 'tolower($1) == "grpc-status" {print "grpc-status " $2}')
  if [[ $STATUS == 200 ]] && grep -q 'eventkit\.v1\.InventoryService' "$work/body" && ! grep -q 'controlplane\.v1' "$work/body" && grep -qi '^grpc-status: 0' "$work/headers"; then
    ok "gRPC reflection ($version) lists eventkit.v1.InventoryService and no controlplane.v1 service"
  else
    not_ok "gRPC reflection ($version) lists eventkit.v1.InventoryService and no controlplane.v1 service"
  fi
done

echo
echo "connect_json.sh: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
