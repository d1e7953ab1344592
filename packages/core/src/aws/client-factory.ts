import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient, type RDSClientConfig } from "@aws-sdk/client-rds";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

import { REQUEST_TARGET, isRetryableAwsError, type RequestTarget } from "./errors.js";

/** Static credentials, the shape every SDK v3 client accepts. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A function the SDK calls whenever it needs (fresh) credentials. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/**
 * A smithy middleware bundle (`Pluggable`) added to every client a factory creates. It is typed
 * loosely on purpose: the same plugin serves the RDS, KMS, STS and EventBridge clients, whose
 * stacks differ only in their input and output types. The in-memory RDS in `testing/` plugs in this
 * way.
 */
export interface ClientPlugin {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  applyToStack: (stack: any) => void;
}

/** The clients the gateway needs in one region of one account. */
export interface AwsClients {
  readonly rds: RDSClient;
  readonly kms: KMSClient;
  readonly sts: STSClient;
  /**
   * EventBridge, for PutEvents on a bus in this region (share tells the destination about its
   * shares). Optional so that a factory of one's own need not make it: without it the gateway
   * cannot publish events, and share reports that in a notice.
   */
  readonly events?: EventBridgeClient;
  /**
   * The RDS Data API and Lambda, for restore verification's check (ExecuteStatement SELECT 1, or
   * the user's check function). Optional like `events`: without them verify reports the check as
   * failed with the reason.
   */
  readonly rdsData?: RDSDataClient;
  readonly lambda?: LambdaClient;
}

/** AWS's time as its latest response said (the HTTP Date header), and when that response came. */
export interface ServerClockReading {
  /** Epoch ms from the Date header (one-second resolution). */
  readonly serverMs: number;
  /** This process's Date.now() when the response arrived. */
  readonly receivedAtMs: number;
}

/** Hands out clients per region; one factory stands for one set of credentials, so one account. */
export interface ClientFactory {
  clients(region: string): AwsClients;
  /** The latest Date header any of the factory's clients received; undefined before any response. */
  serverClock?(): ServerClockReading | undefined;
}

/**
 * Notes the Date header of every response. Added to the `initialize` step before any other plugin,
 * so it wraps the whole stack: it sees the raw HTTP response the deserializer passes up, or the one
 * an in-process transport (the in-memory RDS) hands back.
 */
export function serverClockRecorder(record: (reading: ServerClockReading) => void): ClientPlugin {
  return {
    applyToStack: (stack) =>
      stack.add(
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        (next: any) => async (args: unknown) => {
          const result = await next(args);
          const headers = (result as { response?: { headers?: Record<string, string> } })?.response
            ?.headers;
          const date = headers?.["date"] ?? headers?.["Date"];
          const serverMs = date === undefined ? Number.NaN : Date.parse(date);
          if (Number.isFinite(serverMs)) record({ serverMs, receivedAtMs: Date.now() });
          return result;
        },
        { step: "initialize", name: "serverClockRecorder", priority: "high" },
      ),
  };
}

/**
 * Tags an error that got no HTTP answer with the endpoint and region the request was going to, so
 * the report names them. In the `build` step, outside the SDK's retry: it sees the last attempt's
 * failure once.
 */
export function requestTargetRecorder(region: string): ClientPlugin {
  return {
    applyToStack: (stack) =>
      stack.add(
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        (next: any) => async (args: { request?: Record<string, unknown> }) => {
          try {
            return await next(args);
          } catch (error) {
            const r = args.request;
            if (
              typeof error === "object" &&
              error !== null &&
              typeof r?.["hostname"] === "string"
            ) {
              const port = r["port"] === undefined ? "" : `:${String(r["port"])}`;
              const target: RequestTarget = {
                endpoint: `${String(r["protocol"] ?? "https:")}//${r["hostname"]}${port}`,
                region,
              };
              (error as { [REQUEST_TARGET]?: RequestTarget })[REQUEST_TARGET] ??= target;
            }
            throw error;
          }
        },
        { step: "build", name: "requestTargetRecorder", priority: "low" },
      ),
  };
}

/**
 * A TCP connect to an AWS endpoint takes milliseconds; without a limit a black-holed address waits
 * for the operating system's timeout (minutes) on each of the SDK's attempts.
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3000;
/**
 * Longest silence on a connected socket before the attempt fails. Without it a server that
 * accepts the connection and never answers holds the run forever; RDS, KMS and STS answer their
 * calls within seconds.
 */
