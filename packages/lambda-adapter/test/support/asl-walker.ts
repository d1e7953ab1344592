/**
 * A small Amazon States Language interpreter for the templates' state machines: Pass, Task, Choice,
 * Wait, Succeed, Fail and a Distributed Map (an ItemReader, the ItemProcessor walked per item,
 * ToleratedFailurePercentage, a ResultWriter; see {@link WalkOptions.readItems}), JSONPath reference paths (`$.a.b[0].c`, `$$.Execution.Id`), payload
 * templates (`"key.$"`) with the intrinsics States.MathAdd, States.ArrayLength and
 * States.ArrayGetItem (nested calls allowed), a Pass state's InputPath, ResultSelector,
 * ResultPath, Retry and Catch. Only what the templates use; anything else throws, so a definition
 * that grows a feature the walker does not know fails its test instead of being walked wrongly.
 *
 * Semantics follow the Amazon States Language specification: Choice rules are tried in order and
 * the first that matches wins; a comparison on a path that is not there is a States.Runtime error
 * (only IsPresent looks at absence); Retry counts attempts per retrier, waiting IntervalSeconds *
 * BackoffRate^n; Catch applies once the retriers are spent; ResultPath defaults to `$`.
 */
import type { AslState, StateMachineDefinition } from "../../src/templates.js";

type Json = unknown;

/** An error a Task raises, as Step Functions names it (`errorType` for a Lambda). */
export class TaskError extends Error {
  constructor(
    readonly error: string,
    readonly detail?: string,
  ) {
    super(`${error}${detail ? `: ${detail}` : ""}`);
    this.name = error;
  }
}

export interface WalkContext {
  /** `$$.Execution.Id` (the execution's ARN). */
  readonly executionArn: string;
  /** `$$.Execution.StartTime`, ISO 8601. */
  readonly startTime: string;
  /** `$$.StateMachine.Id` (the state machine's ARN). */
  readonly stateMachineArn: string;
  /** `$$.Execution.Name` (default: the execution ARN's last part). */
  readonly executionName?: string;
}

/** How one item of a Map state ended: its input, and its output or error. */
export interface MapItemOutcome {
  readonly input: Json;
  readonly status: "SUCCEEDED" | "FAILED";
  readonly output?: Json;
  readonly error?: string;
}

/** Answers a Task: its Resource, its effective input; returns the result or throws TaskError. */
export type TaskHandler = (resource: string, input: Json) => Json | Promise<Json>;

export interface WalkOptions {
  readonly context: WalkContext;
  readonly task: TaskHandler;
  /** Called for each wait (Wait states, retry intervals), in seconds; e.g. to move a clock. */
  readonly onWait?: (seconds: number, why: "Wait" | "Retry") => void | Promise<void>;
  /** At most this many state transitions (default 10,000). */
  readonly maxSteps?: number;
  /**
   * A Map state's ItemReader: its Resource and rendered Parameters give the items (an
   * `s3:getObject` of a JSON list, for instance). Required by a Map with an ItemReader.
   */
  readonly readItems?: (resource: string, parameters: Json) => Json[] | Promise<Json[]>;
  /**
   * A Map state's ResultWriter: its Resource, rendered Parameters and every item's outcome give
   * the Map's result (Step Functions returns `{"ResultWriterDetails": {"Bucket", "Key"}}`, the
   * key of the run's manifest). Called also when the Map then fails on its tolerated failures,
   * as Step Functions writes the results of a failed Map Run too. Required by a ResultWriter.
   */
  readonly writeResults?: (
    resource: string,
    parameters: Json,
    outcomes: readonly MapItemOutcome[],
  ) => Json | Promise<Json>;
}

export interface WalkStep {
  readonly state: string;
  readonly type: string;
}

export interface WalkResult {
  readonly status: "SUCCEEDED" | "FAILED";
  /** The state the execution ended in (a Succeed or Fail state, an End state, or the failing one). */
  readonly endState: string;
  readonly output?: Json;
  readonly error?: string;
  readonly steps: readonly WalkStep[];
  /** Every Task invocation: its resource and effective input. */
  readonly calls: readonly {
    readonly state: string;
    readonly resource: string;
    readonly input: Json;
  }[];
  readonly waits: readonly { readonly seconds: number; readonly why: "Wait" | "Retry" }[];
}

