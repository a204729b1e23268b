// Fake LLM provider for the end-to-end tests: one node http server on 127.0.0.1 that speaks
//   - OpenAI Chat Completions:  POST .../chat/completions   (streamed and not)
//   - Anthropic Messages:       POST .../v1/messages        (streamed and not)
//   - GET .../models (both flavours), anything else -> 404 JSON.
// Every request (method, url, headers, parsed body) is kept in memory and appended as one JSON line
// to the log file, so a test can assert on what otari sent upstream.
//
// What it answers is decided from the request itself (see `decide`), the same way for both APIs:
//   1. the conversation already carries a tool result   -> text FINAL_TEXT ("DONE-OTARI")
//   2. the request offers Claude Code's `Write` tool     -> tool call Write{file_path, content}
//   3. the request offers the `get_weather` tool         -> tool call get_weather(WEATHER_INPUT)
//   4. a structured-output request (title generation)    -> text '{"title": "..."}'
//   5. anything else                                     -> text OPENAI_TEXT / ANTHROPIC_TEXT
// A scenario can override that with `respond(req) -> answer | undefined`.
//
// Use as a module (startFakeUpstream) or standalone:
//   node fake_upstream.mjs [--log FILE] [--workdir DIR]   -> prints "PORT <n>" on stdout
import http from 'node:http';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FINAL_TEXT = 'DONE-OTARI';
export const OPENAI_TEXT = 'Hello from the fake OpenAI upstream.';
export const ANTHROPIC_TEXT = 'Hello from the fake Anthropic upstream.';
export const WRITE_FILE = 'hello.txt';
export const WRITE_CONTENT = 'hi from otari';
export const WEATHER_INPUT = { city: 'Paris', unit: 'celsius', days: [1, 2] };
export const TITLE_TEXT = '{"title": "Create hello.txt"}';

// ---------------------------------------------------------------------------------------------
// Request inspection helpers (work on both API shapes)

function blocksText(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (typeof b === 'string' ? b : b?.text ?? '')).join('\n');
}

export function hasToolResult(api, body) {
  const msgs = Array.isArray(body?.messages) ? body.messages : [];
  if (api === 'openai') return msgs.some((m) => m.role === 'tool');
  return msgs.some((m) => Array.isArray(m.content) && m.content.some((b) => b?.type === 'tool_result'));
}

export function toolNames(api, body) {
  const tools = Array.isArray(body?.tools) ? body.tools : [];
  return tools.map((t) => (api === 'openai' ? t?.function?.name ?? t?.name : t?.name)).filter(Boolean);
}

function isStructuredOutput(api, body) {
  if (api === 'openai') {
    const t = body?.response_format?.type;
    return t === 'json_schema' || t === 'json_object';
  }
  return body?.output_config?.format?.type === 'json_schema';
}

function systemText(api, body) {
  if (api === 'openai') {
    return (body?.messages ?? [])
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .map((m) => blocksText(m.content))
      .join('\n');
  }
  return blocksText(body?.system);
}

// Claude Code puts the working directory in its system prompt ("Primary working directory: /x").
function workdirFromPrompt(api, body) {
  const all = systemText(api, body) + '\n' + (body?.messages ?? []).map((m) => blocksText(m.content)).join('\n');
  const m = all.match(/working directory:\s*(\S+)/i);
  return m ? m[1] : undefined;
}

// An answer is { text?: string, tools?: [{ id, name, input }] }.
function decide(api, body, opts) {
  if (hasToolResult(api, body)) return { text: FINAL_TEXT };
  const names = toolNames(api, body);
  if (names.includes('Write')) {
    const dir = opts.workdir ?? workdirFromPrompt(api, body) ?? process.cwd();
    return {
      text: 'I will create the file.',
      tools: [{ id: 'call_write_1', name: 'Write', input: { file_path: path.join(dir, WRITE_FILE), content: WRITE_CONTENT } }],
    };
  }
  if (names.includes('get_weather')) {
    return { tools: [{ id: 'call_weather_1', name: 'get_weather', input: WEATHER_INPUT }] };
  }
  if (isStructuredOutput(api, body)) return { text: TITLE_TEXT };
  return { text: api === 'openai' ? OPENAI_TEXT : ANTHROPIC_TEXT };
}

