/**
 * Exact arithmetic for the reference (SPEC.md ACC.REF): float32 values are dyadic rationals, so sums and
 * quotients by integers are exact in mathjs Fractions (BigInt-backed). IEEE special values are tracked beside
 * the finite part with IEEE's rules (∞ + finite = ∞, +∞ + −∞ = NaN, NaN absorbs).
 */
import { fraction, type Fraction } from 'mathjs';

const SCALE_EXP = 1074; // every finite f64 (hence every f32) times 2^1074 is an integer
const SCALE = 2n ** BigInt(SCALE_EXP);

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The exact rational value of a finite double, via its IEEE bits (no decimal or continued-fraction rounding). */
export function exactFraction(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError(`exactFraction: ${x} is not finite`);
  f64[0] = x;
  const b = u64[0]!;
  const negative = b >> 63n === 1n;
  const expBits = Number((b >> 52n) & 0x7ffn);
  let mant = b & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  // value = mant · 2^exp = mant · 2^(exp + 1074) / 2^1074
  const num = mant << BigInt(exp + SCALE_EXP);
  return fraction(negative ? -num : num, SCALE);
}

export const ZERO: Fraction = fraction(0n, 1n);

/** Nearest-ish f64 of a fraction (two roundings at most: the caller's outward() absorbs them). */
export function toNumber(f: Fraction): number {
  return f.valueOf();
}

/** A sum of terms, exact in its finite part, with IEEE special-value flags. */
export class ExactSum {
  private finite: Fraction = ZERO;
  private absFinite: Fraction = ZERO;
  posInf = false;
  negInf = false;
  nan = false;
  /** Number of terms added (the n of γ bounds). */
  terms = 0;

  /** Adds a float value (f32 data widened to f64), optionally divided by a finite non-zero divisor. */
  add(x: number, divisor = 1): void {
    this.terms++;
    if (Number.isNaN(x)) {
      this.nan = true;
    } else if (x === Infinity) {
      if (divisor > 0) this.posInf = true; else this.negInf = true;
    } else if (x === -Infinity) {
      if (divisor > 0) this.negInf = true; else this.posInf = true;
    } else if (x !== 0) {
      const f = divisor === 1 ? exactFraction(x) : exactFraction(x).div(exactFraction(divisor));
      this.addFraction(f);
    }
  }

  addFraction(f: Fraction): void {
    this.finite = this.finite.add(f);
    this.absFinite = this.absFinite.add(f.abs());
  }

  /** True when the sum is NaN or ±∞ by IEEE rules (the finite part then no longer matters for the value). */
  get special(): boolean {
    return this.nan || this.posInf || this.negInf;
  }

  /** The exact value rounded to f64, IEEE rules for specials. */
  value(): number {
    if (this.nan || (this.posInf && this.negInf)) return NaN;
    if (this.posInf) return Infinity;
    if (this.negInf) return -Infinity;
    return toNumber(this.finite);
  }

  /** Σ|finite terms|, rounded to f64 (rounded up by one f64 ulp by callers through outward()). */
  absSum(): number {
    return toNumber(this.absFinite);
  }

  exactFinite(): Fraction {
    return this.finite;
  }
}
