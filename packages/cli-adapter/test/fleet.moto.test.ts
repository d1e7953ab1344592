import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startMotoServer, type MotoServer } from "@aurora-snapshot-tool/test-support";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { MotoWorld, roleIn } from "./support/moto-world.js";
import { runBuiltCli } from "./support/run-built-cli.js";

/*
 * The built CLI's fleet mode against moto_server: each target's role assumed through STS, the
 * snapshots taken in each account and region. moto's AssumeRole accepts any role, so a role that
 * cannot be assumed is made by a loopback proxy in front of moto that answers AssumeRole on one
 * chosen ARN with STS's AccessDenied and forwards everything else unchanged.
 */

const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const REGIONS = ["us-east-1", "eu-west-1"];

interface FleetDoc {
  counts: Record<string, number>;
  targets: {
    account: string;
    region: string;
    status: string;
    summary?: { done: number };
    error?: { code: string; message: string };
  }[];
}

let moto: MotoServer;
let world: MotoWorld;
let proxy: Server;
let proxyEndpoint: string;
/** The role the proxy refuses to let anyone assume. */
let refusedRole: string | undefined;

function accessDenied(roleArn: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
    "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/testing is not " +
    `authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error>` +
    "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
  );
}

/** A loopback HTTP proxy to moto that refuses AssumeRole on `refusedRole`. */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString("utf8"));
      if (
        refusedRole !== undefined &&
        form.get("Action") === "AssumeRole" &&
        form.get("RoleArn") === refusedRole
      ) {
        res.writeHead(403, { "content-type": "text/xml" });
        res.end(accessDenied(refusedRole));
        return;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  moto = await startMotoServer();
  world = new MotoWorld(moto);
  proxy = await startProxy(new URL(moto.endpoint));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  refusedRole = undefined;
});

/**
 * Two clusters in each account and region, made with that account's AssumeRole credentials; the
 * targets document's path. `roleFor` names each target's role (default: `role/any`).
 */
async function anOrganisation(
  roleFor: (account: string, region: string) => string = roleIn,
): Promise<string> {
  const targets = [];
  for (const account of ACCOUNTS) {
    for (const region of REGIONS) {
      await world.cluster(`orders-${account.slice(0, 3)}`, { account, region });
      await world.cluster("billing", { account, region, engine: "aurora-postgresql" });
      targets.push({ account, region, roleArn: roleFor(account, region) });
    }
  }
  const path = join(mkdtempSync(join(tmpdir(), "ast-fleet-moto-")), "targets.json");
  writeFileSync(path, JSON.stringify({ targets }));
  return path;
}

describe("take --targets against moto", () => {
  it("takes the snapshots in each of 3 accounts × 2 regions through each target's role", async () => {
    const file = await anOrganisation();
    const run = await runBuiltCli([
      "take",
      "--targets",
      file,
      "--endpoint-url",
      moto.endpoint,
      "--json",
    ]);

    expect(run.code, run.stderr).toBe(0);
    const doc = run.json<FleetDoc>();
    expect(doc.counts).toEqual({
      targets: 6,
      complete: 6,
      incomplete: 0,
      unreachable: 0,
      failed: 0,
    });
    expect(doc.targets.every((t) => t.summary?.done === 2)).toBe(true);
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const ids = await world.manualSnapshotIds({ account, region });
        expect(ids.map((id) => id.replace(/-\d{4}(-\d\d){4}$/, ""))).toEqual([
          "billing",
          `orders-${account.slice(0, 3)}`,
        ]);
      }
    }
    // Nothing in the account of the CLI's own credentials.
    expect(await world.manualSnapshotIds({ region: "us-east-1" })).toEqual([]);
    expect(run.stderr).toContain("take: 111111111111/us-east-1: complete (2 done)");
  });

  it("names the target whose role cannot be assumed, completes the other 5 and exits 3", async () => {
    // One target's role is refused; the same account's other region goes through another role.
    const file = await anOrganisation((account, region) =>
      account === ACCOUNTS[1] && region === "eu-west-1"
        ? `${roleIn(account)}-too`
        : roleIn(account),
    );
    refusedRole = roleIn(ACCOUNTS[1]!);

    const run = await runBuiltCli([
      "take",
      "--targets",
      file,
      "--endpoint-url",
      proxyEndpoint,
      "--json",
    ]);

    expect(run.code, run.stderr).toBe(3);
    const out = run.json<FleetDoc>();
    expect(out.counts).toEqual({
      targets: 6,
      complete: 5,
      incomplete: 0,
      unreachable: 1,
      failed: 0,
    });
    const bad = out.targets.find((t) => t.status !== "complete");
    expect(bad).toMatchObject({ account: ACCOUNTS[1], region: "us-east-1", status: "unreachable" });
    expect(bad?.error?.code).toBe("AssumeRoleFailed");
    expect(bad?.error?.message).toContain("AccessDenied");
    expect(run.stderr).toMatch(/take: 222222222222\/us-east-1: unreachable: AssumeRoleFailed: /);
    for (const account of ACCOUNTS) {
      for (const region of REGIONS) {
        const ids = await world.manualSnapshotIds({ account, region });
        const refused = account === ACCOUNTS[1] && region === "us-east-1";
        expect(ids, `${account}/${region}`).toHaveLength(refused ? 0 : 2);
      }
    }
  });
});
