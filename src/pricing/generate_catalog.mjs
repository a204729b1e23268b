#!/usr/bin/env node
// Regenerates src/pricing/catalog_data.cpp, otari's embedded price catalog, from the data
// shipped in the npm package @pydantic/genai-prices (MIT, (c) Pydantic Services Inc.).
//
// Usage (from the repository root; needs node >= 18, npm and tar, and reaches the npm registry):
//
//     node src/pricing/generate_catalog.mjs                 # the pinned version below
//     node src/pricing/generate_catalog.mjs --version 0.2.0 # another published version
//     node src/pricing/generate_catalog.mjs --tarball pydantic-genai-prices-0.1.8.tgz
//
// The package is fetched with `npm pack` into a temporary directory (never the repository),
// loaded with node, and its provider list read through the package's public API
// (`waitForUpdate()`, which resolves to the bundled data when no update source is set).
// The output is a plain C++ table: the build needs neither node nor the network.
// Review `git diff src/pricing/catalog_data.cpp` before committing an update.
//
// What is kept (see catalog_data.hpp for the row layout):
// - providers otari can reach by model id, renamed to otari's provider names (PROVIDER_NAMES);
// - per model: id, match rules (equals / starts_with / ends_with / contains / regex, and/or),
//   context window, deprecated flag, and the five token prices (input, output, cache read,
//   cache write 5 min, cache write 1 h) with long-context tiers;
// - prices become integer pico-dollars per token (USD per million tokens x 10^6), converted
//   from the decimal text, not by float multiplication;
// - dated price changes and time-of-day prices (DeepSeek's peak hours), in dataset order.
// What is dropped: models priced only per request/page/second/image (no token price),
// other price keys (audio, image, web searches), names and descriptions.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PINNED_VERSION = '0.1.8';
const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), 'catalog_data.cpp');

// genai-prices provider id -> otari provider name. Providers absent here are not embedded:
// cloud platforms whose ids are deployment names (aws, azure), Hugging Face router variants,
// subscription products (github-copilot, cursor) and embedding-only or niche APIs.
const PROVIDER_NAMES = {
    anthropic: 'anthropic',
    openai: 'openai',
    google: 'gemini',
    mistral: 'mistral',
    moonshotai: 'moonshot',
    deepseek: 'deepseek',
    groq: 'groq',
    openrouter: 'openrouter',
    together: 'together',
    'x-ai': 'xai',
    cerebras: 'cerebras',
    fireworks: 'fireworks',
    perplexity: 'perplexity',
    novita: 'novita',
    cohere: 'cohere',
    minimax: 'minimax',
    zai: 'zai',
    zhipuai: 'zhipuai',
    arcee: 'arcee',
    avian: 'avian',
    baseten: 'baseten',
};

// Models listed under a provider but not served by the API otari reaches for it:
// google's entry includes Claude on Vertex AI, which the Gemini API does not serve.
const EXCLUDED_MODELS = {
    google: (id) => id.startsWith('claude'),
};

const PRICE_KEYS = ['input_mtok', 'output_mtok', 'cache_read_mtok', 'cache_write_mtok',
    'cache_write_1h_mtok'];

function parseArgs(argv) {
    const args = { version: PINNED_VERSION, tarball: null };
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === '--version') args.version = argv[++i];
        else if (argv[i] === '--tarball') args.tarball = resolve(argv[++i]);
        else throw new Error(`unknown argument ${argv[i]} (expected --version V or --tarball FILE)`);
    }
    return args;
}

function fetchPackage(args, dir) {
    let tarball = args.tarball;
    if (!tarball) {
        execFileSync('npm', ['pack', `@pydantic/genai-prices@${args.version}`, '--pack-destination', dir],
            { stdio: ['ignore', 'ignore', 'inherit'] });
        tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
    }
    execFileSync('tar', ['xzf', tarball, '-C', dir]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8'));
    const sha256 = execFileSync('sha256sum', [tarball]).toString().split(' ')[0];
    const license = readFileSync(join(dir, 'package', 'LICENSE'), 'utf8').split('\n')
        .find((line) => line.startsWith('Copyright')) ?? 'Copyright: see the package LICENSE';
    return { pkg, sha256, license, size: statSync(tarball).size, entry: join(dir, 'package', pkg.module) };
}

// "0.075" -> 75000n: USD per million tokens to pico-dollars per token, i.e. the decimal
// shifted 6 places, rounded half up past the 6th decimal (reported: the dataset has a few
// float artifacts such as 0.18000000000000002 and 0.08333333333333334).
function picoPerToken(value, where, warnings) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`${where}: expected a non-negative price, got ${JSON.stringify(value)}`);
    }
    const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
    if (!m) throw new Error(`${where}: cannot read price ${value}`);
    let digits = m[1] + (m[2] ?? '');
    let point = m[1].length + Number(m[3] ?? 0) + 6;  // decimal point position after shifting
    if (point <= 0) {
        digits = '0'.repeat(1 - point) + digits;
        point = 1;
    }
    if (digits.length <= point) return BigInt(digits + '0'.repeat(point - digits.length));
    const rest = digits.slice(point);
    if (/[1-9]/.test(rest)) warnings.push(`${where}: ${value} $/Mtok has more than 6 decimals; rounded`);
    return BigInt(digits.slice(0, point)) + (rest[0] >= '5' ? 1n : 0n);
}

