import * as vscode from 'vscode';
import type { PartyCostContext } from './context';
import { clean } from './redactingLog';

/** Registers a command whose failure is shown to the user as one message (never an unhandled error). */
export function registerCommand<A>(context: PartyCostContext, id: string, run: (arg: A) => Promise<unknown>): void {
  context.pushExtCleanup(
    vscode.commands.registerCommand(id, async (arg: A) => {
      try {
        return await run(arg);
      } catch (error) {
        void vscode.window.showErrorMessage(clean(`Party Cost: ${(error as Error).message}`));
        return undefined;
      }
    }),
  );
}
