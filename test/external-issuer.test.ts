/**
 * The external cluster's issuer check (src/external/issuer.ts): the pure logic with fake HTTP
 * answers, and the serialized dynamic provider, run as Pulumi would ship it, with its HTTPS calls
 * intercepted. Under mocks the dynamic resource is only recorded, so this is where its behaviour
 * is proven.
 *
 * What this cannot prove: that AWS, Google and Entra fetch the documents as modelled (they do so
 * live), or that the machine running Pulumi sees the issuer as the clouds do.
 */
import * as vm from "node:vm";
import { describe, expect, test } from "vitest";
import { evaluate } from "../offline/evaluate";
import { installMocks } from "../offline/mocks";
import { checkIssuer, discoveryUrl, type HttpResult } from "../src/external";

const rec = installMocks();
const ISSUER = "https://oidc.example.com/clusters/demo";
const JWKS = "https://oidc.example.com/clusters/demo/openid/v1/jwks";
const schedule = { attempts: 3, intervalMs: 5_000 };

const json = (value: unknown): HttpResult => ({ status: 200, body: JSON.stringify(value) });
const KEYS = json({ keys: [{ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB" }] });
const discovery = (overrides: Record<string, unknown> = {}) =>
  json({ issuer: ISSUER, jwks_uri: JWKS, response_types_supported: ["id_token"], ...overrides });

/** A fake GET answering each URL from its queue (the last answer repeats). */
function fakeGet(answers: Record<string, HttpResult[]>) {
  const calls: string[] = [];
  const slept: number[] = [];
  return {
    deps: {
      get: (url: string) => {
        calls.push(url);
        const queue = answers[url];
        if (!queue) return Promise.resolve({ error: `ENOTFOUND ${url}` });
        return Promise.resolve(queue.length > 1 ? queue.shift()! : queue[0]);
      },
      sleep: (ms: number) => {
        slept.push(ms);
        return Promise.resolve();
      },
    },
    calls,
    slept,
  };
}

describe("discoveryUrl", () => {
  test("appends the well-known path after removing a terminating '/' (OIDC Discovery §4)", () => {
    expect(discoveryUrl(ISSUER)).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(discoveryUrl(`${ISSUER}/`)).toBe(`${ISSUER}/.well-known/openid-configuration`);
    expect(discoveryUrl("https://oidc.example.com")).toBe(
      "https://oidc.example.com/.well-known/openid-configuration",
    );
  });
});

describe("checkIssuer", () => {
  test("passes when the document names exactly the issuer and serves keys over https", async () => {
    const f = fakeGet({ [discoveryUrl(ISSUER)]: [discovery()], [JWKS]: [KEYS] });
    expect(await checkIssuer(ISSUER, f.deps, schedule)).toEqual({ jwksUri: JWKS, keys: 1 });
    expect(f.calls).toEqual([`${ISSUER}/.well-known/openid-configuration`, JWKS]);
    expect(f.slept).toEqual([]);
  });

  test.each([
    ["a trailing '/' configured", `${ISSUER}/`, ISSUER],
    ["a trailing '/' in the document", ISSUER, `${ISSUER}/`],
    ["another host", ISSUER, "https://kubernetes.default.svc.cluster.local"],
  ])(
    "fails on %s, naming oidcIssuerUrl, what it got and what to set",
    async (_, configured, named) => {
      const f = fakeGet({
        [discoveryUrl(configured)]: [discovery({ issuer: named })],
        [JWKS]: [KEYS],
      });
      const error = await checkIssuer(configured, f.deps, schedule).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(`config \`oidcIssuerUrl\` (${JSON.stringify(configured)})`);
      expect(message).toContain(`names issuer ${JSON.stringify(named)}`);
      expect(message).toContain(`Set oidcIssuerUrl to exactly ${JSON.stringify(named)}`);
      // The key set is not even fetched.
      expect(f.calls).toEqual([discoveryUrl(configured)]);
    },
  );

  test.each([
    ["http", "http://oidc.example.com/jwks"],
    ["missing", undefined],
    ["relative", "/openid/v1/jwks"],
  ])("fails on a jwks_uri that is %s", async (_, jwksUri) => {
    const f = fakeGet({ [discoveryUrl(ISSUER)]: [discovery({ jwks_uri: jwksUri })] });
    await expect(checkIssuer(ISSUER, f.deps, schedule)).rejects.toThrow(
      `gives jwks_uri ${JSON.stringify(jwksUri)}; AWS STS, Microsoft Entra ID and Google STS fetch it`,
    );
  });

  test("fails on a key set with no keys, or one that cannot be fetched", async () => {
    for (const keys of [
      json({ keys: [] }),
      { status: 403, body: "Forbidden" },
      { error: "ECONNREFUSED" },
    ]) {
      const f = fakeGet({ [discoveryUrl(ISSUER)]: [discovery()], [JWKS]: [keys] });
      await expect(checkIssuer(ISSUER, f.deps, schedule)).rejects.toThrow(
        `the key set at ${JWKS} (the discovery document's jwks_uri) gave no keys`,
      );
    }
  });

  test("an unreachable issuer fails after the tries, with the last error", async () => {
    const f = fakeGet({
      [discoveryUrl(ISSUER)]: [{ error: "getaddrinfo ENOTFOUND oidc.example.com" }],
    });
    await expect(checkIssuer(ISSUER, f.deps, schedule)).rejects.toThrow(
      `config \`oidcIssuerUrl\` (${JSON.stringify(ISSUER)}): ${discoveryUrl(ISSUER)} gave no discovery document (getaddrinfo ENOTFOUND oidc.example.com); ` +
        "AWS STS, Microsoft Entra ID and Google STS fetch it from the internet",
    );
    expect(f.calls).toHaveLength(3);
    expect(f.slept).toEqual([5_000, 5_000]);
  });

  test("5xx and network errors are tried again; a 4xx is an answer", async () => {
    const f = fakeGet({
      [discoveryUrl(ISSUER)]: [{ error: "ECONNRESET" }, { status: 503 }, discovery()],
      [JWKS]: [KEYS],
    });
    expect(await checkIssuer(ISSUER, f.deps, schedule)).toEqual({ jwksUri: JWKS, keys: 1 });
    expect(f.slept).toEqual([5_000, 5_000]);

    const g = fakeGet({ [discoveryUrl(ISSUER)]: [{ status: 401, body: "Unauthorized" }] });
    await expect(checkIssuer(ISSUER, g.deps, schedule)).rejects.toThrow(
      "gave no discovery document (HTTP 401)",
    );
    expect(g.calls).toHaveLength(1);
  });

  test("a 200 that is not a JSON object is no document", async () => {
    const f = fakeGet({ [discoveryUrl(ISSUER)]: [{ status: 200, body: "<html>login</html>" }] });
    await expect(checkIssuer(ISSUER, f.deps, schedule)).rejects.toThrow(
      "gave no discovery document (HTTP 200, not a JSON object)",
    );
  });
});

describe("the serialized provider", () => {
  test("fetches both documents over https and replaces itself for another issuer", async () => {
    await evaluate(rec, "external-s3");
    const check = rec.one("pulumi-nodejs:dynamic:Resource");
    const source: string = check.inputs.__provider;
    const gets: string[] = [];
    const bodies: Record<string, string> = {
      [discoveryUrl(ISSUER)]: discovery().body!,
      [JWKS]: KEYS.body!,
    };
    const fakeRequire = (id: string): unknown => {
      if (id !== "node:https") throw new Error(`unexpected require ${id}`);
      return {
        get: (url: string, _options: unknown, callback: (r: unknown) => void) => {
          gets.push(url);
          const handlers: Record<string, (arg?: unknown) => void> = {};
          const response = {
            statusCode: bodies[url] ? 200 : 404,
            on: (event: string, handler: (arg?: unknown) => void) => {
              handlers[event] = handler;
              return response;
            },
          };
          queueMicrotask(() => {
            callback(response);
            handlers.data?.(Buffer.from(bodies[url] ?? "not found"));
            handlers.end?.();
          });
          return { on: () => undefined, destroy: () => undefined };
        },
      };
    };
    const module = { exports: {} as any };
    vm.runInNewContext(source, {
      exports: module.exports,
      module,
      require: fakeRequire,
      Buffer,
      JSON,
      Promise,
      setTimeout: (fn: () => void) => queueMicrotask(fn),
      queueMicrotask,
    });
    const provider = module.exports.handler();
    const result = await provider.create(check.inputs);
    expect(result.id).toBe(ISSUER);
    expect(result.outs).toMatchObject({ issuerUrl: ISSUER, jwksUri: JWKS, keys: 1 });
    expect(gets).toEqual([discoveryUrl(ISSUER), JWKS]);

    const same = await provider.diff(ISSUER, check.inputs, { ...check.inputs });
    expect(same.changes).toBe(false);
    const moved = await provider.diff(ISSUER, check.inputs, {
      ...check.inputs,
      issuerUrl: `${ISSUER}/`,
    });
    expect(moved).toMatchObject({ changes: true, replaces: ["issuerUrl"] });

    // A mismatch fails the create, naming the key.
    bodies[discoveryUrl(ISSUER)] = discovery({ issuer: `${ISSUER}/` }).body!;
    await expect(provider.create(check.inputs)).rejects.toThrow("Set oidcIssuerUrl to exactly");
  });
});
