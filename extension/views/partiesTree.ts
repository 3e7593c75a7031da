import * as vscode from 'vscode';
import type { PartyCostContext } from '../host/context';
import { historyRequest, listPartiesRequest } from '../../sidecar/protocol';
import type { PartySummary, SnapshotInfo } from '../../sidecar/contract/party';

/** A node of the parties tree: a party, or one of its snapshots. */
export type PartyNode = { kind: 'party'; party: PartySummary } | { kind: 'snapshot'; party: string; snapshot: SnapshotInfo };

/** Parties and their snapshots, in the activity-bar container; refreshed whenever parties change. */
export class PartiesTree implements vscode.TreeDataProvider<PartyNode> {
  private readonly changed = new vscode.EventEmitter<PartyNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly context: PartyCostContext) {
    context.onDidChangeParties(() => this.changed.fire(undefined));
    context.pushExtCleanup(this.changed);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(node?: PartyNode): Promise<PartyNode[]> {
    if (!this.context.workspace) return [];
    try {
      if (!node) return (await this.context.request(listPartiesRequest, {})).parties.map((party) => ({ kind: 'party', party }));
      if (node.kind === 'snapshot') return [];
      const { snapshots } = await this.context.request(historyRequest, { party: node.party.id });
      return [...snapshots].reverse().map((snapshot) => ({ kind: 'snapshot', party: node.party.id, snapshot }));
    } catch (error) {
      this.context.log.warn(`parties view: ${(error as Error).message}`);
      return [];
    }
  }

  getTreeItem(node: PartyNode): vscode.TreeItem {
    if (node.kind === 'party') {
      const p = node.party;
      const item = new vscode.TreeItem(`${p.id} ${p.name}`, p.snapshots ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.description = `${p.status} · ${p.inputs} inputs · ${p.results} results`;
      item.tooltip = `${p.name} (${p.status}): ${p.inputs} inputs, ${p.results} agent results, ${p.snapshots} snapshots, ${p.events} events`;
      item.iconPath = new vscode.ThemeIcon(p.status === 'final' ? 'pass' : 'organization');
      item.contextValue = 'party';
      item.id = `party:${p.id}`;
      return item;
    }
    const s = node.snapshot;
    const item = new vscode.TreeItem(`v${s.version} ${s.type}`, vscode.TreeItemCollapsibleState.None);
    item.description = `events 1–${s.seq} · ${s.at.slice(0, 16).replace('T', ' ')}`;
    item.iconPath = new vscode.ThemeIcon(s.type === 'final' ? 'verified' : s.type === 'auto' ? 'history' : 'save');
    item.contextValue = 'snapshot';
    item.id = `snapshot:${node.party}:${s.version}`;
    return item;
  }
}