// Split a string into a few pieces so that streams carry several deltas.
function pieces(s, n = 3) {
  if (!s) return [];
  const size = Math.max(1, Math.ceil(s.length / n));
  const out = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions rendering

let seq = 0;
const nextId = (p) => `${p}${Date.now().toString(36)}${(++seq).toString(36)}`;

function openaiUsage(body) {
  const inTok = Math.max(1, Math.ceil(JSON.stringify(body?.messages ?? []).length / 4));
  return { prompt_tokens: inTok, completion_tokens: 7, total_tokens: inTok + 7 };
}

function openaiJson(body, ans) {
  const message = { role: 'assistant', content: ans.text ?? null };
  if (ans.tools?.length) {
    message.tool_calls = ans.tools.map((t) => ({
      id: t.id, type: 'function', function: { name: t.name, arguments: JSON.stringify(t.input) },
    }));
  }
  return {
    id: nextId('chatcmpl-fake'), object: 'chat.completion', created: Math.floor(Date.now() / 1000),
    model: body?.model ?? 'fake', system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: ans.tools?.length ? 'tool_calls' : 'stop' }],
    usage: openaiUsage(body),
  };
}

function openaiChunks(body, ans) {
  const id = nextId('chatcmpl-fake');
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'chat.completion.chunk', created, model: body?.model ?? 'fake', system_fingerprint: 'fp_fake' };
  const chunk = (delta, finish = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const out = [chunk({ role: 'assistant', content: '' })];
  for (const p of pieces(ans.text)) out.push(chunk({ content: p }));
  (ans.tools ?? []).forEach((t, index) => {
    out.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }));
    for (const p of pieces(JSON.stringify(t.input), 4)) out.push(chunk({ tool_calls: [{ index, function: { arguments: p } }] }));
  });
  out.push(chunk({}, ans.tools?.length ? 'tool_calls' : 'stop'));
  if (body?.stream_options?.include_usage) out.push({ ...base, choices: [], usage: openaiUsage(body) });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages rendering

function anthropicUsage(body) {
  const inTok = Math.max(1, Math.ceil(JSON.stringify(body?.messages ?? []).length / 4));
  return { input_tokens: inTok, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 7 };
}

function anthropicContent(ans) {
  const content = [];
  if (ans.text) content.push({ type: 'text', text: ans.text });
  for (const t of ans.tools ?? []) content.push({ type: 'tool_use', id: t.id.replace(/^call_/, 'toolu_'), name: t.name, input: t.input });
  return content;
}

function anthropicJson(body, ans) {
  return {
    id: nextId('msg_fake'), type: 'message', role: 'assistant', model: body?.model ?? 'fake',
    content: anthropicContent(ans), stop_reason: ans.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null,
    usage: anthropicUsage(body),
  };
}

function anthropicEvents(body, ans) {
  const usage = anthropicUsage(body);
  const ev = [['message_start', {
    type: 'message_start',
    message: { id: nextId('msg_fake'), type: 'message', role: 'assistant', model: body?.model ?? 'fake', content: [],
      stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  }]];
  anthropicContent(ans).forEach((block, index) => {
    if (block.type === 'text') {
      ev.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      if (index === 0) ev.push(['ping', { type: 'ping' }]);
      for (const p of pieces(block.text)) ev.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } }]);
    } else {
      ev.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
      for (const p of ['', ...pieces(JSON.stringify(block.input), 4)]) {
        ev.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } }]);
      }
    }
    ev.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  ev.push(['message_delta', { type: 'message_delta', delta: { stop_reason: ans.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output_tokens } }]);
  ev.push(['message_stop', { type: 'message_stop' }]);
  return ev;
}

// ---------------------------------------------------------------------------------------------
// Server

