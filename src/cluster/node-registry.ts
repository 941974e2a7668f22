/**
 * Node identity and heartbeat (`nodes` table, issue #7): a node upserts its row at start, renews
 * `heartbeat_at` every `heartbeatMs` and deletes it on a clean stop. Other nodes read it for two
 * things only: where to relay a device poll (`address`), and `simnav cluster status`. Liveness for
 * correctness is the lease's expiry, never the heartbeat (a node can be alive yet partitioned).
 */
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/open-store.ts';

export interface NodeRow { readonly id: string; readonly address: string; readonly startedAt: number; readonly heartbeatAt: number }

export interface NodeRegistryOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly nodeId: string;
  readonly address: string;
  readonly heartbeatMs: number;
  readonly onError?: (err: unknown) => void;
}

/** Every row of `nodes`, oldest first. */
export async function listNodes(store: Store): Promise<NodeRow[]> {
  const rows = await store.db.selectFrom('nodes').selectAll().orderBy('started_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, address: r.address, startedAt: Number(r.started_at), heartbeatAt: Number(r.heartbeat_at) }));
}

export class NodeRegistry {
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  private stopped = true;
  private addresses = new Map<string, { address: string; heartbeatAt: number }>();
  private addressesAt = -Infinity;

  constructor(private readonly o: NodeRegistryOptions) {}

  get nodeId(): string { return this.o.nodeId; }

  /** Writes this node's row and starts the heartbeat. */
  async start(): Promise<void> {
    const now = this.o.clock.now();
    await this.o.store.db.insertInto('nodes').values({ id: this.o.nodeId, address: this.o.address, started_at: now, heartbeat_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ address: this.o.address, started_at: now, heartbeat_at: now })).execute();
    this.stopped = false;
    this.schedule();
  }

  /** One heartbeat (tests call it directly). */
  async beat(): Promise<void> {
    const now = this.o.clock.now();
    const r = await this.o.store.db.updateTable('nodes').set({ heartbeat_at: now, address: this.o.address }).where('id', '=', this.o.nodeId).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      // Removed by `cluster status --prune` or a restored backup: put it back.
      await this.o.store.db.insertInto('nodes').values({ id: this.o.nodeId, address: this.o.address, started_at: now, heartbeat_at: now })
        .onConflict((oc) => oc.column('id').doNothing()).execute();
    }
  }

  /**
   * The address of a live node (heartbeat within `staleMs`), or null. Reads `nodes` at most once
   * per heartbeat period, and again at once for a node it does not know yet.
   */
  async addressOf(nodeId: string, staleMs: number): Promise<string | null> {
    const now = this.o.clock.now();
    if (now - this.addressesAt >= this.o.heartbeatMs || !this.addresses.has(nodeId)) {
      const rows = await listNodes(this.o.store);
      this.addresses = new Map(rows.map((r) => [r.id, { address: r.address, heartbeatAt: r.heartbeatAt }]));
      this.addressesAt = now;
    }
    const n = this.addresses.get(nodeId);
    return n && n.address !== '' && now - n.heartbeatAt <= staleMs ? n.address : null;
  }

  /** Live nodes (heartbeat within `staleMs`), this one included. */
  async liveCount(staleMs: number): Promise<number> {
    const now = this.o.clock.now();
    return (await listNodes(this.o.store)).filter((n) => now - n.heartbeatAt <= staleMs).length;
  }

  /** Stops the heartbeat and removes this node's row. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.o.store.db.deleteFrom('nodes').where('id', '=', this.o.nodeId).execute();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.beat().catch((err: unknown) => this.o.onError?.(err)).finally(() => this.schedule());
    }, this.o.heartbeatMs);
  }
}
