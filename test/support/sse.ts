// Reads a Server-Sent Events response (POST /api/chat) into a list of events.
import { createParser } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: any;
}

/** All events until the stream ends, or until `until` says stop (the caller then aborts). */
export async function readSse(response: Response, until?: (event: SseEvent) => boolean): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  let stop = false;
  const parser = createParser({
    onEvent: (e) => {
      if (stop) return;
      const event = { event: e.event ?? 'message', data: JSON.parse(e.data) };
      events.push(event);
      if (until?.(event)) stop = true;
    },
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  while (!stop) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  if (stop) await reader.cancel().catch(() => undefined);
  return events;
}

/** The answer text the token events of a stream add up to. */
export function answerText(events: SseEvent[]): string {
  return events.filter((e) => e.event === 'token').map((e) => String(e.data.text)).join('');
}
