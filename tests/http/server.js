// The HTTP test server: the sample shop's orders behind every pagination style, faults on
// demand (429 with Retry-After, 500/503, a reset connection, a slow answer, a truncated body,
// a body that changes when it is sent again, a page sent in two halves, invalid JSON, a
// pagination loop, an oversized body) and writes with a body limit (413).
// Node's standard library only.
// Usage: node server.js DIR  (listens on a free loopback port and writes it to DIR/port)
'use strict';
const http = require('http');
const fs = require('fs');
const crypto = require('crypto');
const path = require('path');

const orders = [];
for (let i = 1; i <= 25; i++) {
  orders.push({ order_no: `SO-${String(i).padStart(8, '0')}`, customer_id: 1000 + (i % 7),
                total: `${i * 3}.${String((i * 37) % 100).padStart(2, '0')}`, status: i % 5 ? 'paid' : 'cancelled' });
}
const calls = {};  // requests per fault id, so each fault strikes only the first times
const streams = {};  // /stream/ID pages waiting for /stream-go/ID
const json = (res, status, body, headers = {}) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
const num = (v, d) => (v === null || v === undefined || v === '' ? d : Number(v));

const customers = [];  // what writes to /customers stored, in order
const others = [];  // what writes to other resources stored, so as not to shift customers' ids
const batched = [];  // what /batch/* stored
const accounts = [];  // /accounts: created with ids the server assigns
const bigcommerce = { requests: 0, tooLarge: 0, stored: [] };  // /bigcommerce batch writes
const store = (record, res, list = customers) => {
  const bad = (Array.isArray(record) ? record : [record]).find((r) => !String(r.email || '').includes('@'));
  if (bad) return json(res, 422, { message: `email is invalid: ${bad.email}` });
  const saved = (Array.isArray(record) ? record : [record]).map((r) => {
    const row = { id: list.length + 1, ...r };
    list.push(row);
    return row;
  });
  return json(res, 201, Array.isArray(record) ? saved : saved[0]);
};