export const DEFAULT_SOCKET_TIMEOUT_MS = 20_000;
/**
 * Clients whose calls may legitimately stay silent longer: a synchronous Lambda Invoke answers when
 * the function returns (up to Lambda's 15-minute maximum), and the Data API's ExecuteStatement
 * waits up to 45 seconds for a statement. A shorter limit would fail the call and make the SDK
 * send it again, running the user's check function twice or more.
 */
export const LAMBDA_SOCKET_TIMEOUT_MS = 16 * 60_000;
export const DATA_API_SOCKET_TIMEOUT_MS = 60_000;

export interface ClientFactoryOptions {
  /** Omitted: the SDK's default chain (environment, profile, container or instance role). */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Points every client at one endpoint (an emulator). Omitted: the SDK's own resolution, which
   * honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`.
   */
  readonly endpoint?: string;
  /** Attempts per call, first one included (SDK default 3). */
  readonly maxAttempts?: number;
  /** Longest wait for a TCP connection, per attempt (default 3000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Longest silence on a connected socket, per attempt (default 20 000 ms). */
  readonly socketTimeoutMs?: number;
  /** SDK retry mode; `adaptive` adds client-side rate limiting. Default `standard`. */
  readonly retryMode?: "standard" | "adaptive";
  /**
   * An SDK v3 retry strategy object, in place of `retryMode` / `maxAttempts` (the in-memory RDS
   * hands out one that waits on its simulated clock).
   */
  readonly retryStrategy?: object;
  /** Middleware to add to every client created for a region. */
  readonly plugins?: (region: string) => readonly ClientPlugin[];
  /** Act in another account: the clients use credentials from STS AssumeRole on this role. */
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
  /** Region of the STS endpoint that assumes `roleArn`; default: the first region asked for. */
  readonly roleRegion?: string;
}

export interface AssumeRoleOptions {
  /** STS region; omitted: the SDK resolves it (AWS_REGION, profile). */
  readonly region?: string;
  /** The caller's own credentials; omitted: the SDK's default chain. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly endpoint?: string;
  readonly plugins?: readonly ClientPlugin[];
  readonly maxAttempts?: number;
  /** Longest wait for a TCP connection, per attempt (default 3000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Longest silence on a connected socket, per attempt (default 20 000 ms). */
  readonly socketTimeoutMs?: number;
  readonly sessionName?: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
}

const DEFAULT_SESSION_NAME = "aurora-snapshot-tool";

/**
 * STS refused (or never answered) AssumeRole on a role: the run cannot act in that account at
 * all. `code` is STS's error name (AccessDenied, RegionDisabledException, ...).
 */
export class AssumeRoleError extends Error {
  override readonly name = "AssumeRoleFailed";
  readonly roleArn: string;
  readonly code: string;

  constructor(roleArn: string, cause: unknown) {
    const shape = (typeof cause === "object" && cause !== null ? cause : {}) as {
      name?: unknown;
      message?: unknown;
    };
    const code = typeof shape.name === "string" && shape.name !== "Error" ? shape.name : "Error";
    const message = typeof shape.message === "string" ? shape.message : String(cause);
    super(`AssumeRole ${roleArn}: ${code}: ${message}`, { cause });
    this.roleArn = roleArn;
    this.code = code;
    // STS throttled or failed on its side: worth another try, like any call.
    if (isRetryableAwsError(cause)) this.$retryable = { throttling: true };
  }

  /** Set when STS's answer was throttling, a 5xx or a network failure (see isRetryableAwsError). */
  readonly $retryable?: { readonly throttling: boolean };
}
/** Renew this long before expiry, so a long copy run never signs with credentials about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * Credentials for `roleArn` from STS AssumeRole, cached until five minutes before they expire.
 * Concurrent callers share one in-flight AssumeRole call.
 */
export function assumeRoleCredentials(
  roleArn: string,
  options: AssumeRoleOptions = {},
): AwsCredentialIdentityProvider {
  const sts = new STSClient({
    ...(options.region !== undefined && { region: options.region }),
    ...(options.credentials !== undefined && { credentials: options.credentials }),
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      socketTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
    },
  });
  sts.middlewareStack.use(requestTargetRecorder(options.region ?? "(default)"));
  for (const plugin of options.plugins ?? []) sts.middlewareStack.use(plugin);

  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;

  async function assume(): Promise<AwsCredentialIdentity> {
    let output;
    try {
      output = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: options.sessionName ?? DEFAULT_SESSION_NAME,
          ...(options.externalId !== undefined && { ExternalId: options.externalId }),
          ...(options.durationSeconds !== undefined && {
            DurationSeconds: options.durationSeconds,
          }),
        }),
      );
    } catch (error) {
      // Surfaces through whichever call needed the credentials first: named for what failed.
      throw new AssumeRoleError(roleArn, error);
    }
    const issued = output.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey) {
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    }
    current = {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken !== undefined && { sessionToken: issued.SessionToken }),
      ...(issued.Expiration !== undefined && { expiration: issued.Expiration }),
    };
    return current;
  }

  return async () => {
    const fresh =
      current !== undefined &&
      (current.expiration === undefined ||
        current.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS);
    if (fresh && current !== undefined) return current;
    pending ??= assume().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/**
 * Creates RDS, KMS, STS, EventBridge, RDS Data API and Lambda clients on demand, one set per region, all sharing the same
 * credentials, endpoint, retry settings and plugins.
 */
export function createClientFactory(options: ClientFactoryOptions = {}): ClientFactory {
  const byRegion = new Map<string, AwsClients>();
  let roleCredentials: AwsCredentialIdentityProvider | undefined;
  let lastReading: ServerClockReading | undefined;
  const recorder = serverClockRecorder((reading) => {
    lastReading = reading;
  });

  function credentialsFor(region: string): ClientFactoryOptions["credentials"] {
    if (options.roleArn === undefined) return options.credentials;
    roleCredentials ??= assumeRoleCredentials(options.roleArn, {
      region: options.roleRegion ?? region,
      ...(options.credentials !== undefined && { credentials: options.credentials }),
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      ...(options.connectionTimeoutMs !== undefined && {
        connectionTimeoutMs: options.connectionTimeoutMs,
      }),
      ...(options.socketTimeoutMs !== undefined && { socketTimeoutMs: options.socketTimeoutMs }),
      ...(options.roleSessionName !== undefined && { sessionName: options.roleSessionName }),
      ...(options.externalId !== undefined && { externalId: options.externalId }),
      plugins: options.plugins?.(options.roleRegion ?? region) ?? [],
    });
    return roleCredentials;
  }

  function create(region: string): AwsClients {
    const credentials = credentialsFor(region);
    const config = {
      region,
      retryMode: options.retryMode ?? "standard",
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
        socketTimeout: options.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
      },
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      ...(options.retryStrategy !== undefined && {
        retryStrategy: options.retryStrategy as RDSClientConfig["retryStrategy"],
      }),
      ...(credentials !== undefined && { credentials }),
      // An explicit `endpoint: undefined` would not hurt, but leaving the key out keeps the
      // SDK's own AWS_ENDPOINT_URL handling beyond doubt.
      ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    };
    const clients = {
      rds: new RDSClient(config),
      kms: new KMSClient(config),
      sts: new STSClient(config),
      events: new EventBridgeClient(config),
      rdsData: new RDSDataClient(withSocketTimeout(config, DATA_API_SOCKET_TIMEOUT_MS)),
      lambda: new LambdaClient(withSocketTimeout(config, LAMBDA_SOCKET_TIMEOUT_MS)),
    } satisfies AwsClients;
    const plugins = options.plugins?.(region) ?? [];
    const target = requestTargetRecorder(region);
    for (const client of [
      clients.rds,
      clients.kms,
      clients.sts,
      clients.events,
      clients.rdsData,
      clients.lambda,
    ]) {
      client.middlewareStack.use(recorder);
      client.middlewareStack.use(target);
      for (const plugin of plugins) client.middlewareStack.use(plugin);
    }
    return clients;
  }

  return {
    serverClock: () => lastReading,
    clients(region: string): AwsClients {
      let clients = byRegion.get(region);
      if (clients === undefined) {
        clients = create(region);
        byRegion.set(region, clients);
      }
      return clients;
    },
  };
}

/** `config` with at least `minimumMs` of socket silence allowed (an explicit longer option stays). */
function withSocketTimeout<C extends { requestHandler: { socketTimeout: number } }>(
  config: C,
  minimumMs: number,
): C {
  const socketTimeout = Math.max(config.requestHandler.socketTimeout, minimumMs);
  return { ...config, requestHandler: { ...config.requestHandler, socketTimeout } };
}
