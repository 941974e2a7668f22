/**
 * A small recording panel for simulator tests: serves `link.php` over real HTTP on loopback with
 * the legacy panel's rules (one queued command per poll, FIFO; `{data}0#!#REQUEST` when idle;
 * SMART devices get `{data}<cmd>`), and records every poll the devices make.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildCommandBody, buildIdleBody, buildSmartBody } from '../../../src/codec/index.ts';

export interface Poll {
  readonly token: string;
  /** undefined for SMART polls. */
  readonly step: number | undefined;
  readonly data: string;
  /** The body answered. */
  readonly body: string;
}

export class PanelStub {
  readonly polls: Poll[] = [];
  private readonly queues = new Map<string, Array<{ step: number; command: string }>>();
  private nextStep = 1000;
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/link.php') { res.statusCode = 404; res.end(); return; }
      const token = u.searchParams.get('token') ?? '';
      const stepText = u.searchParams.get('step');
      const data = u.searchParams.get('data') ?? '';
      const smart = stepText === null || stepText === '';
      const next = this.queues.get(token)?.shift();
      const body = next ? (smart ? buildSmartBody(next.command) : buildCommandBody(next.step, next.command)) : smart ? buildSmartBody(null) : buildIdleBody();
      this.polls.push({ token, step: smart ? undefined : Number(stepText), data, body });
      res.end(body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Queues a command for a device; returns its step. */
  enqueue(token: string, command: string): number {
    const step = this.nextStep++;
    const q = this.queues.get(token) ?? [];
    q.push({ step, command });
    this.queues.set(token, q);
    return step;
  }

  /** Queues a command under a given step (replaying a log). */
  enqueueAt(token: string, step: number, command: string): void {
    const q = this.queues.get(token) ?? [];
    q.push({ step, command });
    this.queues.set(token, q);
  }

  /** Payloads the device sent for `step` (stepped answers), in arrival order. */
  answers(token: string, step: number): string[] {
    return this.polls.filter((p) => p.token === token && p.step === step).map((p) => p.data);
  }

  /** Step-0 (unsolicited) payloads other than REQUEST. */
  unsolicited(token: string): string[] {
    return this.polls.filter((p) => p.token === token && (p.step === 0 || p.step === undefined) && p.data !== 'REQUEST').map((p) => p.data);
  }

  /** Payloads of a device in order (excluding REQUEST). */
  payloads(token: string): Poll[] {
    return this.polls.filter((p) => p.token === token && p.data !== 'REQUEST');
  }
}