/** Walks `definition` from StartAt with `input` until it succeeds or fails. */
export async function walk(
  definition: StateMachineDefinition,
  input: Json,
  options: WalkOptions,
): Promise<WalkResult> {
  const steps: WalkStep[] = [];
  const calls: { state: string; resource: string; input: Json }[] = [];
  const waits: { seconds: number; why: "Wait" | "Retry" }[] = [];
  const maxSteps = options.maxSteps ?? 10_000;
  const contextObject = {
    Execution: {
      Id: options.context.executionArn,
      Name: options.context.executionName ?? options.context.executionArn.split(":").pop(),
      StartTime: options.context.startTime,
    },
    StateMachine: { Id: options.context.stateMachineArn },
  };
  const wait = async (seconds: number, why: "Wait" | "Retry") => {
    waits.push({ seconds, why });
    await options.onWait?.(seconds, why);
  };
  const finish = (
    status: WalkResult["status"],
    endState: string,
    rest: { output?: Json; error?: string },
  ): WalkResult => ({ status, endState, ...rest, steps, calls, waits });

  let name = definition.StartAt;
  let data: Json = input;
  for (let n = 0; ; n += 1) {
    if (n >= maxSteps) throw new Error(`no end after ${maxSteps} transitions (at ${name})`);
    const state = definition.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    steps.push({ state: name, type: state.Type });
    known(state, name);
    const paths = { data, context: contextObject };
    try {
      switch (state.Type) {
        case "Succeed":
          return finish("SUCCEEDED", name, { output: data });
        case "Fail":
          return finish("FAILED", name, { error: String(state["Error"] ?? "States.Fail") });
        case "Pass": {
          // InputPath selects the effective input; ResultPath places the result in the raw input.
          const effective =
            state["InputPath"] !== undefined
              ? referencePath(state["InputPath"] as string, paths)
              : data;
          const result =
            state["Parameters"] !== undefined
              ? template(state["Parameters"], { data: effective, context: contextObject })
              : effective;
          data = applyResultPath(data, result, state["ResultPath"]);
          break;
        }
        case "Wait": {
          const seconds =
            state["SecondsPath"] !== undefined
              ? referencePath(state["SecondsPath"] as string, paths)
              : state["Seconds"];
          if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
            throw new TaskError("States.Runtime", `${name}: wait of ${JSON.stringify(seconds)} s`);
          }
          await wait(seconds, "Wait");
          break;
        }
        case "Choice": {
          const rule = (state["Choices"] as ChoiceRule[]).find((r) => matches(r, paths, name));
          const next = rule?.Next ?? (state["Default"] as string | undefined);
          if (next === undefined) throw new TaskError("States.NoChoiceMatched", name);
          name = next;
          continue;
        }
        case "Task": {
          const effective =
            state["Parameters"] !== undefined ? template(state["Parameters"], paths) : data;
          const outcome = await runTask(state, name, effective);
          if ("caught" in outcome) {
            data = applyResultPath(data, outcome.errorOutput, outcome.caught.ResultPath);
            name = outcome.caught.Next;
            continue;
          }
          const selected =
            state["ResultSelector"] !== undefined
              ? template(state["ResultSelector"], { data: outcome.result, context: contextObject })
              : outcome.result;
          data = applyResultPath(data, selected, state["ResultPath"]);
          break;
        }
        case "Map": {
          const outcome = await runMap(state, name, paths);
          if ("caught" in outcome) {
            data = applyResultPath(data, outcome.errorOutput, outcome.caught.ResultPath);
            name = outcome.caught.Next;
            continue;
          }
          data = applyResultPath(data, outcome.result, state["ResultPath"]);
          break;
        }
        default:
          throw new Error(`${name}: the walker does not know ${state.Type} states`);
      }
    } catch (error) {
      if (error instanceof TaskError) return finish("FAILED", name, { error: error.error });
      throw error;
    }
    if (state.End === true) return finish("SUCCEEDED", name, { output: data });
    if (state.Next === undefined) throw new Error(`${name}: neither Next nor End`);
    name = state.Next;
  }

  /**
   * A Map state with an ItemReader: each item walks the ItemProcessor as its own execution (one
   * after the other; MaxConcurrency only bounds parallelism), the Map fails with
   * States.ExceedToleratedFailureThreshold when more than ToleratedFailurePercentage of the
   * items failed (default 0), and its result is the ResultWriter's (else the outputs in order).
   */
  async function runMap(
    state: AslState,
    name: string,
    paths: Paths,
  ): Promise<{ result: Json } | { caught: Catcher; errorOutput: Json }> {
    const reader = state["ItemReader"] as { Resource: string; Parameters?: Json } | undefined;
    if (reader === undefined)
      throw new Error(`${name}: the walker reads Map items from an ItemReader only`);
    if (options.readItems === undefined)
      throw new Error(`${name}: no readItems option for the ItemReader`);
    const items = await options.readItems(
      reader.Resource,
      template(reader.Parameters ?? {}, paths),
    );
    const processor = state["ItemProcessor"] as StateMachineDefinition;
    const outcomes: MapItemOutcome[] = [];
    for (const item of items) {
      const child = await walk(processor, structuredClone(item), {
        ...options,
        maxSteps: maxSteps - steps.length,
      });
      calls.push(...child.calls);
      waits.push(...child.waits);
      outcomes.push({
        input: item,
        status: child.status,
        ...(child.status === "SUCCEEDED" ? { output: child.output } : { error: child.error }),
      });
    }
    const writer = state["ResultWriter"] as { Resource: string; Parameters?: Json } | undefined;
    let result: Json = outcomes.map((o) => o.output ?? null);
    if (writer !== undefined) {
      if (options.writeResults === undefined)
        throw new Error(`${name}: no writeResults option for the ResultWriter`);
      result = await options.writeResults(
        writer.Resource,
        template(writer.Parameters ?? {}, paths),
        outcomes,
      );
    }
    const failed = outcomes.filter((o) => o.status === "FAILED").length;
    const tolerated = Number(state["ToleratedFailurePercentage"] ?? 0);
    if (failed > 0 && (failed * 100) / outcomes.length > tolerated) {
      const error = "States.ExceedToleratedFailureThreshold";
      const catcher = ((state["Catch"] ?? []) as Catcher[]).find((c) =>
        errorMatches(c.ErrorEquals, error),
      );
      const cause = `${failed} of ${outcomes.length} items failed`;
      if (catcher === undefined) throw new TaskError(error, cause);
      return { caught: catcher, errorOutput: { Error: error, Cause: cause } };
    }
    return { result };
  }

  async function runTask(
    state: AslState,
    name: string,
    effective: Json,
  ): Promise<{ result: Json } | { caught: Catcher; errorOutput: Json }> {
    const attempts = new Map<AslRetrierLike, number>();
    for (;;) {
      calls.push({ state: name, resource: String(state.Resource), input: effective });
      try {
        return { result: await options.task(String(state.Resource), structuredClone(effective)) };
      } catch (error) {
        if (!(error instanceof TaskError)) throw error;
        const retrier = (state.Retry ?? []).find((r) => errorMatches(r.ErrorEquals, error.error));
        const done = retrier === undefined ? 0 : (attempts.get(retrier) ?? 0);
        if (retrier !== undefined && done < (retrier.MaxAttempts ?? 3)) {
          attempts.set(retrier, done + 1);
          const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
          await wait(seconds, "Retry");
          continue;
        }
        const catcher = ((state["Catch"] ?? []) as Catcher[]).find((c) =>
          errorMatches(c.ErrorEquals, error.error),
        );
        if (catcher === undefined) throw error;
        return { caught: catcher, errorOutput: { Error: error.error, Cause: error.detail ?? "" } };
      }
    }
  }
}

