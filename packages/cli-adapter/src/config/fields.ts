import {
  DESTINATION_POLICY_ENV,
  SOURCE_POLICY_ENV,
  type DestinationPolicyInput,
  type SourcePolicyInput,
} from "@aurora-snapshot-tool/core";

/** Which account's steps a setting belongs to; also the config file's section name. */
export type Side = "source" | "destination";

/**
 * One policy setting and every name a user can give it: the original Lambda env var, the command
 * line flag and the config-file key. The flag is the env var in kebab case (RETENTION_DAYS is
 * `--retention-days`), so anyone who knows the Lambda settings can guess the flags.
 */
export interface PolicyField {
  readonly side: Side;
  /** The key in core's policy input object, and in the config file's section. */
  readonly key: string;
  readonly env: string;
  readonly flag: string;
  /** The property commander stores the flag's value under. */
  readonly attribute: string;
  readonly valueName: string;
  readonly help: string;
}

interface FieldHelp {
  readonly valueName: string;
  readonly help: string;
}

const SOURCE_HELP: Record<keyof SourcePolicyInput, FieldHelp> = {
  clusterPattern: {
    valueName: "regex",
    help: "regex searched in each cluster id, or ALL_CLUSTERS (default ALL_CLUSTERS)",
  },
  intervalHours: {
    valueName: "hours",
    help: "hours between two snapshots of a cluster (default 24)",
  },
  retentionDays: {
    valueName: "days",
    help: "days a snapshot is kept before prune deletes it (default 7)",
  },
  minKeep: {
    valueName: "count",
    help: "newest snapshots kept per cluster whatever their age (default 1; 0 = the original rule)",
  },
  destinationAccount: {
    valueName: "account",
    help: "12-digit account the snapshots are shared with (required by share; default none)",
  },
  snapshotNamePrefix: {
    valueName: "prefix",
    help: "prefix of snapshot names, NONE or empty for none (default NONE)",
  },
  regionOverride: {
    valueName: "region",
    help: "region the clusters live in, or NO for --region (default NO)",
  },
  includeTags: {
    valueName: "k=v,...",
    help: "only clusters carrying every one of these tags (default: no constraint)",
  },
  excludeTags: {
    valueName: "k=v,...",
    help: "skip clusters carrying any of these tags (default: none)",
  },
};

const DESTINATION_HELP: Record<keyof DestinationPolicyInput, FieldHelp> = {
  snapshotPattern: {
    valueName: "regex",
    help: "regex searched in the source cluster id, or ALL_SNAPSHOTS (default ALL_SNAPSHOTS)",
  },
  retentionDays: {
    valueName: "days",
    help: "days a copy is kept before prune-dest deletes it (default 7)",
  },
  sourceRetentionDays: {
    valueName: "days",
    help: "the source side's retention; the destination's must not be shorter (default unknown)",
  },
  minKeep: {
    valueName: "count",
    help: "newest copies kept per cluster whatever their age (default 1; 0 = the original rule)",
  },
  destinationRegions: {
    valueName: "regions",
    help: "comma-separated regions the copies are kept in (required by copy and prune-dest)",
  },
  regionOverride: {
    valueName: "region",
    help: "region snapshots are shared into, or NO for --region (default NO)",
  },
  kmsKeySource: {
    valueName: "key",
    help: "KMS key for the local copy of a shared snapshot, or None (default None)",
  },
  kmsKeyDestination: {
    valueName: "keys",
    help: "KMS key per --dest-region entry, comma-separated, or None (default None)",
  },
  crossAccount: {
    valueName: "TRUE|FALSE",
    help: "TRUE: copy snapshots shared from another account; FALSE: this account's own (default TRUE)",
  },
  maxCopiesInFlight: {
    valueName: "count",
    help: "copies in flight per destination region, 1 to 5 (default 5)",
  },
  sourceAccounts: {
    valueName: "accounts",
    help: "only copy snapshots shared by these comma-separated accounts (default: any)",
  },
};

function kebab(env: string): string {
  return env.toLowerCase().replace(/_/g, "-");
}

function camel(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function fieldsOf(
  side: Side,
  envMap: Readonly<Record<string, string>>,
  help: Readonly<Record<string, FieldHelp>>,
): PolicyField[] {
  return Object.entries(envMap).map(([key, env]) => {
    const flag = `--${kebab(env)}`;
    const text = help[key] as FieldHelp;
    return { side, key, env, flag, attribute: camel(flag), ...text };
  });
}

export const SOURCE_FIELDS: readonly PolicyField[] = fieldsOf(
  "source",
  SOURCE_POLICY_ENV,
  SOURCE_HELP,
);
export const DESTINATION_FIELDS: readonly PolicyField[] = fieldsOf(
  "destination",
  DESTINATION_POLICY_ENV,
  DESTINATION_HELP,
);

export function fieldsFor(side: Side): readonly PolicyField[] {
  return side === "source" ? SOURCE_FIELDS : DESTINATION_FIELDS;
}

/** The config file's name for a policy key: `source.retentionDays`. */
export function fileKey(field: Pick<PolicyField, "side" | "key">): string {
  return `${field.side}.${field.key}`;
}

/** Every way to set a field, for messages about a value that is missing altogether. */
export function allNames(field: PolicyField): string {
  return `${field.flag}, the env var ${field.env}, or ${fileKey(field)} in the --config file`;
}
