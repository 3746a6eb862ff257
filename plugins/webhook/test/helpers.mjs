// Test helpers: start services on 127.0.0.1 and call them. Never a non-loopback address.
import { request } from 'node:http';

/** Starts an in-process service on an ephemeral loopback port; returns its base URL. */
export async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

/** One HTTP request; resolves `{ status, body }` with the body parsed as JSON. */
export function call(base, method, path, { body, raw, token, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const data = raw ?? (body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    const req = request(`${base}${path}`, {
      method,
      agent: false,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try { json = JSON.parse(text); } catch { json = { text }; }
        resolve({ status: res.statusCode, body: json, text });
      });
    });
    req.on('error', reject);
    if (data) req.end(data); else req.end();
  });
}
