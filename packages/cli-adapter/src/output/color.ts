import type { OutputStream } from "../io.js";

export interface Palette {
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const plain = (text: string): string => text;

export const NO_COLOR_PALETTE: Palette = {
  green: plain,
  red: plain,
  yellow: plain,
  dim: plain,
  bold: plain,
};

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const ANSI_PALETTE: Palette = {
  green: sgr(32, 39),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
};

/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string
 * (no-color.org) or `--no-color` is given: piped output and logs stay free of escape codes.
 */
export function paletteFor(
  stream: OutputStream,
  env: Readonly<Record<string, string | undefined>>,
  colorFlag: boolean,
): Palette {
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  return stream.isTTY === true && colorFlag && !noColor ? ANSI_PALETTE : NO_COLOR_PALETTE;
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Printable width of a string that may hold colour codes. */
export function visibleLength(text: string): number {
  return text.replace(ESCAPES, "").length;
}