// One price key's {base, tiers} as a list of [threshold, pico] steps sorted by threshold;
// threshold 0 is the base. A plain number is a single step.
function steps(value, where, warnings) {
    if (typeof value === 'number') return [[0, picoPerToken(value, where, warnings)]];
    const out = [[0, picoPerToken(value.base, where, warnings)]];
    for (const t of [...value.tiers].sort((a, b) => a.start - b.start)) {
        if (!Number.isSafeInteger(t.start) || t.start <= 0) throw new Error(`${where}: bad tier start ${t.start}`);
        out.push([t.start, picoPerToken(t.price, `${where} tier ${t.start}`, warnings)]);
    }
    return out;
}

// A ModelPrice object -> {base: rates, tiers: [{above, rates}]} where rates has one entry per
// PRICE_KEYS item (null = not priced). Tiers switch every key at once; a key without a step
// at some threshold keeps its previous price there.
function normalizePrices(prices, where, warnings) {
    const perKey = PRICE_KEYS.map((k) => (prices[k] === undefined ? null : steps(prices[k], `${where} ${k}`, warnings)));
    const thresholds = [...new Set(perKey.flatMap((s) => (s ? s.map(([t]) => t) : [])))].sort((a, b) => a - b);
    const ratesAt = (threshold) => perKey.map((s) => {
        if (!s) return null;
        let price = s[0][1];
        for (const [t, p] of s) if (t <= threshold) price = p;
        return price;
    });
    return {
        base: ratesAt(0),
        tiers: thresholds.filter((t) => t > 0).map((t) => ({ above: t, rates: ratesAt(t) })),
    };
}

// "16:30:00Z", "01:00:00+08:00" -> seconds after midnight UTC (genai-prices' reading).
function utcSecondOfDay(text, where) {
    const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
    if (!m) throw new Error(`${where}: bad time of day ${text}`);
    const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    const offset = m[4] === 'Z' ? 0 : (m[5] === '+' ? 1 : -1) * (Number(m[6]) * 3600 + Number(m[7]) * 60);
    return (local - offset + 86400) % 86400;
}

// The dataset's price entries in dataset order (order matters: the last entry whose
// constraint holds wins). Constraints: none, a start date (YYYYMMDD) or a UTC time-of-day
// window [from, to) in seconds, which wraps past midnight when to < from.
function priceEntries(model, where, warnings) {
    const entries = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
    return entries.map((e) => {
        const c = e.constraint;
        let entry;
        if (!c) entry = { kind: 'always', startsOn: 0, from: 0, to: 0 };
        else if (c.type === 'start_date') entry = { kind: 'from_date', startsOn: Number(c.start_date.replaceAll('-', '')), from: 0, to: 0 };
        else if (c.type === 'time_of_date') {
            entry = { kind: 'time_of_day', startsOn: 0, from: utcSecondOfDay(c.start_time, where), to: utcSecondOfDay(c.end_time, where) };
        } else throw new Error(`${where}: unknown constraint ${JSON.stringify(c)}`);
        return { ...entry, ...normalizePrices(e.prices, `${where}[${entry.kind}]`, warnings) };
    });
}

function hasTokenPrice(model) {
    const entries = Array.isArray(model.prices) ? model.prices.map((e) => e.prices) : [model.prices];
    // An empty price object is a free model (e.g. OpenRouter's ":free" variants).
    return entries.some((p) => Object.keys(p).length === 0 || p.input_mtok !== undefined || p.output_mtok !== undefined);
}

// The C++ side lower-cases the model id before matching (as genai-prices does), so literal
// match texts are lower-cased here; regexes are kept as written. A rule tree is stored flat:
// an any_of/all_of node's children occupy `count` consecutive slots from `first`.
const MATCH_OPS = { equals: 'equals', starts_with: 'starts_with', ends_with: 'ends_with',
    contains: 'contains', regex: 'regex', or: 'any_of', and: 'all_of' };

function flattenMatch(match, nodes) {
    const root = nodes.length;
    nodes.push(null);
    fillMatch(match, root, nodes);
    return root;
}

function fillMatch(match, slot, nodes) {
    const entries = Object.entries(match);
    if (entries.length !== 1 || !MATCH_OPS[entries[0][0]]) throw new Error(`unknown match rule ${JSON.stringify(match)}`);
    const [[op, arg]] = entries;
    if (op === 'or' || op === 'and') {
        const first = nodes.length;
        for (let i = 0; i < arg.length; i++) nodes.push(null);
        nodes[slot] = { op: MATCH_OPS[op], text: '', first, count: arg.length };
        arg.forEach((child, i) => fillMatch(child, first + i, nodes));
    } else {
        nodes[slot] = { op: MATCH_OPS[op], text: op === 'regex' ? arg : arg.toLowerCase(), first: 0, count: 0 };
    }
}

