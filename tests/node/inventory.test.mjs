// Cross-checks the tenant-api wire formats with the official Connect-ES clients, over every
// transport the API promises: Connect (JSON and binary), gRPC (h2c) and gRPC-Web.
//
// Against a running server: EVENTKIT_TEST_URL (e.g. http://127.0.0.1:8080) and
// EVENTKIT_TEST_API_KEY (ek_...), optionally EVENTKIT_TEST_API_KEY_B (another tenant's key).
// Without EVENTKIT_TEST_URL only the descriptor checks run.
import { randomBytes, randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
import { enumNumber, loadRegistry } from "./descriptors.mjs";

const baseUrl = process.env.EVENTKIT_TEST_URL ?? "";
const apiKey = process.env.EVENTKIT_TEST_API_KEY ?? "";
// Optional: a second tenant's key, for the cross-tenant checks.
const apiKeyB = process.env.EVENTKIT_TEST_API_KEY_B ?? "";
const SERVICE = "eventkit.v1.InventoryService";

const registry = loadRegistry();
const service = registry.getService(SERVICE);
const badRequest = registry.getMessage("google.rpc.BadRequest");

test("descriptors: the registry built from proto/ has the service and google.rpc.BadRequest", () => {
  assert.ok(service, `${SERVICE} not found in the descriptors built from proto/`);
  for (const m of ["createProduct", "getProduct", "listProducts", "createLocation", "createAsset", "lookupAssetByCode"]) {
    assert.ok(service.method[m], `${SERVICE} has no method ${m}`);
  }
  assert.ok(badRequest, "google.rpc.BadRequest not found");
});

/** A lower-case token that no other test run uses, safe for full-text search. */
function token(prefix) {
  return prefix + randomBytes(6).toString("hex").replace(/[0-9]/g, (d) => "abcdefghij"[d]);
}

function authInterceptor(key) {
  return (next) => async (req) => {
    req.header.set("Authorization", `Bearer ${key}`);
    return next(req);
  };
}

const transports = {
  "connect-json (HTTP/1.1)": (interceptors) =>
    createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors }),
  "connect-binary (HTTP/2 h2c)": (interceptors) =>
    createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors }),
  "grpc (HTTP/2 h2c)": (interceptors) => createGrpcTransport({ baseUrl, httpVersion: "2", interceptors }),
  "grpc-web (HTTP/1.1)": (interceptors) =>
    createGrpcWebTransport({ baseUrl, httpVersion: "1.1", interceptors }),
};

/** Runs fn, expects a ConnectError with the given code, and returns it. */
async function expectCode(code, fn) {
  try {
    await fn();
  } catch (e) {
    const err = ConnectError.from(e);
    const hint = /EPIPE|ECONNRESET|socket hang up/.test(err.rawMessage)
      ? " (the server closed a reused HTTP/1.1 connection: it answered an earlier request without" +
        " reading its body and dropped the connection without sending `Connection: close`)"
      : "";
    assert.equal(
      Code[err.code],
      Code[code],
      `expected code ${Code[code]}, got ${Code[err.code]}: ${err.rawMessage}${hint}`,
    );
    return err;
  }
  assert.fail(`expected a ${Code[code]} error, but the call succeeded`);
}

const skip = baseUrl === "" ? "EVENTKIT_TEST_URL not set" : false;

