import { DurationStats } from './pacing.types';

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

export function normPdf(x: number): number {
  return Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);
}

/** CDF of a log-normal with the given mean and standard deviation (moment-matched). */
export function lognormCdf(d: DurationStats, x: number): number {
  if (x <= 0) return 0;
  const mean = Math.max(d.meanMs, 1);
  const cv2 = Math.max((d.sdMs / mean) ** 2, 1e-4);
  const sigma2 = Math.log(1 + cv2);
  const mu = Math.log(mean) - sigma2 / 2;
  return normCdf((Math.log(x) - mu) / Math.sqrt(sigma2));
}

/** P(the activity ends within `windowMs` more | it has lasted `elapsedMs` so far). */
export function probEndsWithin(d: DurationStats, elapsedMs: number, windowMs: number): number {
  const survived = 1 - lognormCdf(d, elapsedMs);
  if (survived < 1e-9) return 1;
  return Math.min(1, Math.max(0, (lognormCdf(d, elapsedMs + windowMs) - lognormCdf(d, elapsedMs)) / survived));
}

/** E[max(D, 0)] for D ~ Normal(mu, sigma^2). */
export function expectedPositivePart(mu: number, sigma: number): number {
  if (sigma < 1e-9) return Math.max(mu, 0);
  const z = mu / sigma;
  return sigma * normPdf(z) + mu * normCdf(z);
}
