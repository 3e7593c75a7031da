/**
 * Messages whose params are checked before any handler sees them: each declares its params' schema beside its
 * method (zod/mini, imported by name so the bundles keep only what they use). A message that does not fit is
 * answered with what is wrong, field by field, never passed on.
 */
import { ParameterStructures, RequestType } from 'vscode-jsonrpc';
import type { ZodMiniType } from 'zod/mini';

/**
 * A JSON-RPC request with its params' schema: params by name only (an array is refused by vscode-jsonrpc with
 * -32602), and the sidecar answers -32602 to params that do not fit the schema.
 */
export class CheckedRequest<P, R> extends RequestType<P, R, void> {
  constructor(
    method: string,
    readonly params: ZodMiniType<P>,
  ) {
    super(method, ParameterStructures.byName);
  }
}