// OAuth 1.0a (RFC 5849) as NetSuite checks it: the signature recomputed from the request with
// the secrets the server knows, HMAC-SHA256 or -SHA1, and a nonce never used twice.
const oauthSecrets = { consumer: { 'ck-4711': 'cs-secret' }, token: { 'tk-0815': 'ts-secret' } };
const nonces = new Set();
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const oauthCheck = (req) => {
  const h = req.headers.authorization || '';
  if (!h.startsWith('OAuth ')) return 'no OAuth header';
  const params = {};
  for (const m of h.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params[m[1]] = decodeURIComponent(m[2]);
  const cs = oauthSecrets.consumer[params.oauth_consumer_key], ts = oauthSecrets.token[params.oauth_token];
  if (cs === undefined || ts === undefined) return 'unknown consumer or token';
  if (nonces.has(params.oauth_nonce)) return 'nonce used before';
  const url = new URL(req.url, `http://${req.headers.host}`);
  const all = [...url.searchParams.entries()];
  for (const [k, v] of Object.entries(params)) if (k !== 'oauth_signature' && k !== 'realm') all.push([k, v]);
  const norm = all.map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const base = [req.method, enc(`http://${req.headers.host}${url.pathname}`), enc(norm.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const algo = { 'HMAC-SHA256': 'sha256', 'HMAC-SHA1': 'sha1' }[params.oauth_signature_method];
  if (!algo) return 'unsupported signature method';
  const want = crypto.createHmac(algo, `${enc(cs)}&${enc(ts)}`).update(base).digest('base64');
  if (want !== params.oauth_signature) return 'invalid signature';
  nonces.add(params.oauth_nonce);
  return null;
};

// The quotas platforms announce. BigCommerce: a window of 3 requests per second, with the
// requests left and the milliseconds to the window's reset on every answer. Shopify: a bucket
// of 4 calls that leaks 2 a second, announced as "used/4". A request over quota is refused
// (429) and counted: a client that reads the headers is never refused.
const quota = { refused: 0, window: { start: 0, used: 0 }, bucket: { level: 0, at: Date.now() } };
const quotaGate = (name, res) => {
  const now = Date.now();
  if (name === 'bigcommerce') {
    const w = quota.window;
    if (now - w.start >= 1000) { w.start = now; w.used = 0; }
    const reset = String(Math.max(1, 1000 - (now - w.start)));
    if (w.used >= 3) {
      quota.refused++;
      json(res, 429, { title: 'Too many requests' }, { 'X-Rate-Limit-Requests-Left': '0', 'X-Rate-Limit-Time-Reset-Ms': reset });
      return null;
    }
    w.used++;
    return { 'X-Rate-Limit-Requests-Left': String(3 - w.used), 'X-Rate-Limit-Time-Reset-Ms': reset };
  }
  const b = quota.bucket;  // shopify
  b.level = Math.max(0, b.level - ((now - b.at) / 1000) * 2);
  b.at = now;
  if (b.level + 1 > 4) {
    quota.refused++;
    json(res, 429, { errors: 'Exceeded 2 calls per second for api client' }, { 'Retry-After': '1.0' });
    return null;
  }
  b.level += 1;
  return { 'X-Shopify-Shop-Api-Call-Limit': `${Math.ceil(b.level)}/4` };
};

// The platforms' paging, over the same 25 orders: what their API references describe.
const platform = (name, q, req, res, route = 'platform') => {
  const here = `http://${req.headers.host}/${route}/${name}`;
  switch (name) {
    case 'magento': {  // searchCriteria paging; past the last page Magento answers the last again
      // ?upto=N: only the first N orders exist yet. A searchCriteria filter (field, value,
      // condition_type gteq) keeps the orders at or after the value, compared as Magento's
      // "YYYY-MM-DD HH:MM:SS" texts are.
      const f = 'searchCriteria[filter_groups][0][filters][0]';
      const all = orders.slice(0, num(q.get('upto'), orders.length)).map((o, i) => ({
        entity_id: i + 1, ...o, updated_at: `2024-03-${String(1 + i).padStart(2, '0')} 12:00:00` }))
        .filter((o) => !q.get(`${f}[field]`) || (q.get(`${f}[condition_type]`) === 'gteq' &&
                                                 String(o[q.get(`${f}[field]`)]) >= q.get(`${f}[value]`)));
      const size = num(q.get('searchCriteria[pageSize]'), 20);
      const last = Math.max(1, Math.ceil(all.length / size));
      const page = Math.min(num(q.get('searchCriteria[currentPage]'), 1), last);
      return json(res, 200, { items: all.slice((page - 1) * size, page * size),
        search_criteria: { current_page: num(q.get('searchCriteria[currentPage]'), 1), page_size: size },
        total_count: all.length });
    }
    case 'bigcommerce-v2': {  // a bare array; 204 No Content past the last page
      // ?upto=N: only the first N orders exist yet; min_date_modified filters as BigCommerce does
      const page = num(q.get('page'), 1), limit = num(q.get('limit'), 50);
      const since = q.get('min_date_modified') ? Date.parse(q.get('min_date_modified')) : -Infinity;
      const all = orders.slice(0, num(q.get('upto'), orders.length))
        .map((o, i) => ({ ...o, date_modified: new Date(Date.UTC(2024, 2, 1 + i, 12)).toUTCString().replace('GMT', '+0000') }))
        .filter((o) => Date.parse(o.date_modified) >= since);
      const items = all.slice((page - 1) * limit, page * limit);
      if (items.length === 0) { res.writeHead(204); return res.end(); }
      return json(res, 200, items);
    }
    case 'bigcommerce-v3': {  // data + meta.pagination, the next page as a relative query
      // ?upto=N: only the first N orders exist yet; date_modified:min (ISO 8601) filters as
      // BigCommerce v3 does, and the next links keep the filter.
      const page = num(q.get('page'), 1), limit = num(q.get('limit'), 50);
      const since = q.get('date_modified:min') ? Date.parse(q.get('date_modified:min')) : -Infinity;
      const all = orders.slice(0, num(q.get('upto'), orders.length))
        .map((o, i) => ({ ...o, date_modified: new Date(Date.UTC(2024, 2, 1 + i, 12)).toISOString().replace('.000Z', '+00:00') }))
        .filter((o) => Date.parse(o.date_modified) >= since);
      const pages = Math.max(1, Math.ceil(all.length / limit));
      const keep = [...q.entries()].filter(([k]) => k !== 'page' && k !== 'limit')
        .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
      const links = { current: `?page=${page}&limit=${limit}${keep}` };
      if (page < pages) links.next = `?page=${page + 1}&limit=${limit}${keep}`;
      const data = all.slice((page - 1) * limit, page * limit);
      return json(res, 200, { data, meta: { pagination: { total: all.length, count: data.length,
        per_page: limit, current_page: page, total_pages: pages, links } } });
    }
    case 'shopify': {  // GET orders.json: {"orders": […]}, cursor paging in the Link header
      // (page_info, which carries the filters: Shopify refuses other filters beside it);
      // updated_at_min filters; ?upto=N: only the first N orders exist yet.
      const limit = num(q.get('limit'), 10);
      let state = { upto: num(q.get('upto'), orders.length), min: q.get('updated_at_min'), at: 0 };
      if (q.get('page_info')) {
        if ([...q.keys()].some((k) => k !== 'page_info' && k !== 'limit'))
          return json(res, 400, { errors: 'page_info - cannot be combined with other filters' });
        state = JSON.parse(Buffer.from(q.get('page_info'), 'base64url').toString());
      }
      const since = state.min ? Date.parse(state.min) : -Infinity;
      const all = orders.slice(0, state.upto)
        .map((o, i) => ({ id: 450789469 + i, ...o, updated_at: `2024-03-${String(1 + i).padStart(2, '0')}T12:00:00-05:00` }))
        .filter((o) => Date.parse(o.updated_at) >= since);
      const items = all.slice(state.at, state.at + limit);
      const headers = {};
      if (state.at + limit < all.length) {
        const next = Buffer.from(JSON.stringify({ ...state, at: state.at + limit })).toString('base64url');
        headers.Link = `<${here}?limit=${limit}&page_info=${next}>; rel="next"`;
      }
      return json(res, 200, { orders: items }, headers);
    }
    case 'netsuite': {  // SuiteQL: hasMore, offset/limit, and a links array with rel "next"
      const offset = num(q.get('offset'), 0), limit = num(q.get('limit'), 1000);
      const items = orders.slice(offset, offset + limit);
      const hasMore = offset + limit < orders.length;
      const links = [{ rel: 'self', href: `${here}?limit=${limit}&offset=${offset}` }];
      if (hasMore) links.push({ rel: 'next', href: `${here}?limit=${limit}&offset=${offset + limit}` });
      return json(res, 200, { links, count: items.length, hasMore, items, offset, totalResults: orders.length });
    }
    case 'odata': {  // server-driven paging: @odata.nextLink while there is more
      // ?upto=N: only the first N orders exist yet. $filter understands exactly one condition,
      // FIELD ge VALUE (a DateTimeOffset literal, as Business Central's lastModifiedDateTime),
      // and refuses any other rather than answer as if it held; the next link keeps it.
      const skip = num(q.get('$skip'), 0), top = 10, upto = num(q.get('upto'), orders.length);
      let keep = (o) => true;
      const filter = q.get('$filter');
      if (filter) {
        const m = /^(\w+) ge (\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))$/.exec(filter);
        if (!m) return json(res, 400, { error: { code: 'BadRequest', message: `The filter '${filter}' is not supported.` } });
        keep = (o) => o[m[1]] !== undefined && Date.parse(o[m[1]]) >= Date.parse(m[2]);
      }
      const all = orders.slice(0, upto)
        .map((o, i) => ({ ...o, lastModifiedDateTime: new Date(Date.UTC(2024, 2, 1 + i, 12)).toISOString() }))
        .filter(keep);
      const body = { '@odata.context': `${here}/$metadata#Orders`, value: all.slice(skip, skip + top) };
      const more = [...q.entries()].filter(([k]) => k !== '$skip')
        .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('');
      if (skip + top < all.length) body['@odata.nextLink'] = `${here}?$skip=${skip + top}${more}`;
      return json(res, 200, body);
    }
    default:
      return json(res, 404, { message: `no platform ${name}` });
  }
};

// NetSuite's SuiteQL endpoint (POST /services/rest/query/v1/suiteql, here /suiteql): the query
// in the body as {"q": …}, "Prefer: transient" required, OAuth 1.0a, offset/limit paging with
// hasMore and a links array whose rel "next" is the next page (POSTed with the same body). It
// knows one table, customer (12 rows, lastmodifieddate one a day); ?upto=N: only the first N
// exist yet. A condition lastmodifieddate >= TO_TIMESTAMP('…', …) keeps the rows at or after it.
const suiteqlCustomers = [];
for (let i = 1; i <= 12; i++) {
  suiteqlCustomers.push({ links: [], id: String(100 + i), entityid: `CUST${100 + i}`,
    companyname: `Customer ${i}`, isinactive: i % 4 ? 'F' : 'T',
    lastmodifieddate: `2024-03-${String(i).padStart(2, '0')} 12:00:00` });
}
const suiteql = (req, res, text) => {
  const why = oauthCheck(req);
  if (why) return json(res, 401, { 'o:errorDetails': [{ detail: `Invalid login attempt: ${why}` }] });
  if ((req.headers.prefer || '') !== 'transient')
    return json(res, 400, { 'o:errorDetails': [{ detail: 'The request must have the header Prefer: transient.' }] });
  let q;
  try {
    q = JSON.parse(text).q;
  } catch (e) {
    return json(res, 400, { 'o:errorDetails': [{ detail: 'Invalid JSON body.' }] });
  }
  if (typeof q !== 'string' || !/\bfrom\s+customer\b/i.test(q))
    return json(res, 400, { 'o:errorDetails': [{ detail: `Invalid search query: ${q}` }] });
  const url = new URL(req.url, 'http://localhost'), p = url.searchParams;
  const cond = /lastmodifieddate\s*>=\s*TO_TIMESTAMP\('((?:[^']|'')*)'\s*,\s*'[^']*'\)/i;
  const since = cond.exec(q);
  // Only that condition is understood (beside 1 = 1): a query with others is refused rather
  // than answered as if they held.
  const where = /\bwhere\b([\s\S]*?)(\border\s+by\b|$)/i.exec(q);
  if (where && where[1].replace(cond, '').replace(/\b1\s*=\s*1\b|\band\b/gi, '').trim() !== '')
    return json(res, 400, { 'o:errorDetails': [{ detail: `this test server does not evaluate: ${where[1].trim()}` }] });
  const rows = suiteqlCustomers.slice(0, num(p.get('upto'), suiteqlCustomers.length))
    .filter((c) => !since || c.lastmodifieddate >= since[1].replace(/''/g, "'"));
  const offset = num(p.get('offset'), 0), limit = num(p.get('limit'), 1000);
  const items = rows.slice(offset, offset + limit), hasMore = offset + limit < rows.length;
  const here = `http://${req.headers.host}${url.pathname}`, upto = p.get('upto') ? `&upto=${p.get('upto')}` : '';
  const links = [{ rel: 'self', href: `${here}?limit=${limit}&offset=${offset}${upto}` }];
  if (hasMore) links.push({ rel: 'next', href: `${here}?limit=${limit}&offset=${offset + limit}${upto}` });
  return json(res, 200, { links, count: items.length, hasMore, items, offset, totalResults: rows.length });
};

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/suiteql')) {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => suiteql(req, res, text));
    return;
  }
  if (req.method !== 'GET') {  // writes: read the body first
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => write(req, res, text));
    return;
  }
  const url = new URL(req.url, 'http://localhost');
  const q = url.searchParams;
  const parts = url.pathname.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'orders': {  // page style: ?page=&per_page=, records under /data/items
      const page = num(q.get('page'), 1), size = num(q.get('per_page'), 10);
      return json(res, 200, { data: { items: orders.slice((page - 1) * size, page * size) }, page });
    }
    case 'orders-link': {  // Link: rel="next", a relative URL; the records are the body
      const page = num(q.get('page'), 1), size = 10;
      const headers = page * size < orders.length
        ? { Link: `</orders-link?page=${page + 1}>; rel="next", </orders-link?page=1>; rel="first"` } : {};
      return json(res, 200, orders.slice((page - 1) * size, page * size), headers);
    }
    case 'orders-offset': {
      const offset = num(q.get('offset'), 0), limit = num(q.get('limit'), 10);
      return json(res, 200, { results: orders.slice(offset, offset + limit) });
    }
    case 'orders-cursor': {  // the cursor is the next index, opaque to the client
      const at = q.get('cursor') ? Number(Buffer.from(q.get('cursor'), 'base64').toString()) : 0;
      const next = at + 10 < orders.length ? Buffer.from(String(at + 10)).toString('base64') : null;
      return json(res, 200, { items: orders.slice(at, at + 10), meta: { next } });
    }
    case 'empty-next':  // empty pages that always link to one more (a broken API)
      return json(res, 200, [], { Link: `</empty-next?page=${num(q.get('page'), 1) + 1}>; rel="next"` });
    case 'same-page':  // the same records on every page, each linking to one more
      return json(res, 200, [orders[0]], { Link: `</same-page?page=${num(q.get('page'), 1) + 1}>; rel="next"` });
    case 'cross-origin': {  // the next page is on another origin: localhost, not 127.0.0.1
      const port = req.socket.localPort;
      return json(res, 200, [orders[0]], { Link: `<http://localhost:${port}/echo-auth>; rel="next"` });
    }
    case 'echo-auth':  // what credentials the request carried
      return json(res, 200, [{ authorization: req.headers.authorization || null }]);
    case 'loop':  // page 2 points back at page 1
      return json(res, 200, [orders[num(q.get('page'), 1) - 1]], { Link: `</loop?page=${num(q.get('page'), 1) === 1 ? 2 : 1}>; rel="next"` });
    case 'auth':
      if (req.headers.authorization !== 'Bearer s3cret-token') return json(res, 401, { message: 'invalid token' });
      return json(res, 200, orders.slice(0, 2));
    case 'basic':
      if (req.headers.authorization !== 'Basic ' + Buffer.from('shop:pa55').toString('base64'))
        return json(res, 401, { error: 'who are you?' });
      return json(res, 200, orders.slice(0, 2));
    case 'redirect-file':  // a redirect to another protocol must not be followed
      res.writeHead(302, { Location: 'file:///etc/passwd', 'Content-Length': 0 });
      return res.end();
    case 'redirect':
      res.writeHead(301, { Location: '/orders-link', 'Content-Length': 0 });
      return res.end();
    case 'not-found':
      return json(res, 404, { message: 'no such shop' });
    case 'hostile-error':  // escape sequences that would recolour or retitle a terminal
      return json(res, 400, { message: '\u001b[31mred\u001b]0;owned\u0007 \u009b2J' });
    case 'trailing':  // a page with a second document after it
      return json(res, 200, '[{"order_no": "SO-1"}] [{"order_no": "SO-2"}]');
    case 'invalid-json':
      return json(res, 200, '[{"order_no": "SO-1"}, {not json');
    case 'big':
      return json(res, 200, JSON.stringify([{ blob: 'x'.repeat(2 << 20) }]));
    case 'not-objects':
      return json(res, 200, [orders[0], 42, 'text', orders[1]]);
    case 'customers':
      return json(res, 200, customers);
    case 'others':  // what /customers-limited and /sink stored
      return json(res, 200, others);
    case 'batched':  // what /batch/* stored
      return json(res, 200, batched);
    case 'accounts':
      return json(res, 200, accounts);
    case 'bigcommerce':  // what the batch writes did: requests, 413s, products stored
      return json(res, 200, { requests: bigcommerce.requests, too_large: bigcommerce.tooLarge, stored: bigcommerce.stored.length });
    case 'stats':  // /stats/ID: how many requests fault ID has had
      return json(res, 200, { calls: calls[parts[1]] || 0 });
    case 'fault': {  // /fault/KIND/ID?times=N: the first N requests to ID fail as KIND
      const [, kind, id] = parts;
      const n = (calls[id] = (calls[id] || 0) + 1);
      if (n <= num(q.get('times'), 1)) {
        if (kind === '429') return json(res, 429, { message: 'slow down' }, { 'Retry-After': q.get('after') || '1' });
        if (kind === '500' || kind === '503') return json(res, Number(kind), { message: 'try later' });
        if (kind === 'reset') return req.socket.destroy();
        if (kind === 'slow') return setTimeout(() => json(res, 200, orders), 3000);
        if (kind === 'truncated' || kind === 'changed') {  // cut off after 300 bytes
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 100000 });
          res.write(JSON.stringify(orders).slice(0, 300));
          return setTimeout(() => req.socket.destroy(), 50);
        }
      }
      // changed: the page sent again is not the one that was cut off (order 2 was cancelled)
      if (kind === 'changed') return json(res, 200, orders.map((o, i) => (i === 1 ? { ...o, status: 'cancelled' } : o)));
      return json(res, 200, orders);
    }
    case 'overlap': {  // ?page=P&limit=3: page 2 begins as page 1 does, then differs; page 3 is empty
      const page = num(q.get('page'), 1);
      const pages = { 1: [orders[0], orders[1], orders[2]], 2: [orders[0], orders[1], orders[3]] };
      return json(res, 200, { items: pages[page] || [] });
    }
    case 'stream': {  // /stream/ID?n=N: one page of N orders, BigCommerce-shaped (meta after
      // data), sent in two halves: the second only once /stream-go/ID is asked for (or after
      // 10 s; at once with hold=0), so a client that hands records on as they arrive can ask
      // for it in between.
      const id = parts[1], n = num(q.get('n'), 1000);
      const row = (i) => JSON.stringify({ id: i, order_no: `SO-${String(i).padStart(8, '0')}`, note: 'x'.repeat(150) });
      const rows = (from, to) => { const out = []; for (let i = from; i <= to; i++) out.push(row(i)); return out.join(','); };
      const half = Math.floor(n / 2);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`{"data":[${rows(1, half)}`);
      const rest = (how) => {
        if (streams[id].released) return;
        streams[id].released = how;
        res.end(`${half < n ? ',' : ''}${rows(half + 1, n)}],"meta":{"pagination":{"total":${n}}}}`);
      };
      streams[id] = { rest, released: null };
      if (q.get('hold') === '0') return rest('no hold');
      setTimeout(() => rest('timeout'), 10000);
      return;
    }
    case 'stream-go':  // the rest of /stream/ID's page
      if (streams[parts[1]]) streams[parts[1]].rest('go');
      return json(res, 200, { ok: true });
    case 'stream-stats':  // what released /stream/ID's second half: "go" or "timeout"
      return json(res, 200, { released_by: streams[parts[1]] ? streams[parts[1]].released : null });
    case 'platform':  // /platform/NAME: paging as each platform documents it
      return platform(parts[1], q, req, res);
    case 'quota': {  // /quota/NAME: 25 orders, 2 a page (page/limit), behind NAME's quota
      if (parts[1] === 'stats') return json(res, 200, { refused: quota.refused });
      const headers = quotaGate(parts[1], res);
      if (!headers) return;
      const page = num(q.get('page'), 1), limit = 2;
      const items = orders.slice((page - 1) * limit, page * limit);
      return json(res, 200, items, headers);
    }
    case 'bigcommerce-v2':  // GET /bigcommerce-v2/orders/ID: one order's status, as PUT left it
      return json(res, 200, { id: Number(parts[2]), status_id: bigcommerceV2Status[parts[2]] ?? 1 });
    case 'magento':  // GET /magento/V1/products/SKU: one product, as PUT left it
      if (!magentoAuth(req, res)) return;
      return magentoCatalog[parts[3]] ? json(res, 200, magentoCatalog[parts[3]])
                                      : json(res, 404, { message: "The product that was requested doesn't exist. Verify the product and try again." });
    case 'oauth1': {  // /oauth1/NAME: the platform NAME's paging behind OAuth 1.0a
      const why = oauthCheck(req);
      if (why) return json(res, 401, { 'o:errorDetails': [{ detail: `Invalid login attempt: ${why}` }] });
      return platform(parts[1], q, req, res, 'oauth1');
    }
    default:
      return json(res, 404, { message: `no route ${url.pathname}` });
  }
});
// Magento 2's PUT /V1/products/{sku} (here /magento/V1/products/SKU): a bearer token, the body
// {"product": {…}}, errors as {"message": "… %1 …", "parameters": […]} with Magento's texts; an
// unknown sku is 404 (this store has 24-MB01…24-MB05), a negative qty 400. GET reads one back.
const magentoCatalog = {};
for (let i = 1; i <= 5; i++) magentoCatalog[`24-MB0${i}`] = { sku: `24-MB0${i}`, price: 10 * i, extension_attributes: { stock_item: { qty: 0, is_in_stock: false } } };
const magentoAuth = (req, res) => {
  if (req.headers.authorization === 'Bearer m-token') return true;
  json(res, 401, { message: "The consumer isn't authorized to access %resources.", parameters: { resources: 'Magento_Catalog::products' } });
  return false;
};
function magentoProduct(req, res, parts, body) {
  if (!magentoAuth(req, res)) return;
  const sku = decodeURIComponent(parts[3] || '');
  if (!magentoCatalog[sku])
    return json(res, 404, { message: "The product that was requested doesn't exist. Verify the product and try again." });
  const p = body && body.product;
  if (!p || typeof p !== 'object') return json(res, 400, { message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: 'product' } });
  const qty = p.extension_attributes && p.extension_attributes.stock_item && p.extension_attributes.stock_item.qty;
  if (typeof qty === 'number' && qty < 0)
    return json(res, 400, { message: 'Invalid value of "%1" provided for the %2 field.', parameters: [String(qty), 'qty'] });
  magentoCatalog[sku] = { ...magentoCatalog[sku], ...p, sku };
  return json(res, 200, magentoCatalog[sku]);
}

