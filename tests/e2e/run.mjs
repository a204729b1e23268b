// End-to-end tests of otari with real clients: the Claude Code CLI, @anthropic-ai/sdk and openai.
//
//   node run.mjs /path/to/otari [--only a,b,c,...]      (or OTARI_BINARY=/path/to/otari node run.mjs)
//
// Each scenario starts a fake provider (fake_upstream.mjs), writes a temporary config, creates a key
// with `otari keys create`, starts `otari up` on a free loopback port, waits for GET /health, runs
// the client and checks the result, then tears everything down (always). Prints one line per check,
// `ok - ...` / `not ok - ...`, and ends with `N passed, N failed`; exits 1 on any failure.
// E2E_KEEP=1 keeps the temporary directories; E2E_VERBOSE=1 prints the clients' output.
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  startFakeUpstream, FINAL_TEXT, OPENAI_TEXT, ANTHROPIC_TEXT, WRITE_FILE, WRITE_CONTENT, WEATHER_INPUT,
  hasToolResult, toolNames,
} from './fake_upstream.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const execFileP = promisify(execFile);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const VERBOSE = process.env.E2E_VERBOSE === '1';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
let only = null;
let otariArg;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only = new Set(args[++i].split(',').map((s) => s.trim()).filter(Boolean));
  else if (args[i].startsWith('--only=')) only = new Set(args[i].slice(7).split(','));
  else otariArg = args[i];
}
const OTARI = path.resolve(otariArg || process.env.OTARI_BINARY || '');
if (!otariArg && !process.env.OTARI_BINARY) {
  console.error('usage: node run.mjs /path/to/otari [--only a,b,c]   (or set OTARI_BINARY)');
  process.exit(2);
}
if (!fs.existsSync(OTARI)) {
  console.error(`otari binary not found: ${OTARI}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Reporting

let passed = 0;
let failed = 0;

function report(ok, name, detail) {
  if (ok) { passed++; console.log(`ok - ${name}`); return; }
  failed++;
  console.log(`not ok - ${name}`);
  if (detail) for (const line of String(detail).split('\n')) console.log(`#   ${line}`);
}

async function check(name, fn) {
  try {
    await fn();
    report(true, name);
    return true;
  } catch (err) {
    // Assertion failures: the message says it all; anything else: the stack too.
    report(false, name, err instanceof assert.AssertionError ? err.message : (err?.stack ?? err));
    return false;
  }
}

function diag(title, text) {
  console.log(`# --- ${title} ---`);
  for (const line of String(text ?? '').split('\n')) console.log(`#   ${line}`);
}

const tail = (s, n = 6000) => (s.length > n ? '...' + s.slice(-n) : s);

// ---------------------------------------------------------------------------------------------
// Processes and teardown

// Every scenario runs inside withTeardown: cleanups run in reverse order however the body ends.
async function withTeardown(fn) {
  const cleanups = [];
  const defer = (f) => cleanups.push(f);
  try {
    return await fn(defer);
  } finally {
    for (const f of cleanups.reverse()) {
      try { await f(); } catch (err) { console.log(`# teardown error: ${err}`); }
    }
  }
}

function tmpDir(defer, label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `otari-e2e-${label}-`));
  defer(() => {
    if (process.env.E2E_KEEP === '1') console.log(`# kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Stop a child we started: SIGTERM to it (or to its process group when detached), then SIGKILL.
async function stopChild(child, { group = false, graceMs = 5000 } = {}) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const signal = (sig) => {
    try { group ? process.kill(-child.pid, sig) : child.kill(sig); } catch { /* already gone */ }
  };
  signal('SIGTERM');
  const t = await Promise.race([exited.then(() => 'exit'), sleep(graceMs).then(() => 'timeout')]);
  if (t === 'timeout') { signal('SIGKILL'); await Promise.race([exited, sleep(2000)]); }
}

function tomlStr(s) { return JSON.stringify(String(s)); }

// Write a config with the given providers and aliases, create a key, start `otari up`, wait for
// /health. Returns { url, token, dir, config, log() }.
// With `platform` ({ url, gatewayToken, userToken }) the gateway runs in hybrid mode: no key is
// created, the client uses the platform's user token.
async function startGateway(defer, { label, providers, aliases = {}, platform = null }) {
  const dir = tmpDir(defer, label);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  let cfg = `data_dir = ${tomlStr(dataDir)}\n`;
  for (const [name, p] of Object.entries(providers)) {
    cfg += `\n[providers.${name}]\n`;
    for (const [k, v] of Object.entries(p)) {
      cfg += `${k} = ${Array.isArray(v) ? '[' + v.map(tomlStr).join(', ') + ']' : tomlStr(v)}\n`;
    }
  }
  if (Object.keys(aliases).length) {
    cfg += '\n[aliases]\n';
    for (const [k, v] of Object.entries(aliases)) cfg += `${tomlStr(k)} = ${tomlStr(v)}\n`;
  }
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(config, cfg);

  // Keep otari away from the user's own config and home.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  let token;
  if (platform) {
    env.OTARI_AI_TOKEN = platform.gatewayToken;
    env.OTARI_PLATFORM_URL = platform.url;
    token = platform.userToken;
  } else {
    const keyOut = await execFileP(OTARI, ['keys', 'create', 'e2e', '--allow-user-mismatch', '--config', config], { env, timeout: 60000 })
      .catch((err) => { throw new Error(`otari keys create failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`); });
    token = keyOut.stdout.trim().split('\n').at(-1).trim();
    if (!/^tk_\S+$/.test(token)) throw new Error(`otari keys create printed no token; stdout:\n${keyOut.stdout}`);
  }

  // `up --port 0` would work too, but then the port has to be parsed from the banner; a free port
  // found by binding 0 keeps the contract to --port and /health. Retry if someone grabs it first.
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let output = '';
    const child = spawn(OTARI, ['up', '--config', config, '--port', String(port), '--grace', '1', '--log-level', 'debug'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const exited = new Promise((r) => child.once('exit', (code, sig) => r(`exited with ${code ?? sig}`)));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30000;
    let healthy = false;
    while (Date.now() < deadline) {
      const res = await Promise.race([
        fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status).catch(() => 0),
        exited,
      ]);
      if (typeof res === 'string') { lastErr = new Error(`otari up ${res} before /health answered:\n${tail(output)}`); break; }
      if (res === 200) { healthy = true; break; }
      await sleep(100);
    }
    if (healthy) {
      defer(() => stopChild(child, { graceMs: 8000 }));
      const gw = { url, token, dir, config, log: () => output };
      return gw;
    }
    await stopChild(child);
    lastErr ??= new Error(`otari up did not answer GET /health within 30 s:\n${tail(output)}`);
    if (!/address already in use|EADDRINUSE|bind/i.test(String(lastErr.message))) break;
  }
  throw lastErr;
}

async function scenario(id, title, fn) {
  if (only && !only.has(id)) return;
  console.log(`# scenario ${id}: ${title}`);
  const ctx = { gateway: null, fake: null };
  try {
    await withTeardown((defer) => fn(defer, ctx));
  } catch (err) {
    report(false, `${id}: scenario setup/run`, err?.stack ?? err);
    if (ctx.gateway) diag('otari log', tail(ctx.gateway.log()));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for assertions on what the fake upstream saw

const upstreamCalls = (fake, api) => fake.requests.filter((r) => r.api === api && r.method === 'POST');

function summarize(fake) {
  return fake.requests.map((r) => {
    const b = r.body ?? {};
    const roles = Array.isArray(b.messages) ? b.messages.map((m) => m.role).join(',') : '';
    return `${r.method} ${r.url} model=${b.model ?? '-'} stream=${!!b.stream} tools=${toolNames(r.api, b).length} ` +
      `messages=[${roles}] toolResult=${hasToolResult(r.api, b)} answer=${JSON.stringify(r.answer ?? null).slice(0, 120)}`;
  }).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Claude Code

function claudeCommand() {
  const bin = path.join(HERE, 'node_modules', '.bin', 'claude');
  const pkgDir = path.join(HERE, 'node_modules', '@anthropic-ai', 'claude-code');
  // The package's bin is a small placeholder until its postinstall copies the native binary in
  // (npm may skip install scripts); cli-wrapper.cjs finds the native package on its own.
  let st;
  try { st = fs.statSync(fs.realpathSync(bin)); } catch { st = null; }
  if (st && st.size > 1024 * 1024) return { cmd: bin, pre: [] };
  const wrapper = path.join(pkgDir, 'cli-wrapper.cjs');
  if (fs.existsSync(wrapper)) return { cmd: process.execPath, pre: [wrapper] };
  throw new Error(`Claude Code is not installed under ${HERE}/node_modules (run npm ci there)`);
}

function runProcess(cmd, argv, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; stopChild(child, { group: true, graceMs: 3000 }); }, timeoutMs);
    child.once('error', (err) => { stderr += `\nspawn error: ${err}`; });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // Leftover helpers in its process group (if any) go too.
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none */ }
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

async function runClaude(defer, { gateway, model, haiku, prompt, label }) {
  const home = tmpDir(defer, `${label}-home`);
  const work = tmpDir(defer, `${label}-work`);
  const { cmd, pre } = claudeCommand();
  // A clean environment: nothing from the caller's Anthropic/OpenAI settings or proxies leaks in.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    USER: process.env.USER ?? 'e2e',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: work,
    ANTHROPIC_BASE_URL: gateway.url,
    ANTHROPIC_AUTH_TOKEN: gateway.token,
    ANTHROPIC_MODEL: model,
    ANTHROPIC_DEFAULT_SONNET_MODEL: model,
    ANTHROPIC_DEFAULT_OPUS_MODEL: model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: haiku,
    CLAUDE_CODE_SUBAGENT_MODEL: model,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_MAX_RETRIES: '2',
    API_TIMEOUT_MS: '60000',
    // --dangerously-skip-permissions refuses to run as root outside a sandbox; this is one.
    IS_SANDBOX: '1',
  };
  const argv = [...pre, '-p', prompt, '--dangerously-skip-permissions', '--output-format', 'json'];
  const t0 = Date.now();
  const res = await runProcess(cmd, argv, { cwd: work, env, timeoutMs: 120000 });
  res.seconds = ((Date.now() - t0) / 1000).toFixed(1);
  res.work = work;
  try { res.json = JSON.parse(res.stdout.trim().split('\n').at(-1)); } catch { res.json = null; }
  if (VERBOSE) { diag('claude stdout', res.stdout); diag('claude stderr', res.stderr); }
  return res;
}

function claudeDiag(res, gateway, fake) {
  diag(`claude exit=${res.code} signal=${res.signal} timedOut=${res.timedOut} after ${res.seconds}s; stdout`, tail(res.stdout));
  diag('claude stderr', tail(res.stderr));
  diag('fake upstream requests', summarize(fake));
  diag('otari log', tail(gateway.log()));
}

// Shared checks of a Claude Code run that wrote hello.txt and finished with FINAL_TEXT.
async function claudeChecks(id, res, gateway, fake, api) {
  const results = [];
  results.push(await check(`${id}: claude exits 0`, () => {
    assert.equal(res.timedOut, false, 'claude timed out (120 s)');
    assert.equal(res.code, 0, `exit code ${res.code}`);
  }));
  results.push(await check(`${id}: claude wrote ${WRITE_FILE} with the tool call's content`, () => {
    const p = path.join(res.work, WRITE_FILE);
    assert.ok(fs.existsSync(p), `${p} does not exist`);
    assert.equal(fs.readFileSync(p, 'utf8'), WRITE_CONTENT);
  }));
  results.push(await check(`${id}: claude prints the final text ${FINAL_TEXT}`, () => {
    assert.ok(res.stdout.includes(FINAL_TEXT), 'stdout lacks the final text');
    if (res.json) {
      assert.equal(res.json.is_error, false, `is_error: ${JSON.stringify(res.json)}`);
      assert.ok(String(res.json.result).includes(FINAL_TEXT), `result: ${res.json.result}`);
    }
  }));
  const calls = upstreamCalls(fake, api);
  results.push(await check(`${id}: upstream saw a tool-use turn, then the tool_result turn`, () => {
    const first = calls.findIndex((r) => toolNames(api, r.body).includes('Write') && !hasToolResult(api, r.body));
    assert.ok(first >= 0, 'no request offering the Write tool');
    const withResult = calls.slice(first + 1).filter((r) => hasToolResult(api, r.body));
    assert.ok(withResult.length >= 1, 'no later request carries the tool result');
    const body = withResult[0].body;
    if (api === 'openai') {
      // An OpenAI upstream rejects a tool message whose id does not answer a preceding tool call.
      const msgs = body.messages;
      const ti = msgs.findIndex((m) => m.role === 'tool');
      const asst = msgs.slice(0, ti).reverse().find((m) => m.role === 'assistant');
      assert.ok(asst?.tool_calls?.length, 'no assistant message with tool_calls before the tool message');
      assert.equal(asst.tool_calls[0].function.name, 'Write');
      assert.deepEqual(JSON.parse(asst.tool_calls[0].function.arguments),
        { file_path: path.join(res.work, WRITE_FILE), content: WRITE_CONTENT });
      assert.ok(asst.tool_calls.some((c) => c.id === msgs[ti].tool_call_id), `tool_call_id ${msgs[ti].tool_call_id} matches no tool call`);
      const content = typeof msgs[ti].content === 'string' ? msgs[ti].content : JSON.stringify(msgs[ti].content);
      assert.ok(content.length > 0, 'empty tool result');
    } else {
      const block = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).find((b) => b.type === 'tool_result');
      assert.ok(block.tool_use_id, 'tool_result without tool_use_id');
    }
  }));
  return results.every(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

// f: the fake upstream itself, straight from the SDKs (no otari): if this fails, the fake is wrong,
// not otari.
await scenario('f', 'self-check: SDKs straight to the fake upstream (no otari)', async (defer, ctx) => {
  const fake = ctx.fake = await startFakeUpstream({});
  defer(() => fake.close());
  const ant = new Anthropic({ baseURL: fake.url, apiKey: 'sk-ant-fake', maxRetries: 0, timeout: 10000 });
  const oai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-fake', maxRetries: 0, timeout: 10000 });
  const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
  await check('f: fake Anthropic stream with tool_use parses in @anthropic-ai/sdk', async () => {
    const msg = await ant.messages.stream({ model: 'x', max_tokens: 10, tools, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.deepEqual(msg.content.find((b) => b.type === 'tool_use')?.input, WEATHER_INPUT);
    const text = await ant.messages.create({ model: 'x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(text.content[0].text, ANTHROPIC_TEXT);
  });
  await check('f: fake OpenAI stream with tool call parses in openai', async () => {
    const runner = oai.chat.completions.stream({
      model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const done = await runner.finalChatCompletion();
    assert.deepEqual(JSON.parse(done.choices[0].message.tool_calls[0].function.arguments), WEATHER_INPUT);
    assert.equal(done.choices[0].finish_reason, 'tool_calls');
    const text = await oai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(text.choices[0].message.content, OPENAI_TEXT);
  });
});

// a0: the real CLI through otari's native Anthropic path (no translation).
await scenario('a0', 'Claude Code CLI -> otari -> fake Anthropic upstream (native passthrough)', async (defer, ctx) => {
  const fake = ctx.fake = await startFakeUpstream({});
  defer(() => fake.close());
  const gateway = ctx.gateway = await startGateway(defer, {
    label: 'a0',
    providers: { fakeant: { type: 'anthropic', base_url: fake.url, api_key: 'sk-ant-fake' } },
    aliases: { 'claude-sonnet-4-6': 'fakeant:claude-x', 'claude-haiku-4-5': 'fakeant:claude-x-haiku' },
  });
  const res = await runClaude(defer, { gateway, model: 'claude-sonnet-4-6', haiku: 'claude-haiku-4-5', prompt: `create ${WRITE_FILE}`, label: 'a0' });
  let ok = await claudeChecks('a0', res, gateway, fake, 'anthropic');
  ok = (await check('a0: the alias reached the upstream as the provider model', () => {
    const models = new Set(upstreamCalls(fake, 'anthropic').map((r) => r.body.model));
    assert.ok(models.has('claude-x'), `models seen upstream: ${[...models]}`);
  })) && ok;
  if (!ok || VERBOSE) claudeDiag(res, gateway, fake);
});

// a / a2: the real CLI through the translated path: Anthropic in, OpenAI chat completions out.
// a uses Claude-looking aliases (the CLI sends a recognised model's body: thinking with a budget);
// a2 uses the raw "provider:model" id (an unrecognised id: adaptive thinking, output_config.effort,
// context_management and a role:"system" entry inside messages).
// outputCap: the fake refuses a larger max_tokens the way OpenAI does for gpt-4o (16384), and
// otari must lower it and retry, unseen by the CLI, which asks every model for 32000.
async function claudeTranslated(id, defer, ctx, { model, haiku, outputCap }) {
  const refuse = (entry) => {
    const asked = entry.body?.max_completion_tokens ?? entry.body?.max_tokens;
    if (!outputCap || !(asked > outputCap)) return undefined;
    return {
      status: 400,
      error: { error: { message: `max_tokens is too large: ${asked}. This model supports at most ${outputCap} completion tokens, whereas you provided ${asked}.`, type: 'invalid_request_error', param: 'max_tokens', code: null } },
    };
  };
  const fake = ctx.fake = await startFakeUpstream({ respond: refuse });
  defer(() => fake.close());
  const gateway = ctx.gateway = await startGateway(defer, {
    label: id,
    providers: { fakeai: { type: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-fake', models: ['gpt-4o'] } },
    aliases: { 'claude-sonnet-4-6': 'fakeai:gpt-4o', 'claude-haiku-4-5': 'fakeai:gpt-4o' },
  });
  const res = await runClaude(defer, { gateway, model, haiku, prompt: `create ${WRITE_FILE}`, label: id });
  let ok = await claudeChecks(id, res, gateway, fake, 'openai');
  ok = (await check(`${id}: every upstream call is a chat completion for gpt-4o with the upstream key`, () => {
    const posts = fake.requests.filter((r) => r.method === 'POST');
    assert.ok(posts.length >= 2, `upstream POSTs: ${posts.length}`);
    for (const r of posts) {
      assert.equal(r.api, 'openai', `${r.method} ${r.url}`);
      assert.equal(r.body.model, 'gpt-4o');
      assert.equal(r.headers.authorization, 'Bearer sk-fake');
    }
  })) && ok;
  if (outputCap) {
    ok = (await check(`${id}: max_tokens above the model's ${outputCap} is refused once, then lowered before sending`, () => {
      const posts = fake.requests.filter((r) => r.method === 'POST');
      const refused = posts.filter((r) => r.answer?.status === 400);
      // The CLI's first calls (its title call and the main one) may race to the first refusal.
      assert.ok(refused.length >= 1 && refused.length <= 2, `refused: ${refused.length} of ${posts.length}`);
      const firstAnswered = posts.findIndex((r) => !r.answer?.status);
      for (const r of posts.slice(firstAnswered + 1)) {
        const asked = r.body.max_completion_tokens ?? r.body.max_tokens;
        assert.ok(asked <= outputCap, `request ${r.i} asked for ${asked}`);
      }
    })) && ok;
  }
  if (!ok || VERBOSE) claudeDiag(res, gateway, fake);
}

await scenario('a', 'Claude Code CLI -> otari -> fake OpenAI upstream (translated, aliases)', (defer, ctx) =>
  claudeTranslated('a', defer, ctx, { model: 'claude-sonnet-4-6', haiku: 'claude-haiku-4-5' }));

await scenario('a2', 'Claude Code CLI -> otari -> fake OpenAI upstream (translated, raw provider:model id, gpt-4o output cap)', (defer, ctx) =>
  claudeTranslated('a2', defer, ctx, { model: 'fakeai:gpt-4o', haiku: 'fakeai:gpt-4o', outputCap: 16384 }));

// b: @anthropic-ai/sdk through otari, to the OpenAI upstream (translated) and the Anthropic one (native).
await scenario('b', '@anthropic-ai/sdk -> otari -> fake OpenAI and Anthropic upstreams', async (defer, ctx) => {
  const fake = ctx.fake = await startFakeUpstream({});
  defer(() => fake.close());
  const gateway = ctx.gateway = await startGateway(defer, {
    label: 'b',
    providers: {
      fakeai: { type: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-fake', models: ['gpt-4o'] },
      fakeant: { type: 'anthropic', base_url: fake.url, api_key: 'sk-ant-fake' },
    },
    aliases: { 'claude-sonnet-4-6': 'fakeai:gpt-4o' },
  });
  const client = new Anthropic({ baseURL: gateway.url, apiKey: gateway.token, maxRetries: 0, timeout: 60000 });
  const tools = [{
    name: 'get_weather',
    description: 'Get the weather forecast for a city',
    input_schema: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'array', items: { type: 'integer' } },
      },
      required: ['city'],
    },
  }];
  const weatherAsk = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const hello = [{ role: 'user', content: 'Say hello.' }];

  for (const [tag, model, api, text] of [
    ['translated', 'fakeai:gpt-4o', 'openai', OPENAI_TEXT],
    ['native', 'fakeant:claude-x', 'anthropic', ANTHROPIC_TEXT],
  ]) {
    await check(`b: ${tag} (${model}): messages.stream with tools -> finalMessage has the tool_use`, async () => {
      const before = fake.requests.length;
      const events = [];
      const stream = client.messages.stream({ model, max_tokens: 256, tools, messages: weatherAsk });
      stream.on('streamEvent', (e) => events.push(e.type));
      const msg = await stream.finalMessage();
      assert.equal(msg.role, 'assistant');
      assert.equal(msg.stop_reason, 'tool_use', JSON.stringify(msg));
      const tu = msg.content.find((b) => b.type === 'tool_use');
      assert.ok(tu, `no tool_use block: ${JSON.stringify(msg.content)}`);
      assert.equal(tu.name, 'get_weather');
      assert.ok(tu.id, 'tool_use without id');
      assert.deepEqual(tu.input, WEATHER_INPUT);
      assert.ok(events.includes('message_start') && events.includes('message_stop'), `events: ${events}`);
      const sent = fake.requests.slice(before).filter((r) => r.api === api);
      assert.equal(sent.length, 1, `upstream ${api} calls: ${sent.length}\n${summarize(fake)}`);
      assert.equal(sent[0].body.stream, true);
      assert.ok(toolNames(api, sent[0].body).includes('get_weather'));
    });
    await check(`b: ${tag} (${model}): messages.create returns the text answer`, async () => {
      const msg = await client.messages.create({ model, max_tokens: 64, messages: hello });
      assert.equal(msg.type, 'message');
      assert.equal(msg.stop_reason, 'end_turn');
      assert.equal(msg.content.filter((b) => b.type === 'text').map((b) => b.text).join(''), text);
      assert.ok(msg.usage.output_tokens > 0 && msg.usage.input_tokens > 0, JSON.stringify(msg.usage));
    });
    await check(`b: ${tag} (${model}): messages.stream text deltas add up to the answer`, async () => {
      let streamed = '';
      const stream = client.messages.stream({ model, max_tokens: 64, messages: hello });
      stream.on('text', (t) => { streamed += t; });
      const msg = await stream.finalMessage();
      assert.equal(streamed, text);
      assert.equal(msg.content[0].text, text);
    });
  }
  await check('b: tool_result round trip through the translated path', async () => {
    const before = fake.requests.length;
    const msg = await client.messages.create({
      model: 'claude-sonnet-4-6', max_tokens: 64, tools,
      messages: [
        ...weatherAsk,
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_e2e_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_e2e_1', content: 'sunny, 21 C' }] },
      ],
    });
    assert.equal(msg.content[0].text, FINAL_TEXT);
    const sent = fake.requests.slice(before).find((r) => r.api === 'openai');
    assert.ok(sent, 'alias claude-sonnet-4-6 did not reach the OpenAI upstream');
    assert.equal(sent.body.model, 'gpt-4o');
    const tool = sent.body.messages.find((m) => m.role === 'tool');
    assert.ok(tool, 'no role:tool message upstream');
    assert.ok(JSON.stringify(tool.content).includes('sunny, 21 C'));
  });
  await check('b: messages.countTokens returns a positive count (not sent upstream)', async () => {
    const before = fake.requests.length;
    const r = await client.messages.countTokens({ model: 'claude-sonnet-4-6', tools, messages: weatherAsk });
    assert.ok(Number.isInteger(r.input_tokens) && r.input_tokens > 0, JSON.stringify(r));
    assert.equal(fake.requests.length, before, 'count_tokens reached the upstream');
  });
  await check('b: models.list returns ids', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.length > 0, 'no models');
  });
  await check('b: unknown model -> NotFoundError (404)', async () => {
    await assert.rejects(client.messages.create({ model: 'no-such-model-e2e', max_tokens: 16, messages: hello }),
      (err) => {
        assert.ok(err instanceof Anthropic.APIError, String(err));
        assert.equal(err.status, 404, String(err));
        assert.equal(err.error?.error?.type, 'not_found_error', JSON.stringify(err.error));
        return true;
      });
  });
  await check('b: bad key -> AuthenticationError (401)', async () => {
    const bad = new Anthropic({ baseURL: gateway.url, apiKey: 'tk_not_a_real_key', maxRetries: 0 });
    await assert.rejects(bad.messages.create({ model: 'fakeant:claude-x', max_tokens: 16, messages: hello }),
      (err) => { assert.equal(err.status, 401, String(err)); return true; });
  });
});

// c: the official openai package against /v1/chat/completions, to the Anthropic upstream (translated)
// and the OpenAI one.
await scenario('c', 'openai -> otari /v1/chat/completions -> fake Anthropic and OpenAI upstreams', async (defer, ctx) => {
  const fake = ctx.fake = await startFakeUpstream({});
  defer(() => fake.close());
  const gateway = ctx.gateway = await startGateway(defer, {
    label: 'c',
    providers: {
      fakeai: { type: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-fake', models: ['gpt-4o'] },
      fakeant: { type: 'anthropic', base_url: fake.url, api_key: 'sk-ant-fake' },
    },
  });
  const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.token, maxRetries: 0, timeout: 60000 });
  const hello = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello.' }];

  for (const [tag, model, api, text] of [
    ['to anthropic', 'fakeant:claude-x', 'anthropic', ANTHROPIC_TEXT],
    ['to openai', 'fakeai:gpt-4o', 'openai', OPENAI_TEXT],
  ]) {
    await check(`c: ${tag} (${model}): streamed chat completion text`, async () => {
      const before = fake.requests.length;
      const stream = await client.chat.completions.create({ model, messages: hello, stream: true, stream_options: { include_usage: true } });
      let streamed = '';
      let finish = null;
      let usage = null;
      for await (const chunk of stream) {
        for (const ch of chunk.choices ?? []) {
          streamed += ch.delta?.content ?? '';
          finish = ch.finish_reason ?? finish;
        }
        if (chunk.usage) usage = chunk.usage;
      }
      assert.equal(streamed, text);
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.completion_tokens > 0, `usage: ${JSON.stringify(usage)}`);
      const sent = fake.requests.slice(before).filter((r) => r.api === api);
      assert.equal(sent.length, 1, summarize(fake));
      if (api === 'anthropic') {
        assert.equal(sent[0].body.model, 'claude-x');
        assert.equal(sent[0].headers['x-api-key'], 'sk-ant-fake');
        assert.ok(JSON.stringify(sent[0].body.system ?? '').includes('Be brief.'), 'system prompt not moved to `system`');
      }
    });
    await check(`c: ${tag} (${model}): non-streaming chat completion`, async () => {
      const r = await client.chat.completions.create({ model, messages: hello });
      assert.equal(r.object, 'chat.completion');
      assert.equal(r.choices[0].message.role, 'assistant');
      assert.equal(r.choices[0].message.content, text);
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0, JSON.stringify(r.usage));
    });
    await check(`c: ${tag} (${model}): streamed tool call`, async () => {
      const stream = await client.chat.completions.create({
        model, stream: true,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      });
      const calls = {};
      let finish = null;
      for await (const chunk of stream) {
        for (const ch of chunk.choices ?? []) {
          for (const tc of ch.delta?.tool_calls ?? []) {
            const c = (calls[tc.index] ??= { id: '', name: '', args: '' });
            if (tc.id) c.id = tc.id;
            if (tc.function?.name) c.name += tc.function.name;
            if (tc.function?.arguments) c.args += tc.function.arguments;
          }
          finish = ch.finish_reason ?? finish;
        }
      }
      const list = Object.values(calls);
      assert.equal(list.length, 1, JSON.stringify(calls));
      assert.equal(list[0].name, 'get_weather');
      assert.ok(list[0].id, 'tool call without id');
      assert.deepEqual(JSON.parse(list[0].args), WEATHER_INPUT);
      assert.equal(finish, 'tool_calls');
    });
  }
  await check('c: unknown model -> APIError with status 404', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model-e2e', messages: hello }),
      (err) => {
        assert.ok(err instanceof OpenAI.APIError, `not an APIError: ${err}`);
        assert.equal(err.status, 404, String(err));
        assert.equal(err.code, 'model_not_found', `error code: ${err.code}; ${err.message}`);
        return true;
      });
  });
  await check('c: bad key -> AuthenticationError (401)', async () => {
    const bad = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'tk_not_a_real_key', maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'fakeai:gpt-4o', messages: hello }),
      (err) => { assert.ok(err instanceof OpenAI.AuthenticationError, String(err)); return true; });
  });
});

