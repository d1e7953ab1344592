/**
 * Request-parameter checks every operation shares: required parameters, identifiers, tags. They
 * answer with the codes RDS uses for a malformed request.
 */
import type { Tag } from "@aws-sdk/client-rds";
import { simError } from "./sim-errors.js";
import { MAX_TAGS, snapshotIdentifierProblem, tagListProblem, tagsFromList } from "./sim-names.js";

export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === null || value === "") {
    throw simError("MissingParameter", `The request must contain the parameter ${name}`);
  }
  return value;
}

/**
 * A DB cluster or DB instance identifier, lowercased as RDS stores it. Both follow the rule of
 * cluster snapshot names (1-63 letters, digits or hyphens, a letter first, no trailing hyphen, no
 * `--`): API_RestoreDBClusterFromSnapshot (DBClusterIdentifier), API_CreateDBInstance
 * (DBInstanceIdentifier).
 */
export function validIdentifier(value: string, parameter: string): string {
  const problem = snapshotIdentifierProblem(value);
  if (problem) {
    throw simError(
      "InvalidParameterValue",
      `The parameter ${parameter} is not a valid identifier: it ${problem}`,
    );
  }
  return value.toLowerCase();
}

export function validTags(list: readonly Tag[] | undefined): Record<string, string> {
  const problem = tagListProblem(list ?? []);
  if (problem) throw simError("InvalidParameterValue", problem);
  const tags = tagsFromList(list);
  if (Object.keys(tags).length > MAX_TAGS) {
    throw simError("InvalidParameterValue", `A resource can carry at most ${MAX_TAGS} tags`);
  }
  return tags;
}
