/**
 * The time a snapshot identifier ends with, in the original tool's `YYYY-MM-DD-HH-MM` (UTC)
 * stamp (`prod-orders-2020-01-01-00-00`), or undefined when it carries none. Written out here
 * rather than taken from core: the helpers that seed moto must not lean on the code under test.
 */
export function timeInSnapshotName(identifier: string): Date | undefined {
  const m = /(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(identifier);
  if (m === null) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
  const at = new Date(`${iso}:00Z`);
  // Date rolls 2026-02-30 over into March: a stamp that does not read back is not a time.
  return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(iso) ? at : undefined;
}