function cString(s) {
    return JSON.stringify(s).replace(/\?\?/g, '?\\?');  // JSON escapes are valid C++; no '??' trigraphs
}

function cRates(r) {
    return `{${r.map((p) => (p === null ? '-1' : `${p}`)).join(', ')}}`;
}

function generate(providers, source) {
    const warnings = [];
    const models = [];
    const periods = [];
    const tiers = [];
    const nodes = [];
    const kept = new Map();
    for (const p of providers) {
        const name = PROVIDER_NAMES[p.id];
        if (!name) continue;
        for (const m of p.models) {
            const where = `${p.id}/${m.id}`;
            if (EXCLUDED_MODELS[p.id]?.(m.id) || !hasTokenPrice(m)) continue;
            const modelPeriods = priceEntries(m, where, warnings);
            const firstPeriod = periods.length;
            for (const period of modelPeriods) {
                periods.push({ ...period, first: tiers.length, count: period.tiers.length });
                tiers.push(...period.tiers);
            }
            const root = flattenMatch(m.match, nodes);
            models.push({
                provider: name, id: m.id.toLowerCase(), root, context: m.context_window ?? 0,
                deprecated: Boolean(m.deprecated), firstPeriod, periodCount: modelPeriods.length,
            });
            kept.set(name, (kept.get(name) ?? 0) + 1);
        }
    }
    const lines = [];
    lines.push('// GENERATED by src/pricing/generate_catalog.mjs -- do not edit; re-run the script.');
    lines.push('//');
    lines.push(`// Source: npm package ${source.pkg.name}@${source.pkg.version} (${source.pkg.homepage}),`);
    lines.push(`// tarball sha256 ${source.sha256} (${source.size} bytes).`);
    lines.push(`// License of the data: ${source.pkg.license}, ${source.license.trim()}.`);
    lines.push('// (prices are curated from the providers\' published price lists).');
    lines.push(`// Kept: ${models.length} models from ${kept.size} providers: ` +
        [...kept].map(([k, v]) => `${k} ${v}`).join(', ') + '.');
    lines.push('// clang-format off');
    lines.push('#include "pricing/catalog_data.hpp"');
    lines.push('');
    lines.push('namespace otari::pricing::data {');
    lines.push('namespace {');
    lines.push('');
    lines.push('constexpr MatchNode k_match_nodes[] = {');
    for (const n of nodes) lines.push(`    {MatchOp::${n.op}, ${cString(n.text)}, ${n.first}, ${n.count}},`);
    lines.push('};');
    lines.push('');
    lines.push('constexpr TierRow k_tiers[] = {');
    for (const t of tiers) lines.push(`    {${t.above}, ${cRates(t.rates)}},`);
    if (tiers.length === 0) lines.push('    {0, {-1, -1, -1, -1, -1}},');
    lines.push('};');
    lines.push('');
    lines.push('constexpr PeriodRow k_periods[] = {');
    for (const p of periods) {
        lines.push(`    {PriceWhen::${p.kind}, ${p.startsOn}, ${p.from}, ${p.to}, ${cRates(p.base)}, ${p.first}, ${p.count}},`);
    }
    lines.push('};');
    lines.push('');
    lines.push('constexpr ModelRow k_models[] = {');
    for (const m of models) {
        lines.push(`    {${cString(m.provider)}, ${cString(m.id)}, ${m.root}, ${m.context}, ${m.firstPeriod}, ` +
            `${m.periodCount}, ${m.deprecated}},`);
    }
    lines.push('};');
    lines.push('');
    lines.push('}  // namespace');
    lines.push('');
    lines.push(`const char* const k_source = ${cString(`${source.pkg.name}@${source.pkg.version} (${source.pkg.license}, Pydantic Services Inc.)`)};`);
    lines.push('std::span<const MatchNode> match_nodes() { return k_match_nodes; }');
    lines.push(`std::span<const TierRow> tiers() { return {k_tiers, ${tiers.length}}; }`);
    lines.push('std::span<const PeriodRow> periods() { return k_periods; }');
    lines.push('std::span<const ModelRow> models() { return k_models; }');
    lines.push('');
    lines.push('}  // namespace otari::pricing::data');
    return { text: lines.join('\n') + '\n', warnings, modelCount: models.length };
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const dir = mkdtempSync(join(tmpdir(), 'otari-genai-prices-'));
    try {
        const source = fetchPackage(args, dir);
        const lib = await import(pathToFileURL(source.entry).href);
        const providers = await lib.waitForUpdate();
        if (!Array.isArray(providers) || providers.length === 0) throw new Error('the package yielded no providers');
        const { text, warnings, modelCount } = generate(providers, source);
        for (const w of warnings) console.error(`note: ${w}`);
        writeFileSync(OUTPUT, text);
        console.error(`wrote ${OUTPUT}: ${modelCount} models, ${text.length} bytes, ` +
            `from ${source.pkg.name}@${source.pkg.version}`);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

await main();
