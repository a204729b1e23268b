#!/usr/bin/env python3
"""Writes the bench request bodies next to this script (deterministic; the output is committed).

  small.messages.json  ~300 B Anthropic Messages body: one user message
  cc.messages.json     ~33 KB Anthropic Messages body shaped like a Claude Code turn: billing
                       and identity system blocks plus a long system prompt, 10 tools with JSON
                       schemas, several history turns with tool_use / tool_result blocks
  small.chat.json      OpenAI Chat Completions equivalents of the two, for calling an
  cc.chat.json         OpenAI-type upstream directly (the baseline of the translated path)

Every body is compact JSON with "model":"fake_anthropic:bench-model" (Messages) or
"model":"bench-model" (chat) and ends with "stream":false; bench/run.sh makes the other model
and stream variants with sed. The prose is neutral filler; the shape follows the Claude Code
fixtures in /work/shared/fixtures/claude-code (field names, block layout, schema style).
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
WORDS = ("the gateway reads each request and routes it to a provider while the ledger keeps "
         "an exact record of tokens cost and time for every call so a developer can see where "
         "the budget went and which model answered a given turn of the agent loop with tools "
         "files shell commands and plans in a repository of source code tests and documents").split()


def prose(n_chars, seed):
    rng = random.Random(seed)
    out = []
    size = 0
    while size < n_chars:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    text = " ".join(out)[:n_chars]
    return text


def schema(props, required):
    return {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": props, "required": required, "additionalProperties": False}


def s(desc, typ="string", **extra):
    d = {"description": desc, "type": typ}
    d.update(extra)
    return d


def tools():
    specs = [
        ("Bash", {"command": s(prose(40, 1)), "timeout": s(prose(60, 2), "number"),
                  "description": s(prose(300, 3)), "run_in_background": s(prose(90, 4), "boolean")},
         ["command"], 1100),
        ("Read", {"file_path": s(prose(50, 5)), "offset": s(prose(90, 6), "integer"),
                  "limit": s(prose(70, 7), "integer")}, ["file_path"], 900),
        ("Edit", {"file_path": s(prose(50, 8)), "old_string": s(prose(40, 9)),
                  "new_string": s(prose(60, 10)),
                  "replace_all": s(prose(60, 11), "boolean", default=False)},
         ["file_path", "old_string", "new_string"], 800),
        ("Write", {"file_path": s(prose(60, 12)), "content": s(prose(40, 13))},
         ["file_path", "content"], 600),
        ("Glob", {"pattern": s(prose(40, 14)), "path": s(prose(160, 15))}, ["pattern"], 700),
        ("Grep", {"pattern": s(prose(70, 16)), "path": s(prose(70, 17)),
                  "glob": s(prose(90, 18)),
                  "output_mode": s(prose(150, 19), enum=["content", "files_with_matches", "count"]),
                  "-i": s(prose(30, 20), "boolean"), "-n": s(prose(60, 21), "boolean"),
                  "head_limit": s(prose(80, 22), "number")}, ["pattern"], 900),
        ("WebFetch", {"url": s(prose(30, 23), format="uri"), "prompt": s(prose(40, 24))},
         ["url", "prompt"], 700),
        ("TaskCreate", {"subject": s(prose(60, 25)), "description": s(prose(80, 26)),
                        "activeForm": s(prose(120, 27)),
                        "metadata": {"description": prose(60, 28), "type": "object",
                                     "propertyNames": {"type": "string"},
                                     "additionalProperties": {}}},
         ["subject", "description"], 1300),
        ("TodoWrite", {"todos": {"description": prose(40, 29), "type": "array", "items": {
            "type": "object", "properties": {
                "content": {"type": "string", "minLength": 1},
                "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]},
                "activeForm": {"type": "string", "minLength": 1}},
            "required": ["content", "status", "activeForm"], "additionalProperties": False}}},
         ["todos"], 1500),
        ("Agent", {"description": s(prose(50, 30)), "prompt": s(prose(40, 31)),
                   "subagent_type": s(prose(60, 32)),
                   "model": s(prose(120, 33), enum=["sonnet", "opus", "haiku"])},
         ["description", "prompt"], 1800),
    ]
    return [{"name": name, "description": prose(desc_len, 100 + i),
             "input_schema": schema(props, req)}
            for i, (name, props, req, desc_len) in enumerate(specs)]


def cc_messages():
    reminder = ("<system-reminder>\n" + prose(1400, 200) + "\n</system-reminder>")
    file_text = "\n".join(f"{i:>6}\t{prose(70, 300 + i)}" for i in range(1, 41))
    return [
        {"role": "user", "content": [
            {"type": "text", "text": reminder},
            {"type": "text", "text": "Add a health check to the server and a test for it."}]},
        {"role": "assistant", "content": [
            {"type": "text", "text": "I'll look at the server code first."},
            {"type": "tool_use", "id": "toolu_bench_01", "name": "Grep",
             "input": {"pattern": "set_keep_alive", "path": "/home/dev/project/src",
                       "output_mode": "files_with_matches"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_bench_01",
             "content": "Found 2 files\nsrc/server/server.cpp\nsrc/server/server.hpp"}]},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_bench_02", "name": "Read",
             "input": {"file_path": "/home/dev/project/src/server/server.cpp"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_bench_02", "content": file_text}]},
        {"role": "assistant", "content": [
            {"type": "text", "text": prose(300, 400)},
            {"type": "tool_use", "id": "toolu_bench_03", "name": "Edit",
             "input": {"file_path": "/home/dev/project/src/server/server.cpp",
                       "old_string": prose(200, 401), "new_string": prose(320, 402)}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_bench_03",
             "content": "The file /home/dev/project/src/server/server.cpp has been updated.",
             "cache_control": {"type": "ephemeral"}}]},
    ]


def cc_body(system_len):
    return {
        "model": "fake_anthropic:bench-model",
        "messages": cc_messages(),
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=sdk-cli;"},
            {"type": "text", "text": "You are a coding agent run by the bench harness.",
             "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": prose(system_len, 500), "cache_control": {"type": "ephemeral"}},
        ],
        "tools": tools(),
        "metadata": {"user_id": json.dumps({"device_id": "0" * 64, "account_uuid": "",
                                            "session_id": "00000000-0000-4000-8000-000000000000"},
                                           separators=(",", ":"))},
        "max_tokens": 32000,
        "thinking": {"type": "adaptive"},
        "stream": False,
    }


def small_body():
    return {"model": "fake_anthropic:bench-model", "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Write one short sentence about the weather "
                          "in a city by the sea, for a quick test of the gateway path. Keep it plain, "
                          "friendly and under twenty words, with no lists or headings."}],
            "stream": False}


def block_text(content):
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if b.get("type") == "text")


def to_chat(body):
    """A plain Messages -> Chat Completions mapping, only to size the direct baseline."""
    msgs = []
    system = body.get("system")
    if system:
        msgs.append({"role": "system", "content": "\n\n".join(b["text"] for b in system)})
    for m in body["messages"]:
        content = m["content"]
        if isinstance(content, str):
            msgs.append({"role": m["role"], "content": content})
            continue
        if m["role"] == "assistant":
            calls = [{"id": b["id"], "type": "function",
                      "function": {"name": b["name"],
                                   "arguments": json.dumps(b["input"], separators=(",", ":"))}}
                     for b in content if b["type"] == "tool_use"]
            msg = {"role": "assistant", "content": block_text(content) or None}
            if calls:
                msg["tool_calls"] = calls
            msgs.append(msg)
            continue
        for b in content:
            if b["type"] == "tool_result":
                msgs.append({"role": "tool", "tool_call_id": b["tool_use_id"],
                             "content": block_text(b["content"])})
        text = block_text(content)
        if text:
            msgs.append({"role": "user", "content": text})
    out = {"model": "bench-model", "messages": msgs, "max_completion_tokens": body["max_tokens"]}
    if body.get("tools"):
        out["tools"] = [{"type": "function", "function": {
            "name": t["name"], "description": t["description"], "parameters": t["input_schema"]}}
            for t in body["tools"]]
    out["stream"] = False
    return out


def write(name, body):
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    assert text.count('"stream":false') == 1 and text.endswith('"stream":false}')
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)
    print(f"{name}: {len(text)} bytes")


def main():
    small = small_body()
    # Size the long system prompt so the whole Claude Code body is close to 33 KB.
    probe = len(json.dumps(cc_body(0), separators=(",", ":")))
    cc = cc_body(33 * 1024 - probe)
    write("small.messages.json", small)
    write("cc.messages.json", cc)
    write("small.chat.json", to_chat(small))
    write("cc.chat.json", to_chat(cc))


if __name__ == "__main__":
    main()
