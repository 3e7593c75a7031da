/** USD per unit of the non-model resources an agent run uses, and per party for orchestration. */
export interface ResourceUnitPrices {
  vectorQuery: number;
  computeSecond: number;
  cacheOp: number;
  sqlQuery: number;
  orchestration: number;
}

export const defaultResourcePrices: ResourceUnitPrices = {
  vectorQuery: 0.0001,
  computeSecond: 0.0001,
  cacheOp: 0.000001,
  sqlQuery: 0.000005,
  orchestration: 0.0001,
};
