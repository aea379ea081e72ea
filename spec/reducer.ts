/**
 * The reducer declaration (SPEC.md §11, REDUCER.*): what a sliding-window reducer is, once, for the built-in
 * research kinds (spec/reducers/) and a user's own alike. The verifier derives everything from it: the reference
 * and its float32 acceptance sets (spec/reference/reducer.ts), the generators (spec/arbitraries/reducer.ts) and
 * the properties (spec/properties/reducer.ts). Keep this file free of logic: a user imports only these shapes.
 */
import type { BigNumber } from 'mathjs';

/** A 40-significant-digit number (the project's high-precision arithmetic, ACC.REF). Opaque to a declaration. */
export type HP = BigNumber;

/** The high-precision operations a reference may use; the verifier passes them in (no import needed). */
export interface HPMath {
  /** x exactly (±∞ as infinite HP values). */
  of(x: number): HP;
  isFinite(a: HP): boolean;
  toNumber(a: HP): number;
  add(a: HP, b: HP): HP;
  sub(a: HP, b: HP): HP;
  mul(a: HP, b: HP): HP;
  div(a: HP, b: HP): HP;
  neg(a: HP): HP;
  abs(a: HP): HP;
  exp(a: HP): HP;
  /** Natural logarithm; a > 0. */
  log(a: HP): HP;
  /** a^b for a ≥ 0 (a real power). */
  pow(a: HP, b: HP): HP;
  sqrt(a: HP): HP;
  lt(a: HP, b: HP): boolean;
  max(values: readonly HP[]): HP;
  min(values: readonly HP[]): HP;
  sum(values: readonly HP[]): HP;
}

/** One parameter of a reducer: a float32 in [min, max] (either end open), its rule's clause ID for errors. */
export interface ReducerParameter {
  readonly name: string;
  /** The SPEC.md clause a ValidationError cites for this parameter (e.g. GEM.P). */
  readonly clause: string;
  readonly min: number;
  readonly max: number;
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
  /** The value must be an integer (a seed, a mode flag): validation rejects a fraction under `clause`. */
  readonly integer?: boolean;
  /** Values the generators draw, float32 and inside the domain (small, large, the ends). */
  readonly samples: readonly number[];
}

/** Everything an error model may read about one window (REDUCER.ACCURACY). */
export interface WindowContext {
  /** The window's in-bounds taps in scan order (float32 values, as f64). */
  readonly values: readonly number[];
  readonly params: Readonly<Record<string, number>>;
  /** The exact result, rounded to f64 (finite: special windows never reach an error model). */
  readonly y: number;
}

/** A gradient error model also sees the exact partials ∂y/∂x_r of the window (rounded to f64). */
export interface GradientContext extends WindowContext {
  readonly partials: readonly number[];
}

/**
 * The accuracy a float32 kernel owes (REDUCER.ACCURACY), in SPEC.md §5's terms: derived from the number of
 * terms, u = 2^-24, η = 2^-150 and the declared accuracy κ = 2^-22 of exp, log and pow — never a bare tolerance.
 */
export interface ReducerErrorModel {
  /**
   * |ŷ − y| ≤ halfWidth for a float32 result ŷ of a window whose exact result y is finite. `mayOverflow`: some
   * legal evaluation order may reach the overflow threshold (ACC.OVERFLOW), so ±∞ and NaN are also accepted.
   */
  forward(w: WindowContext): { halfWidth: number; mayOverflow?: boolean };
  /** |∂̂y/∂x_r − ∂y/∂x_r| ≤ the returned bound for the kernel's partial of tap r (before the product with dy). */
  gradient?(w: GradientContext, r: number): number;
}

/** What holds for the reducer (REDUCER.TRAITS); each trait adds the property that checks it. */
export interface ReducerTraits {
  /** The value does not depend on the order of the taps (INV.REFLECT applies). */
  readonly symmetric?: boolean;
  /** Non-decreasing in every tap (INV.MONOTONE). */
  readonly monotone?: boolean;
  /** f(c·x) = c^k·f(x) for c = 2^j > 0 (INV.HOMOGENEOUS with degree k). */
  readonly homogeneous?: number;
  /** f(x + c) = f(x) + c (INV.SHIFT). */
  readonly shiftEquivariant?: boolean;
  /** min ≤ f ≤ max over the window's taps (REDUCER.BOUNDED). */
  readonly bounded?: boolean;
  /** Where f is differentiable in every tap (finite windows only); absent: nowhere checked (REDUCER.FD). */
  differentiable?(values: readonly number[], params: Readonly<Record<string, number>>): boolean;
}

export interface ReducerDeclaration {
  /** The spec's `kind` (ReducerPoolSpec): letters, digits, '_' and '-'. */
  readonly name: string;
  readonly title: string;
  readonly params: readonly ReducerParameter[];
  /**
   * The data domain the generators draw from (REDUCER.DOMAIN): inputs outside it are still defined, by
   * `special`. Default: all finite float32.
   */
  readonly domain?: { readonly min?: number; readonly max?: number };
  /**
   * The result of a window that the high-precision reference does not handle (NaN, ±∞, values outside the
   * domain, or an exact selection): a number (NaN accepts any NaN) checked to the bit; undefined otherwise.
   */
  special(values: readonly number[], params: Readonly<Record<string, number>>): number | undefined;
  /** The exact value of a finite window in 40 digits (called only where `special` returned undefined). */
  reference(values: readonly HP[], params: Readonly<Record<string, number>>, hp: HPMath): HP;
  readonly accuracy: ReducerErrorModel;
  readonly traits: ReducerTraits;
  /** SPEC.md clause IDs the declaration's own definition lives in (built-ins: e.g. GEM.DEF); cited by its properties. */
  readonly clauses?: readonly string[];
  /** SPEC.md clause IDs of its gradient (built-ins: e.g. GEM.GRAD); cited by the gradient property. */
  readonly gradientClauses?: readonly string[];
  /** Data the generators should favour (the hard regions): finite float32 values inside the domain. */
  readonly hardValues?: readonly number[];
}