// NetSuite REST's POST /record/v1/salesOrder (here /netsuite/record/v1/salesOrder): OAuth 1.0a,
// a customer (entity.id) and items the account has, else 400 with NetSuite's error body; a
// created order answers 204 No Content with its URL, and so its id, in Location.
const netsuite = { customers: new Set(['107', '212']), items: new Set(['1234', '1235']), orders: [] };
const netsuiteError = (res, detail, path, code) => json(res, 400, {
  type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1', title: 'Bad Request', status: 400,
  'o:errorDetails': [{ detail, 'o:errorPath': path, 'o:errorCode': code }] });
function netsuiteSalesOrder(req, res, body) {
  const why = oauthCheck(req);
  if (why) return json(res, 401, { 'o:errorDetails': [{ detail: `Invalid login attempt: ${why}` }] });
  const entity = body && body.entity && String(body.entity.id);
  if (!netsuite.customers.has(entity))
    return netsuiteError(res, "Invalid value for the resource or sub-resource field 'entity'. Provide a valid value.", 'entity', 'INVALID_VALUE');
  const lines = (body.item && body.item.items) || [];
  const bad = lines.findIndex((l) => !netsuite.items.has(String(l.item && l.item.id)));
  if (bad >= 0)
    return netsuiteError(res, `Invalid value for the resource or sub-resource field 'item'. Provide a valid value.`, `item.items[${bad}].item`, 'INVALID_VALUE');
  const id = 5000 + netsuite.orders.push(body);
  res.writeHead(204, { Location: `http://${req.headers.host}/netsuite/record/v1/salesOrder/${id}` });
  return res.end();
}

