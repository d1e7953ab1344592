import type { ClientPlugin } from "@aurora-snapshot-tool/core";

/*
 * `--debug`'s request log, as SDK middleware. Only names, the region, the endpoint, the status, the
 * request id and the time are written: never headers, bodies or the credentials the request was
 * signed with, so a pasted log cannot leak a key, a signature or a session token.
 */

interface HandlerContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

interface HttpRequestShape {
  readonly protocol?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: string;
}

interface HttpResponseShape {
  readonly statusCode?: number;
  readonly headers?: Record<string, string | undefined>;
}

const REQUEST_ID_HEADERS = ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"];

function requestIdOf(response: HttpResponseShape | undefined): string {
  const headers = response?.headers ?? {};
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== "") return value;
  }
  return "-";
}

function endpointOf(request: HttpRequestShape | undefined): string {
  if (request?.hostname === undefined) return "-";
  const port = request.port === undefined ? "" : `:${request.port}`;
  return `${request.protocol ?? "https:"}//${request.hostname}${port}${request.path ?? ""}`;
}

/**
 * One line before each HTTP attempt and one after (status, request id, milliseconds), in the
 * `finalizeRequest` step after the SDK's retry, so each retried attempt shows on its own.
 */
export function requestLogPlugin(region: string, write: (line: string) => void): ClientPlugin {
  return {
    applyToStack: (stack) =>
      stack.add(
        (
          next: (args: unknown) => Promise<{ response?: HttpResponseShape }>,
          context: HandlerContext,
        ) =>
          async (args: { request?: HttpRequestShape }) => {
            const service = (context.clientName ?? "-").replace(/Client$/, "");
            const what = `${service}.${(context.commandName ?? "-").replace(/Command$/, "")}`;
            write(`request ${what} region=${region} endpoint=${endpointOf(args.request)}`);
            const started = Date.now();
            try {
              const result = await next(args);
              const ms = Date.now() - started;
              write(
                `response ${what} status=${result.response?.statusCode ?? "-"} requestId=${requestIdOf(result.response)} ${ms}ms`,
              );
              return result;
            } catch (error) {
              const ms = Date.now() - started;
              const e = error as {
                name?: string;
                code?: string;
                $metadata?: { httpStatusCode?: number; requestId?: string };
                $response?: HttpResponseShape;
              };
              const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? "-";
              const id = e.$metadata?.requestId ?? requestIdOf(e.$response);
              const name = e.code ?? e.name ?? "Error";
              write(`response ${what} status=${status} requestId=${id} error=${name} ${ms}ms`);
              throw error;
            }
          },
        { step: "finalizeRequest", name: "requestLog", priority: "low" },
      ),
  };
}
