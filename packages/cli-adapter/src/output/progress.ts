import type { Palette } from "./color.js";
import { statusColor } from "./step-output.js";

export interface ProgressLine {
  readonly name: string;
  readonly region: string;
  readonly status: string;
  readonly percent: number;
}

const BAR_WIDTH = 24;

/** `[##########--------------]  42%` */
export function progressBar(percent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(percent).padStart(3)}%`;
}

export function barLine(line: ProgressLine, palette: Palette): string {
  const status = statusColor(palette, line.status)(line.status.padEnd(10));
  return `${progressBar(line.percent)}  ${status}  ${line.name} (${line.region})`;
}

export function plainLine(line: ProgressLine, at: Date): string {
  return `${at.toISOString()} ${line.name} ${line.region} ${line.status} ${line.percent}%`;
}

/**
 * Redraws a block of bars in place on a terminal: move the cursor up over the previous block,
 * then clear and rewrite each line. Returns the text to write.
 */
export function redraw(previousLines: number, lines: readonly string[]): string {
  const up = previousLines > 0 ? `\u001b[${previousLines}A` : "";
  return up + lines.map((l) => `\u001b[2K${l}\n`).join("");
}