// Shopify's POST /admin/api/2024-01/inventory_levels/set.json (here /shopify/…): the access
// token, {location_id, inventory_item_id, available}; an item the shop does not have is 404
// {"errors": "Not Found"}, one without inventory tracking 422 {"errors": ["…"]}, an available
// that is no integer 422 {"errors": {"available": ["…"]}}.
const shopifyLevels = { 808950810: { tracked: true, available: 27 }, 39072856: { tracked: true, available: 0 },
                        457924702: { tracked: false, available: null } };
function shopifyInventorySet(req, res, body) {
  if (req.headers['x-shopify-access-token'] !== 's-token')
    return json(res, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  const level = shopifyLevels[body.inventory_item_id];
  if (!level) return json(res, 404, { errors: 'Not Found' });
  if (!level.tracked)
    return json(res, 422, { errors: ['Inventory item does not have inventory tracking enabled'] });
  if (!Number.isInteger(body.available))
    return json(res, 422, { errors: { available: ['must be an integer'] } });
  level.available = body.available;
  return json(res, 200, { inventory_level: { inventory_item_id: body.inventory_item_id, location_id: body.location_id,
    available: body.available, updated_at: '2024-03-02T10:00:00-05:00' } });
}

// OData v4 as Business Central writes: PATCH /odata/items(ID) (here, by number) needs If-Match
// (the entity's @odata.etag, or *), else 428; an unknown id is 404 and a bad value 400, both as
// {"error": {"code": …, "message": …}}; a change answers 200 with the entity and its new etag.
const odataItems = { 1: { id: 1, number: '1000', unitPrice: 10, inventory: 5 }, 2: { id: 2, number: '1001', unitPrice: 20, inventory: 0 } };
function odataPatch(req, res, parts, body) {
  const m = /^items\((\d+)\)$/.exec(parts[1] || '');
  const item = m && odataItems[m[1]];
  const error = (status, code, message) => json(res, status, { error: { code, message } });
  if (!req.headers['if-match']) return error(428, 'Internal_PreconditionRequired', 'The If-Match header is required.');
  if (!item) return error(404, 'BadRequest_ResourceNotFound', 'The requested resource could not be found.');
  if (body.unitPrice !== undefined && !(typeof body.unitPrice === 'number' && body.unitPrice >= 0))
    return error(400, 'BadRequest', `Invalid value ${JSON.stringify(body.unitPrice)} for the property unitPrice.`);
  Object.assign(item, body);
  return json(res, 200, { '@odata.etag': `W/"${Date.now()}"`, ...item });
}

// BigCommerce v2's PUT /v2/orders/{id} (here /bigcommerce-v2/orders/ID): X-Auth-Token, a body
// such as {"status_id": 11}; errors as v2 writes them, an array of {status, message}. Orders 1-25
// exist; status_id must be 0-14. GET /bigcommerce-v2/orders/ID reads one back.
const bigcommerceV2Status = {};
const bigcommerceV2Order = (req, res, parts, body) => {
  if (req.headers['x-auth-token'] !== 'b-token')
    return json(res, 401, [{ status: 401, message: 'You are not authorized to access this resource.' }]);
  const id = Number(parts[2]);
  if (!(id >= 1 && id <= orders.length))
    return json(res, 404, [{ status: 404, message: 'The requested resource was not found.' }]);
  if (!Number.isInteger(body.status_id) || body.status_id < 0 || body.status_id > 14)
    return json(res, 400, [{ status: 400, message: "The field 'status_id' is invalid.", details: { invalid_reason: 'Must be a valid order status id.' } }]);
  bigcommerceV2Status[id] = body.status_id;
  return json(res, 200, { id, status_id: body.status_id });
};

function write(req, res, text) {
  const parts = new URL(req.url, 'http://localhost').pathname.split('/').filter(Boolean);
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return json(res, 400, { message: 'invalid JSON' });
  }
  if (parts[0] === 'customers-flaky') {  // the first request fails before anything is stored
    const n = (calls[parts[1]] = (calls[parts[1]] || 0) + 1);
    if (n === 1) return json(res, 503, { message: 'try later' });
    return store(body, res);
  }
  if (parts[0] === 'batch') {  // /batch/STYLE: a 207 that says which records failed (bad email)
    const list = Array.isArray(body) ? body : [body];
    const bad = list.map((r) => !String(r.email || '').includes('@'));
    const good = list.filter((r, i) => !bad[i]);
    good.forEach((r) => batched.push({ id: batched.length + 1, ...r }));
    if (parts[1] === 'array')  // one result per record, in order (as Magento's bulk API answers)
      return json(res, 207, list.map((r, i) => (bad[i] ? { status: 422, message: `email is invalid: ${r.email}` } : { status: 201 })));
    if (parts[1] === 'errors')  // the accepted ones, and errors naming their index
      return json(res, 207, { data: good, errors: list.map((r, i) => (bad[i] ? { index: i, status: 422, title: `email is invalid: ${r.email}` } : null)).filter(Boolean) });
    return json(res, 207, { message: 'some records failed' });  // opaque: cannot be told apart
  }
  if (parts[0] === 'bigcommerce-v2' && req.method === 'PUT') return bigcommerceV2Order(req, res, parts, body);
  if (parts[0] === 'magento' && req.method === 'PUT') return magentoProduct(req, res, parts, body);
  if (parts[0] === 'netsuite' && parts[3] === 'salesOrder') return netsuiteSalesOrder(req, res, body);
  if (parts[0] === 'shopify' && parts[parts.length - 1] === 'set.json') return shopifyInventorySet(req, res, body);
  if (parts[0] === 'odata' && req.method === 'PATCH') return odataPatch(req, res, parts, body);
  if (parts[0] === 'bigcommerce') {  // PUT /bigcommerce/v3/catalog/products: BigCommerce's batch
    // update takes at most 10 products (413 above); a product without a sku or with a negative
    // price fails alone, named by its index in a 207 answer.
    const list = Array.isArray(body) ? body : [body];
    bigcommerce.requests++;
    if (list.length > 10) {
      bigcommerce.tooLarge++;
      return json(res, 413, { status: 413, title: 'The request payload is too large. The maximum items allowed in the array is 10.' });
    }
    const why = (p) => (!p.sku ? 'sku is required' : Number(p.price) < 0 ? `price must not be negative: ${p.price}` : null);
    const errors = list.map((p, i) => (why(p) ? { index: i, status: 422, title: why(p) } : null)).filter(Boolean);
    const data = list.filter((p) => !why(p)).map((p) => ({ id: 100 + bigcommerce.stored.push(p), ...p }));
    return json(res, errors.length ? 207 : 200, errors.length ? { data, errors } : { data });
  }
  if (parts[0] === 'customers-limited') {  // a body limit: more than 2 records or 400 bytes is 413
    if ((Array.isArray(body) ? body.length : 1) > 2 || text.length > 400)
      return json(res, 413, { message: 'request entity too large' });
    return store(body, res, others);
  }
  if (parts[0] === 'sink') return store(body, res, others);  // takes anything valid, apart
  if (parts[0] === 'busy') {  // /busy/ID: every write answered 503, retry in 2 s; counted in /stats/ID
    calls[parts[1]] = (calls[parts[1]] || 0) + 1;
    return json(res, 503, { message: 'busy' }, { 'Retry-After': '2' });
  }
  if (parts[0] === 'accounts') {  // POST creates with a new id (one or an array); PUT /accounts/ID updates
    if (req.method === 'POST' && parts.length === 1) return store(body, res, accounts);
    const at = accounts.findIndex((a) => String(a.id) === parts[1]);
    if (req.method === 'PUT' && at >= 0) {
      accounts[at] = { ...body, id: accounts[at].id };
      return json(res, 200, accounts[at]);
    }
    return json(res, 404, { message: `no account ${parts[1]}` });
  }
  if (parts[0] !== 'customers') return json(res, 404, { message: 'no such resource' });
  if (req.method === 'POST' && parts.length === 1) return store(body, res);
  const at = customers.findIndex((c) => c.customer_no === parts[1]);
  if (req.method === 'PUT') {
    if (at < 0) return store({ ...body, customer_no: parts[1] }, res);
    customers[at] = { id: customers[at].id, ...body, customer_no: parts[1] };
    return json(res, 200, customers[at]);
  }
  if (req.method === 'PATCH') {
    if (at < 0) return json(res, 404, { message: `no customer ${parts[1]}` });
    Object.assign(customers[at], body);
    return json(res, 200, customers[at]);
  }
  return json(res, 405, { message: 'method not allowed' });
}

server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(path.join(process.argv[2], 'port'), String(server.address().port));
});