type AslRetrierLike = NonNullable<AslState["Retry"]>[number];

interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

interface ChoiceRule {
  readonly Next?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  readonly Variable?: string;
  readonly [operator: string]: unknown;
}

const STATE_FIELDS: Record<string, readonly string[]> = {
  Pass: ["InputPath", "Parameters", "ResultPath"],
  Task: ["Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"],
  Choice: ["Choices", "Default"],
  Wait: ["Seconds", "SecondsPath"],
  Succeed: [],
  Fail: ["Error", "Cause"],
  Map: [
    "Label",
    "ItemReader",
    "ItemProcessor",
    "MaxConcurrency",
    "ToleratedFailurePercentage",
    "ResultWriter",
    "ResultPath",
    "Catch",
  ],
};

/** Refuses fields the walker does not interpret (InputPath, OutputPath, TimeoutSeconds, ...). */
function known(state: AslState, name: string): void {
  const allowed = new Set(["Type", "Next", "End", "Comment", ...(STATE_FIELDS[state.Type] ?? [])]);
  for (const key of Object.keys(state)) {
    if (!allowed.has(key)) throw new Error(`${name}: the walker does not interpret ${key}`);
  }
}

function errorMatches(names: readonly string[], error: string): boolean {
  return (
    names.includes(error) || (names.includes("States.ALL") && !error.startsWith("States.Runtime"))
  );
}