function sendJson(res, status, obj, headers = {}) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      let buf = Buffer.concat(chunks);
      const enc = (req.headers['content-encoding'] || '').toLowerCase();
      try {
        if (enc === 'gzip') buf = zlib.gunzipSync(buf);
        else if (enc === 'deflate') buf = zlib.inflateSync(buf);
        else if (enc === 'br') buf = zlib.brotliDecompressSync(buf);
      } catch { /* keep raw */ }
      resolve(buf.toString('utf8'));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Start the fake provider.
 * opts: { logFile?, workdir?, respond?(entry) -> answer|undefined, models? }
 * Returns { port, url, requests, close() }. `requests` holds one entry per request:
 * { i, time, method, url, path, api, headers, body, raw, answer }.
 */
export async function startFakeUpstream(opts = {}) {
  const requests = [];
  const log = (entry) => {
    requests.push(entry);
    if (opts.logFile) fs.appendFileSync(opts.logFile, JSON.stringify(entry) + '\n');
  };
  const server = http.createServer(async (req, res) => {
    let raw = '';
    try { raw = await readBody(req); } catch { /* ignore */ }
    let body;
    try { body = raw ? JSON.parse(raw) : undefined; } catch { body = undefined; }
    const url = new URL(req.url, 'http://x');
    const p = url.pathname.replace(/\/+$/, '');
    const api = p.endsWith('/chat/completions') ? 'openai' : p.endsWith('/v1/messages') ? 'anthropic' : 'other';
    const entry = {
      i: requests.length, time: new Date().toISOString(), method: req.method, url: req.url, path: p, api,
      headers: req.headers, body, raw: body === undefined ? raw.slice(0, 4000) : undefined,
    };
    try {
      if (req.method === 'GET' && p.endsWith('/models')) {
        log(entry);
        const ids = opts.models ?? ['gpt-4o', 'claude-x'];
        return sendJson(res, 200, p.includes('/v1/models') && req.headers['anthropic-version']
          ? { data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' })), has_more: false, first_id: ids[0], last_id: ids.at(-1) }
          : { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) });
      }
      if (req.method !== 'POST' || api === 'other') {
        log(entry);
        return sendJson(res, 404, { error: { type: 'not_found_error', message: `fake upstream: no route ${req.method} ${p}` } });
      }
      if (body === undefined) {
        log(entry);
        return sendJson(res, 400, api === 'openai'
          ? { error: { message: 'fake upstream: body is not JSON', type: 'invalid_request_error', param: null, code: null } }
          : { type: 'error', error: { type: 'invalid_request_error', message: 'fake upstream: body is not JSON' } });
      }
      const ans = opts.respond?.(entry) ?? decide(api, body, opts);
      entry.answer = ans;
      log(entry);
      if (ans.status) { // scripted error
        return sendJson(res, ans.status, ans.error ?? { error: { message: 'scripted error' } });
      }
      const requestId = `req_fake_${entry.i}`;
      if (!body.stream) {
        return sendJson(res, 200, api === 'openai' ? openaiJson(body, ans) : anthropicJson(body, ans), { 'request-id': requestId, 'x-request-id': requestId });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': requestId, 'x-request-id': requestId });
      if (api === 'openai') {
        for (const c of openaiChunks(body, ans)) { res.write(`data: ${JSON.stringify(c)}\n\n`); await sleep(2); }
        res.write('data: [DONE]\n\n');
      } else {
        for (const [name, data] of anthropicEvents(body, ans)) { res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`); await sleep(2); }
      }
      res.end();
    } catch (err) {
      entry.error = String(err?.stack ?? err);
      if (!requests.includes(entry)) log(entry);
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake upstream crashed: ${err}` } });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

// Standalone: node fake_upstream.mjs [--log FILE] [--workdir DIR]
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const fake = await startFakeUpstream({ logFile: arg('--log'), workdir: arg('--workdir') });
  process.stdout.write(`PORT ${fake.port}\n`);
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
