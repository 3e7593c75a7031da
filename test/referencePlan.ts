/** The reference scenario of DESIGN.md §4: these inputs have run, then one is added and the third removed. */
export const referenceInputs = ['jungle theme', '75 guests', 'chocolate cake'];
export const referenceAdded = 'Need balloon artist';

/** The delta plan it must give, as [agent, action, cause], in plan order. */
export const referencePlan: [string, string, string][] = [
  ['theme', 'reuse', 'unchanged'],
  ['venue', 'reuse', 'unchanged'],
  ['cake', 'delete', 'input removed'],
  ['catering', 'reuse', 'unchanged'],
  ['vendor', 'execute', 'input added'],
  ['budget', 'execute', 'upstream changed'],
  ['planner_final', 'execute', 'upstream changed'],
];