interface Paths {
  readonly data: Json;
  readonly context: Json;
}

const MISSING = Symbol("missing");

/** `$...` against the data, `$$...` against the context object; MISSING when a step is absent. */
function lookUp(path: string, paths: Paths): Json | typeof MISSING {
  let node: Json;
  let rest: string;
  if (path.startsWith("$$")) {
    node = paths.context;
    rest = path.slice(2);
  } else if (path.startsWith("$")) {
    node = paths.data;
    rest = path.slice(1);
  } else {
    throw new Error(`not a path: ${path}`);
  }
  const tokens = rest.match(/\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]/g) ?? [];
  if (tokens.join("") !== rest) throw new Error(`the walker does not parse the path ${path}`);
  for (const token of tokens) {
    if (token.startsWith("[")) {
      const index = Number(token.slice(1, -1));
      if (!Array.isArray(node) || index >= node.length) return MISSING;
      node = node[index];
    } else {
      const key = token.slice(1);
      if (typeof node !== "object" || node === null || Array.isArray(node) || !(key in node)) {
        return MISSING;
      }
      node = (node as Record<string, Json>)[key];
    }
  }
  return node;
}

function referencePath(path: string, paths: Paths): Json {
  const found = lookUp(path, paths);
  if (found === MISSING) throw new TaskError("States.Runtime", `${path} is not in the input`);
  return found;
}

/** A payload template: `"key.$"` values are paths or intrinsic functions, the rest is literal. */
function template(node: Json, paths: Paths): Json {
  if (Array.isArray(node)) return node.map((item) => template(item, paths));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.endsWith(".$")) out[key.slice(0, -2)] = dynamic(value as string, paths);
    else out[key] = template(value, paths);
  }
  return out;
}

function dynamic(expression: string, paths: Paths): Json {
  const text = expression.trim();
  if (!text.startsWith("States.")) return referencePath(text, paths);
  const parser = new IntrinsicParser(text);
  const call = parser.call();
  parser.end();
  return evaluateIntrinsic(call, paths);
}

/** An intrinsic call as written: its name and arguments (literals, paths or nested calls). */
interface IntrinsicCall {
  readonly fn: string;
  readonly args: readonly IntrinsicArgument[];
}

type IntrinsicArgument =
  | { readonly kind: "literal"; readonly value: Json }
  | { readonly kind: "path"; readonly path: string }
  | { readonly kind: "call"; readonly call: IntrinsicCall };

/** Reads `States.Fn(arg, ...)`: arguments are numbers, 'strings', null, true/false, paths or calls. */
class IntrinsicParser {
  private at = 0;
  constructor(private readonly text: string) {}