// h: hybrid mode. A fake platform authorizes each call and lists two attempts: a provider that
// refuses to connect, then the fake OpenAI upstream. Claude Code must finish its tool loop
// through the second one, and the platform must get a usage report for every attempt.
async function startFakePlatform({ gatewayToken, userToken, attempts }) {
  const resolves = [];
  const reports = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const send = (status, obj) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (req.headers['x-gateway-token'] !== gatewayToken) return send(401, { detail: 'bad gateway token' });
      if (req.method === 'POST' && req.url === '/api/v1/gateway/provider-keys/resolve') {
        resolves.push({ headers: req.headers, body: JSON.parse(body) });
        if (req.headers['x-user-token'] !== userToken) return send(401, { detail: 'Invalid user token' });
        const n = resolves.length;
        return send(200, {
          request_id: `preq_${n}`, fallback_enabled: true, user_id: 'e2e-user',
          attempts: attempts.map((a, i) => ({ ...a, attempt_id: `att_${n}_${i}`, position: i, managed: false })),
        });
      }
      if (req.method === 'POST' && req.url === '/api/v1/gateway/usage') {
        reports.push(JSON.parse(body));
        return send(202, { status: 'accepted' });
      }
      return send(404, { detail: 'not found' });
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/api/v1`, resolves, reports, close: () => new Promise((r) => server.close(r)) };
}

await scenario('h', 'Claude Code CLI -> otari (hybrid mode) -> fake platform + fake OpenAI upstream, with failover', async (defer, ctx) => {
  const fake = ctx.fake = await startFakeUpstream({});
  defer(() => fake.close());
  const deadPort = await freePort();
  const platform = await startFakePlatform({
    gatewayToken: 'gw_e2e_gateway', userToken: 'tk_e2e_user',
    attempts: [
      { provider: 'openai', model: 'gpt-4o', api_key: 'sk-dead', api_base: `http://127.0.0.1:${deadPort}/v1` },
      { provider: 'openai', model: 'gpt-4o', api_key: 'sk-platform', api_base: `${fake.url}/v1` },
    ],
  });
  defer(() => platform.close());
  const gateway = ctx.gateway = await startGateway(defer, {
    label: 'h', providers: {},
    platform: { url: platform.url, gatewayToken: 'gw_e2e_gateway', userToken: 'tk_e2e_user' },
  });
  const res = await runClaude(defer, { gateway, model: 'claude-sonnet-4-6', haiku: 'claude-haiku-4-5', prompt: `create ${WRITE_FILE}`, label: 'h' });
  let ok = await claudeChecks('h', res, gateway, fake, 'openai');
  ok = (await check('h: the platform authorized every call with the caller\'s token', () => {
    assert.ok(platform.resolves.length >= 2, `resolves: ${platform.resolves.length}`);
    for (const r of platform.resolves) {
      assert.equal(r.headers['x-user-token'], 'tk_e2e_user');
      assert.ok(typeof r.body.model === 'string' && r.body.model.length > 0, JSON.stringify(r.body));
    }
  })) && ok;
  ok = (await check('h: the provider got the platform\'s key, never the user\'s token', () => {
    const posts = fake.requests.filter((r) => r.method === 'POST');
    assert.ok(posts.length >= 2, `upstream POSTs: ${posts.length}`);
    for (const r of posts) assert.equal(r.headers.authorization, 'Bearer sk-platform');
  })) && ok;
  ok = (await check('h: every attempt was reported: the dead one as a non-final error, the served one as final success', async () => {
    const deadline = Date.now() + 10000;
    while (platform.reports.length < 2 * platform.resolves.length && Date.now() < deadline) await sleep(100);
    assert.equal(platform.reports.length, 2 * platform.resolves.length, JSON.stringify(platform.reports));
    for (const r of platform.reports) {
      if (r.correlation_id.endsWith('_0')) {
        assert.equal(r.status, 'error');
        assert.equal(r.is_final_attempt, false);
        assert.equal(r.error_class, 'conn_err');
      } else {
        assert.equal(r.status, 'success', JSON.stringify(r));
        assert.equal(r.is_final_attempt, true);
        assert.ok(r.usage && r.usage.completion_tokens >= 0, JSON.stringify(r));
      }
    }
  })) && ok;
  ok = (await check('h: the local ledger records the calls with the platform\'s request ids', () => {
    const lines = fs.readFileSync(path.join(gateway.dir, 'data', 'ledger.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const posts = lines.filter((l) => l.endpoint === '/v1/messages' && l.status === 'ok');
    assert.ok(posts.length >= 2, `ledger lines: ${lines.length}`);
    for (const l of posts) assert.match(String(l.platform_request_id), /^preq_\d+$/);
  })) && ok;
  if (!ok || VERBOSE) { claudeDiag(res, gateway, fake); diag('platform reports', JSON.stringify(platform.reports, null, 1)); }
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
