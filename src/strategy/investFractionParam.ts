import { z } from 'zod';

/**
 * The `investFraction` parameter of strategies that size their holdings as a share of
 * equity: 10 % to all of it, 95 % by default so fees and price gaps between the decision
 * and the fill never leave a buy short of cash. `description` says what the share buys.
 */
export function investFractionParam(description = 'share of equity invested') {
  return z.number().min(0.1).max(1).default(0.95).meta({ step: 0.05, description });
}