  call(): IntrinsicCall {
    const name = /^States\.(\w+)\(/.exec(this.text.slice(this.at));
    if (!name) throw this.error("an intrinsic call");
    this.at += name[0].length;
    const args: IntrinsicArgument[] = [];
    this.spaces();
    if (this.text[this.at] === ")") {
      this.at += 1;
      return { fn: name[1]!, args };
    }
    for (;;) {
      args.push(this.argument());
      this.spaces();
      const next = this.text[this.at];
      this.at += 1;
      if (next === ")") return { fn: name[1]!, args };
      if (next !== ",") throw this.error("',' or ')'", this.at - 1);
    }
  }

  end(): void {
    this.spaces();
    if (this.at !== this.text.length) throw this.error("the end");
  }

  private argument(): IntrinsicArgument {
    this.spaces();
    const rest = this.text.slice(this.at);
    if (rest.startsWith("States.")) return { kind: "call", call: this.call() };
    const path = /^\$\$?(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*/.exec(rest);
    if (path) {
      this.at += path[0].length;
      return { kind: "path", path: path[0] };
    }
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (number) {
      this.at += number[0].length;
      return { kind: "literal", value: Number(number[0]) };
    }
    const word = /^(?:null|true|false)\b/.exec(rest);
    if (word) {
      this.at += word[0].length;
      return { kind: "literal", value: JSON.parse(word[0]) as Json };
    }
    if (rest.startsWith("'")) {
      // A string literal; \' \{ \} \\ are its escapes.
      let value = "";
      for (let i = 1; i < rest.length; i += 1) {
        const c = rest[i]!;
        if (c === "\\") {
          value += rest[i + 1] ?? "";
          i += 1;
        } else if (c === "'") {
          this.at += i + 1;
          return { kind: "literal", value };
        } else {
          value += c;
        }
      }
      throw this.error("the end of a string");
    }
    throw this.error("an argument");
  }

  private spaces(): void {
    while (this.text[this.at] === " ") this.at += 1;
  }

  private error(expected: string, at = this.at): Error {
    return new Error(
      `the walker does not parse the intrinsic ${this.text}: expected ${expected} at ${at}`,
    );
  }
}

function evaluateIntrinsic(call: IntrinsicCall, paths: Paths): Json {
  const args = call.args.map((a) =>
    a.kind === "literal"
      ? a.value
      : a.kind === "path"
        ? referencePath(a.path, paths)
        : evaluateIntrinsic(a.call, paths),
  );
  const fail = (why: string) =>
    new TaskError("States.Runtime", `States.${call.fn}(${JSON.stringify(args)}): ${why}`);
  const arity = (n: number) => {
    if (args.length !== n) throw fail(`takes ${n} arguments`);
  };
  switch (call.fn) {
    case "MathAdd": {
      arity(2);
      const [a, b] = args;
      if (!Number.isInteger(a) || !Number.isInteger(b)) {
        throw new TaskError("States.IntrinsicFailure", `MathAdd(${String(a)}, ${String(b)})`);
      }
      return (a as number) + (b as number);
    }
    case "ArrayLength": {
      arity(1);
      const [array] = args;
      if (!Array.isArray(array)) throw fail("not an array");
      return array.length;
    }
    case "ArrayGetItem": {
      arity(2);
      const [array, index] = args;
      if (!Array.isArray(array)) throw fail("not an array");
      // An index out of the array (a negative one included) fails the state.
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= array.length) {
        throw fail("index out of the array");
      }
      return array[index as number] as Json;
    }
    default:
      throw new Error(`the walker does not know States.${call.fn}`);
  }
}

function applyResultPath(data: Json, result: Json, resultPath: unknown): Json {
  if (resultPath === undefined || resultPath === "$") return result;
  if (resultPath === null) return data;
  const path = String(resultPath);
  const tokens = path.slice(1).match(/\.[A-Za-z_][A-Za-z0-9_-]*/g) ?? [];
  if (!path.startsWith("$.") || tokens.join("") !== path.slice(1)) {
    throw new Error(`the walker does not write to ${path}`);
  }
  const root = structuredClone(
    typeof data === "object" && data !== null && !Array.isArray(data) ? data : {},
  ) as Record<string, Json>;
  let node = root;
  tokens.forEach((token, i) => {
    const key = token.slice(1);
    if (i === tokens.length - 1) {
      node[key] = result;
      return;
    }
    const next = node[key];
    node[key] = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {};
    node = node[key] as Record<string, Json>;
  });
  return root;
}

const COMPARISONS = new Set([
  "StringEquals",
  "StringEqualsPath",
  "BooleanEquals",
  "NumericEquals",
  "NumericLessThan",
  "NumericGreaterThan",
  "NumericLessThanEquals",
  "NumericGreaterThanEquals",
]);

function matches(rule: ChoiceRule, paths: Paths, where: string): boolean {
  if (rule.And) return rule.And.every((r) => matches(r, paths, where));
  if (rule.Or) return rule.Or.some((r) => matches(r, paths, where));
  if (rule.Not) return !matches(rule.Not, paths, where);
  if (rule.Variable === undefined) throw new Error(`${where}: a rule without Variable`);
  if ("IsPresent" in rule) return (lookUp(rule.Variable, paths) !== MISSING) === rule["IsPresent"];
  const operator = Object.keys(rule).find((k) => COMPARISONS.has(k));
  if (operator === undefined) {
    throw new Error(`${where}: the walker does not know ${JSON.stringify(rule)}`);
  }
  const value = referencePath(rule.Variable, paths);
  const operand = operator.endsWith("Path")
    ? referencePath(rule[operator] as string, paths)
    : rule[operator];
  switch (operator.replace(/Path$/, "")) {
    case "StringEquals":
      return typeof value === "string" && value === operand;
    case "BooleanEquals":
      return typeof value === "boolean" && value === operand;
    case "NumericEquals":
      return typeof value === "number" && value === operand;
    case "NumericLessThan":
      return typeof value === "number" && value < (operand as number);
    case "NumericGreaterThan":
      return typeof value === "number" && value > (operand as number);
    case "NumericLessThanEquals":
      return typeof value === "number" && value <= (operand as number);
    case "NumericGreaterThanEquals":
      return typeof value === "number" && value >= (operand as number);
  }
  return false;
}
