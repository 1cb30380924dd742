import http from 'node:http';

/** A raw event-stream client for tests: what the server sent, its status, and whether the stream ended. */
export interface Stream {
  text: string;
  status?: number;
  ended: boolean;
  close(): void;
}

/** Opens `path` on 127.0.0.1:port as an event stream with a bearer token (no reconnect, unlike a browser). */
export function openStream(port: number, path: string, token: string): Stream {
  const s: Stream = { text: '', ended: false, close: () => req.destroy() };
  const req = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` } }, (res) => {
    s.status = res.statusCode;
    res.setEncoding('utf8');
    res.on('data', (c: string) => (s.text += c));
    res.on('end', () => (s.ended = true));
    res.on('error', () => (s.ended = true));
  });
  req.on('error', () => (s.ended = true));
  req.on('close', () => (s.ended = true));
  return s;
}
