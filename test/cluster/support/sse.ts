/**
 * A console page's live stream (`GET /api/v1/events`, server-sent events) opened on one node, as the
 * browser's EventSource would: every `data:` message kept, in order. The stream of a node that dies
 * simply ends.
 */
export interface LiveStream {
  /** Every message received so far (`hello`, `sms.received`, …). */
  readonly messages: Array<Record<string, unknown>>;
  /** True once the first message (`hello`) arrived: the page is live. */
  live(): boolean;
  close(): Promise<void>;
}

export async function openLiveStream(base: string, bearer: string): Promise<LiveStream> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${bearer}` }, signal: ac.signal });
  if (res.status !== 200 || !res.body) throw new Error(`events stream on ${base}: HTTP ${res.status}`);
  const messages: Array<Record<string, unknown>> = [];
  const reader = res.body.getReader();
  const pump = (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const data = buf.slice(0, i).split('\n').find((l) => l.startsWith('data: '));
          buf = buf.slice(i + 2);
          if (data) messages.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
        }
      }
    } catch { /* aborted, or the node died */ }
  })();
  return {
    messages,
    live: () => messages.length > 0,
    async close() { ac.abort(); await pump; },
  };
}
