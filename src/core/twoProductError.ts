const SPLIT = 134_217_729; // 2^27 + 1, Dekker's splitter

/**
 * The rounding error of the product p = fl(a × b), exactly (Dekker/Veltkamp, no FMA needed;
 * exact away from under/overflow). Exact decimal parsing, float→Fixed conversion and exact
 * statistics all need a product and its error as a pair of doubles.
 */
export function twoProductError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
