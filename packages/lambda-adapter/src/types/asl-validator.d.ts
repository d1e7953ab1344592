// asl-validator 4 ships JavaScript only (a CommonJS `module.exports = function validator`).
declare module "asl-validator" {
  export interface AslValidatorOptions {
    /** Check JSONPath expressions in InputPath, OutputPath, ResultPath... (default true). */
    readonly checkPaths?: boolean;
    /** Check that Task `Resource` values are ARNs (default true). */
    readonly checkArn?: boolean;
  }

  export interface AslValidationError {
    readonly "Error code": string;
    readonly Message: string;
    readonly [key: string]: unknown;
  }

  export interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly AslValidationError[];
    errorsText(separator?: string): string;
  }

  export default function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): AslValidationResult;
}