for (const [name, makeTransport] of Object.entries(transports)) {
  describe(name, { skip }, () => {
    let client;
    let anonymous;
    let otherTenant;
    const word = token("ek");
    const code = `ASSET-${randomUUID()}`;
    let product;
    let location;
    let asset;

    before(() => {
      assert.ok(apiKey, "EVENTKIT_TEST_API_KEY must be set together with EVENTKIT_TEST_URL");
      client = createClient(service, makeTransport([authInterceptor(apiKey)]));
      anonymous = createClient(service, makeTransport([]));
      if (apiKeyB) otherTenant = createClient(service, makeTransport([authInterceptor(apiKeyB)]));
    });

    test("CreateProduct then GetProduct returns the same product", async () => {
      const created = await client.createProduct({
        name: `Moving head ${word}`,
        description: "Protocol test product",
        category: "Lighting",
        sku: word.slice(0, 20),
        trackingMode: enumNumber(registry, "eventkit.v1.TrackingMode", "TRACKING_MODE_SERIALISED"),
        dailyRate: { amountMinor: 1250n, currency: "EUR" },
      });
      product = created.product;
      assert.ok(product, "CreateProductResponse.product is empty");
      assert.match(product.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(product.name, `Moving head ${word}`);
      assert.equal(product.dailyRate?.amountMinor, 1250n);
      assert.equal(product.dailyRate?.currency, "EUR");

      const got = await client.getProduct({ id: product.id });
      assert.equal(got.product?.id, product.id);
      assert.equal(got.product?.name, product.name);
      assert.equal(got.product?.category, "Lighting");
    });

    test("CreateLocation, CreateAsset, LookupAssetByCode", async () => {
      assert.ok(product, "needs the product from the previous test");
      const loc = await client.createLocation({
        name: `Warehouse ${word}`,
        kind: enumNumber(registry, "eventkit.v1.LocationKind", "LOCATION_KIND_WAREHOUSE"),
      });
      location = loc.location;
      assert.ok(location?.id, "CreateLocationResponse.location.id is empty");

      const created = await client.createAsset({
        productId: product.id,
        code,
        serialNumber: `SN-${word}`,
        locationId: location.id,
      });
      asset = created.asset;
      assert.ok(asset?.id, "CreateAssetResponse.asset.id is empty");
      assert.equal(asset.code, code);
      assert.equal(asset.productId, product.id);
      assert.equal(asset.locationId, location.id);

      const found = await client.lookupAssetByCode({ code });
      assert.equal(found.asset?.id, asset.id);
      assert.equal(found.asset?.code, code);
    });

    test("ListProducts with a full-text query finds the product", async () => {
      assert.ok(product, "needs the product from the first test");
      const res = await client.listProducts({ query: word, page: { pageSize: 10 } });
      const ids = res.products.map((p) => p.id);
      assert.ok(ids.includes(product.id), `query ${word} did not return ${product.id}; got ${JSON.stringify(ids)}`);
    });

    test("GetProduct with an unknown id is NotFound", async () => {
      await expectCode(Code.NotFound, () => client.getProduct({ id: randomUUID() }));
    });

    test("CreateProduct with an empty name is InvalidArgument naming the field", async () => {
      const err = await expectCode(Code.InvalidArgument, () => client.createProduct({ name: "" }));
      const details = err.findDetails(badRequest);
      assert.ok(
        details.length > 0,
        `no google.rpc.BadRequest detail; raw details: ${JSON.stringify(err.details.map((d) => ("desc" in d ? d.desc.typeName : d.type)))}`,
      );
      const fields = details.flatMap((d) => d.fieldViolations.map((v) => v.field));
      assert.ok(fields.includes("name"), `field violations name ${JSON.stringify(fields)}, not "name"`);
    });

    test("CreateAsset with a duplicate code is AlreadyExists", async () => {
      assert.ok(asset, "needs the asset from the earlier test");
      await expectCode(Code.AlreadyExists, () => client.createAsset({ productId: product.id, code }));
    });

    test("another tenant gets NotFound for this tenant's product and asset", { skip: apiKeyB ? false : "EVENTKIT_TEST_API_KEY_B not set" }, async () => {
      assert.ok(product && asset, "needs the product and asset from the earlier tests");
      await expectCode(Code.NotFound, () => otherTenant.getProduct({ id: product.id }));
      await expectCode(Code.NotFound, () => otherTenant.getAsset({ id: asset.id }));
      await expectCode(Code.NotFound, () => otherTenant.lookupAssetByCode({ code }));
    });

    test("a call without Authorization is Unauthenticated", async () => {
      await expectCode(Code.Unauthenticated, () => anonymous.getProduct({ id: randomUUID() }));
    });
  });
}

// Connect-ES's `useHttpGet`: reads the proto marks NO_SIDE_EFFECTS travel as HTTP GET with the
// message in the query; the transport switches after the interceptors, so the answers' caching
// headers (only GET answers carry an ETag) show which way each call went.
describe("connect-json with useHttpGet (HTTP/1.1)", { skip }, () => {
  test("reads go as GET and answer as over POST; writes stay POST; errors still map", async () => {
    const seen = [];
    const recordEtag = (next) => async (req) => {
      const res = await next(req);
      seen.push([req.method.name, res.header.get("etag") !== null]);
      return res;
    };
    const transport = createConnectTransport({
      baseUrl,
      httpVersion: "1.1",
      useHttpGet: true,
      interceptors: [authInterceptor(apiKey), recordEtag],
    });
    const client = createClient(service, transport);
    const word = token("ekget");
    const created = await client.createProduct({
      name: `Hazer ${word}`,
      category: "Effects",
      trackingMode: enumNumber(registry, "eventkit.v1.TrackingMode", "TRACKING_MODE_BULK"),
    });
    const got = await client.getProduct({ id: created.product.id });
    assert.equal(got.product?.name, `Hazer ${word}`);
    const listed = await client.listProducts({ query: word });
    assert.deepEqual(listed.products.map((p) => p.id), [created.product.id]);
    assert.deepEqual(seen, [
      ["CreateProduct", false],
      ["GetProduct", true],
      ["ListProducts", true],
    ]);
    await expectCode(Code.NotFound, () => client.getProduct({ id: randomUUID() }));
    await expectCode(Code.InvalidArgument, () => client.getProduct({ id: "not-a-uuid" }));
  });
});
