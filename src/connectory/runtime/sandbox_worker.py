"""The JavaScript sandbox's worker process: started, fed and stopped by ``runtime.sandbox``.

It is run by path (``python -I -S sandbox_worker.py MINI_RACER_DIR``) and imports nothing but the
standard library and mini-racer. It reads calls on stdin and writes answers on stdout, each a JSON
document after its length (4 bytes, big-endian), one call at a time, each in a fresh V8 isolate:

    call      {source, entrypoint, seconds, memory_bytes, max_values, max_value_bytes,
               max_total_bytes, max_fetches, max_fetch_bytes, request, credentials}
    fetch     during a call, as often as the function fetches: {fetch: {url, method, headers,
              body}} out, then in {fetched: {status, reason, url, redirected, headers: [[name,
              value]...], body}} (any other message, or none: the host gave up on the call)
    answer    {added: {headers?, query?, cookies?}} | {missing: true}
              | {problem: {code, part?, name?}} | {failed: text} | {stopped: "time" | "memory"},
              and its peak resident memory so far ({peak: bytes}, where Linux tells it)

In the isolate, the prelude (``PRELUDE``) runs first: it removes WebAssembly, SharedArrayBuffer,
Atomics and mini-racer's timers, charges every array buffer allocation against the call's memory
limit (V8's hard limit sees only its heap), and checks the answer inside V8, with built-ins it saved
before the author's code could replace them, so that nothing large ever leaves the isolate.
It also defines ``fetch(url, {method, headers, body})``, which checks the request in V8 and
returns a promise: an ``async`` entrypoint is followed step by step (each step one timed call into
V8, its microtasks run between two), and a fetch it waits for is handed to the host, which sends
it (or refuses to) and hands the answer back. The host alone does I/O; the isolate, fetches and
all, is the call's own and is closed after it.

Around the isolate, the process itself is capped: before each call it limits its data segment
(RLIMIT_DATA, Linux) to what it held once V8 was up, plus twice the call's memory limit and a
margin. What V8 cannot stop in time (a builtin that ignores termination, one huge string, ICU's
copies) then fails an allocation here, and this process dies instead of the host. After a stopped
call it exits (the isolate may still be busy); it also exits at the end of its input.
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import sys
import time
from collections.abc import Callable
from typing import IO, Any, TypedDict

_MARGIN = 128 * 1024 * 1024
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

PRELUDE = r"""
(function install(bufferBytes, maxValues, maxValueLength, maxTotal, maxFetches,
                  maxFetchLength) {
  "use strict";
  const G = globalThis;
  const { apply, construct, defineProperty, getOwnPropertyDescriptor, getPrototypeOf, ownKeys,
          setPrototypeOf } = Reflect;
  const { create, keys } = Object;
  const { max, min, trunc, ceil } = Math;
  const ArrayCtor = Array, arrayFrom = Array.from, isArray = Array.isArray;
  const NumberOf = Number, stringify = JSON.stringify, parse = JSON.parse;
  const RangeErr = RangeError, TypeErr = TypeError;

  // No WebAssembly (its memories are array buffers V8 does not count), no shared memory, no
  // timers (mini-racer installs setTimeout on Atomics.waitAsync).
  for (const name of ["WebAssembly", "SharedArrayBuffer", "Atomics"]) delete G[name];
  for (const name of ["setTimeout", "clearTimeout", "__timer_manager"]) {
    if (name in G) G[name] = undefined;
  }

  // Array buffers: charged before they are allocated, over the whole call.
  let left = bufferBytes, over = false;
  function charge(bytes) {
    if (!(bytes <= left)) {
      over = true;
      throw new RangeErr("array buffers past the sandbox's memory limit");
    }
    left -= bytes;
  }
  const isObject = (v) => v !== null && (typeof v === "object" || typeof v === "function");
  // One conversion, so that a valueOf runs once and the original sees what was charged.
  const primitive = (v) => (isObject(v) ? NumberOf(v) : v);
  const size = (v) => { const n = trunc(NumberOf(v)); return n > 0 ? n : 0; };
  const relative = (v, length) => {
    const n = NumberOf(v), i = n !== n ? 0 : trunc(n);
    return i < 0 ? max(length + i, 0) : min(i, length);
  };
  const getter = (proto, name) => getOwnPropertyDescriptor(proto, name).get;
  const hidden = { writable: true, enumerable: false, configurable: true };
  function define(target, name, value) {
    defineProperty(target, name, { ...hidden, value });
  }
  // Only the properties listed survive on a prototype: one V8 adds later is removed until it is
  // known whether it allocates.
  function keepOnly(target, names) {
    const kept = new Set(names);
    for (const key of ownKeys(target)) if (!kept.has(key)) delete target[key];
  }
  function method(target, name, cost) {
    const original = target[name];
    define(target, name, { [name](a, b) {
      const args = cost(this, a, b);
      return apply(original, this, args);
    } }[name]);
  }
  function constructor(name, original, body, length) {
    const wrapped = { [name]: function (a, b, c) {
      if (new.target === undefined) throw new TypeErr(`Constructor ${name} requires 'new'`);
      return body(new.target, a, b, c);
    } }[name];
    defineProperty(wrapped, "length", { value: length, configurable: true });
    defineProperty(wrapped, "prototype", { value: original.prototype, writable: false });
    define(original.prototype, "constructor", wrapped);
    define(G, name, wrapped);
    return wrapped;
  }

  const AB = G.ArrayBuffer, ABProto = AB.prototype;
  const byteLength = getter(ABProto, "byteLength");
  const maxByteLength = getter(ABProto, "maxByteLength");
  const resizable = getter(ABProto, "resizable");
  const isBuffer = (v) => { try { apply(byteLength, v, []); return true; } catch { return false; } };
  keepOnly(ABProto, ["constructor", "byteLength", "maxByteLength", "resizable", "detached",
    "slice", "resize", "transfer", "transferToFixedLength", Symbol.toStringTag]);
  const ArrayBufferW = constructor("ArrayBuffer", AB, (target, length, options) => {
    const n = primitive(length);
    let most;
    if (isObject(options)) { const m = options.maxByteLength; if (m !== undefined) most = primitive(m); }
    charge(max(size(n), most === undefined ? 0 : size(most)));
    return construct(AB, most === undefined ? [n] : [n, { maxByteLength: most }], target);
  }, 1);
  define(ArrayBufferW, "isView", AB.isView);
  defineProperty(ArrayBufferW, Symbol.species, getOwnPropertyDescriptor(AB, Symbol.species));
  method(ABProto, "slice", (buffer, start, end) => {
    const length = apply(byteLength, buffer, []);
    const s = primitive(start), e = primitive(end);
    charge(max((e === undefined ? length : relative(e, length)) - relative(s, length), 0));
    return [s, e];
  });
  for (const name of ["transfer", "transferToFixedLength"]) {
    method(ABProto, name, (buffer, newLength) => {
      const n = primitive(newLength);
      const bytes = n === undefined ? apply(byteLength, buffer, []) : size(n);
      const growable = name === "transfer" && apply(resizable, buffer, []);
      charge(growable ? max(bytes, apply(maxByteLength, buffer, [])) : bytes);
      return [n];
    });
  }

  const TypedArray = getPrototypeOf(Int8Array), TAProto = TypedArray.prototype;
  const taLength = getter(TAProto, "length"), taByteLength = getter(TAProto, "byteLength");
  const isTyped = (v) => { try { apply(taLength, v, []); return true; } catch { return false; } };
  const elements = (array) => apply(taLength, array, []);
  const bytesPer = (array) => {
    const n = elements(array);
    return n ? apply(taByteLength, array, []) / n : 0;
  };
  keepOnly(TAProto, ["constructor", "buffer", "byteLength", "byteOffset", "length", "entries",
    "keys", "values", "at", "copyWithin", "every", "fill", "filter", "find", "findIndex",
    "findLast", "findLastIndex", "forEach", "includes", "indexOf", "join", "lastIndexOf", "map",
    "reverse", "set", "slice", "some", "sort", "subarray", "toReversed", "toSorted", "with",
    "reduce", "reduceRight", "toLocaleString", "toString", Symbol.iterator, Symbol.toStringTag]);
  method(TAProto, "slice", (array, start, end) => {
    const length = elements(array);
    const s = primitive(start), e = primitive(end);
    const count = max((e === undefined ? length : relative(e, length)) - relative(s, length), 0);
    charge(count * bytesPer(array));
    return [s, e];
  });
  for (const name of ["map", "filter", "toReversed", "toSorted", "with"]) {
    method(TAProto, name, (array, a, b) => {
      charge(elements(array) * bytesPer(array));
      return [a, b];
    });
  }
  for (const key of ownKeys(G)) {
    const T = G[key];
    if (typeof T !== "function" || getPrototypeOf(T) !== TypedArray) continue;
    const per = T.BYTES_PER_ELEMENT;
    keepOnly(T.prototype, ["constructor", "BYTES_PER_ELEMENT", "setFromBase64", "setFromHex",
      "toBase64", "toHex"]);
    const W = constructor(key, T, (target, first, offset, length) => {
      if (!isObject(first)) {
        charge(size(first) * per);
        return construct(T, [first], target);
      }
      if (isBuffer(first)) return construct(T, [first, offset, length], target);
      if (isTyped(first)) {
        charge(elements(first) * per);
        return construct(T, [first], target);
      }
      const items = apply(arrayFrom, ArrayCtor, [first]);
      charge(items.length * per);
      return construct(T, [items], target);
    }, 3);
    setPrototypeOf(W, TypedArray);
    defineProperty(W, "BYTES_PER_ELEMENT", { value: per });
    for (const [name, ratio] of [["fromBase64", 3 / 4], ["fromHex", 1 / 2]]) {
      const original = T[name];
      if (typeof original !== "function") continue;
      define(W, name, { [name](text, options) {
        if (typeof text === "string") charge(ceil(text.length * ratio));
        return apply(original, T, [text, options]);
      } }[name]);
    }
  }

  // The answer: checked here, with the built-ins saved above, before anything leaves V8; what
  // is wrong with it goes out as a code (the host words it, after hiding the secrets).
  const PARTS = ["headers", "query", "cookies"];
  const PromiseCtor = Promise, promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve, promiseReject = Promise.reject;
  const lower = String.prototype.toLowerCase, upper = String.prototype.toUpperCase;
  const slice = String.prototype.slice;
  // From here on the author's code has run: no iteration protocol, no prototype lookups.
  const RefErr = ReferenceError;
  const answer = (key, value) => { const o = create(null); o[key] = value; return stringify(o); };
  const problem = (code, part, name) => {
    const o = create(null);
    o.code = code; o.part = part; o.name = name;
    return answer("problem", o);
  };
  const plain = (v) => isObject(v) && typeof v !== "function" && !isArray(v);
  function check(result) {
    if (result === undefined || result === null) return answer("added", create(null));
    if (!plain(result)) return problem("shape");
    if (typeof result.then === "function") return problem("promise");
    const added = create(null);
    let count = 0, total = 0;
    for (let p = 0; p < PARTS.length; p++) {
      const part = PARTS[p], values = result[part];
      if (values === undefined || values === null) continue;
      if (!plain(values)) return problem("strings", part);
      const names = keys(values), out = create(null);
      count += names.length;
      if (count > maxValues) return problem("count", part);
      for (let i = 0; i < names.length; i++) {
        const name = names[i], value = values[name];
        if (typeof value !== "string") return problem("strings", part);
        if (name.length > maxValueLength) return problem("long name", part);
        if (value.length > maxValueLength) return problem("long value", part, name);
        total += name.length + value.length;
        if (total > maxTotal) return problem("total", part);
        out[name] = value;
      }
      added[part] = out;
    }
    return answer("added", added);
  }
  const memory = () => answer("stopped", "memory");

  // fetch: the request is checked here, then handed to the host (the worker asks it, between
  // two steps); its answer comes back through ``resume``. One fetch is out at a time, in the
  // order they were made. Going past a cap ends the call (``fatal``): it cannot be caught.
  const queue = create(null);
  let queued = 0, sent = 0, fetches = 0, fatal;
  const rejected = (message) => apply(promiseReject, PromiseCtor, [new TypeErr(`fetch: ${message}`)]);
  const stop = (code) => {
    if (fatal === undefined) fatal = problem(code, "fetch", fetches);
    return new PromiseCtor(() => {});
  };
  function fetch(url, options) {
    if (typeof url !== "string") return rejected("the URL must be a string");
    const request = create(null), headers = create(null);
    let method = "GET", body = null, size = url.length, count = 0;
    if (options !== undefined && options !== null) {
      if (!plain(options)) return rejected("the options must be an object");
      const m = options.method, h = options.headers, b = options.body;
      if (m !== undefined) {
        if (typeof m !== "string") return rejected("the method must be a string");
        method = apply(upper, m, []);
      }
      if (h !== undefined && h !== null) {
        if (!plain(h)) return rejected("the headers must be an object of strings");
        const names = keys(h);
        for (let i = 0; i < names.length; i++) {
          const name = names[i], value = h[name];
          if (typeof value !== "string") return rejected("the headers must be an object of strings");
          count += 1;
          size += name.length + value.length;
          if (count > maxValues || size > maxFetchLength) break;
          headers[name] = value;
        }
      }
      if (b !== undefined && b !== null) {
        if (typeof b !== "string") return rejected("the body must be a string (JSON.stringify an object)");
        body = b;
        size += b.length;
      }
    }
    fetches += 1;
    if (fetches > maxFetches) return stop("fetches");
    if (count > maxValues) return stop("fetch headers");
    if (size > maxFetchLength) return stop("fetch size");
    request.url = url; request.method = method; request.headers = headers; request.body = body;
    return new PromiseCtor((resolve) => {
      const item = create(null);
      item.request = request; item.resolve = resolve;
      queue[queued] = item;
      queued += 1;
    });
  }
  function responseOf(answered) {
    const pairs = answered.headers, joined = create(null), cookies = [];
    for (let i = 0; i < pairs.length; i++) {
      const name = pairs[i][0], value = pairs[i][1];
      joined[name] = name in joined ? `${joined[name]}, ${value}` : value;
      if (name === "set-cookie") cookies[cookies.length] = value;
    }
    const text = answered.body;
    const headers = {
      get: (name) => { const v = joined[apply(lower, `${name}`, [])]; return v === undefined ? null : v; },
      has: (name) => apply(lower, `${name}`, []) in joined,
      getSetCookie: () => apply(arrayFrom, ArrayCtor, [cookies]),
      forEach: (callback) => { for (const name of keys(joined)) callback(joined[name], name); },
    };
    return {
      status: answered.status, statusText: answered.reason, url: answered.url,
      redirected: answered.redirected, ok: answered.status >= 200 && answered.status < 300,
      headers,
      text: () => apply(promiseResolve, PromiseCtor, [text]),
      json: () => new PromiseCtor((resolve) => resolve(parse(text))),
    };
  }
  define(G, "fetch", fetch);

  // An async entrypoint: its promise is followed from step to step (V8 runs the microtasks
  // between two of the worker's calls), until it settles or waits for a fetch.
  let settled = 0, outcome;
  function run(lookup, requestText, credentialsText) {
    const request = parse(requestText), credentials = parse(credentialsText);
    let entrypoint, result;
    try {
      entrypoint = lookup();
    } catch (error) {
      if (over) return memory();
      if (error instanceof RefErr) return answer("missing", true);
      throw error;
    }
    if (typeof entrypoint !== "function") return answer("missing", true);
    let returned = false;
    try {
      result = apply(entrypoint, undefined, [request, credentials]);
      returned = true;
    } finally {
      // Not a catch: what the function throws goes on from where it was thrown.
      if (!returned && over) return memory();  // eslint-disable-line no-unsafe-finally
    }
    if (over) return memory();
    if (fatal !== undefined) return fatal;
    if (!plain(result) || typeof result.then !== "function") return check(result);
    const followed = apply(promiseResolve, PromiseCtor, [result]);
    apply(promiseThen, followed, [
      (value) => { settled = 1; outcome = value; },
      (error) => { settled = 2; outcome = error; },
    ]);
    return answer("pending", true);
  }
  function step() {
    if (over) return memory();
    if (fatal !== undefined) return fatal;
    if (settled === 1) return check(outcome);
    if (settled === 2) {
      // What it rejected with, in words (cut here: the worker hides the secrets, then cuts).
      let text;
      try { text = `${outcome}`; } catch { text = "an error that cannot be shown"; }
      return answer("failed", apply(slice, text, [0, 65536]));
    }
    if (sent < queued) return answer("fetch", queue[sent].request);
    return problem("settles");
  }
  function resume(answeredText) {
    if (!(sent < queued)) return;  // the author's code calling it: nothing to answer
    const item = queue[sent];
    queue[sent] = undefined;
    sent += 1;
    item.resolve(responseOf(parse(answeredText)));
  }
  // Called by the worker through eval, which its timeout can stop even while V8 runs the
  // microtasks of an earlier step (a call to a function handle would wait for them for ever).
  // Not writable, not configurable: the author's code cannot replace them, nor declare them.
  defineProperty(G, "__connectory_step__", { value: step });
  defineProperty(G, "__connectory_resume__", { value: resume });
  defineProperty(G, "__connectory_spent__", { value: () => over });
  const sandbox = create(null);
  sandbox.run = run;
  return sandbox;
})
"""


class _OutOfTime(Exception):
    """The deadline passed between two steps of a call."""


class _Cancelled(Exception):
    """The host gave no answer to a fetch (it gave up on the call)."""


class Job(TypedDict):
    """One call, as ``connectory.runtime.sandbox`` sends it."""

    source: str
    entrypoint: str
    seconds: float
    memory_bytes: int
    max_values: int
    max_value_bytes: int
    max_total_bytes: int
    max_fetches: int
    max_fetch_bytes: int
    request: dict[str, Any]
    credentials: dict[str, str]


Ask = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""Hands a fetch's request to the host; its answer (None: the host is gone)."""


def _call(job: Job, ask: Ask) -> dict[str, Any]:
    """Run one call in a fresh isolate (closed after it unless it was stopped)."""
    from py_mini_racer import (
        JSEvalException,
        JSOOMException,
        JSParseException,
        JSTimeoutException,
        MiniRacer,
    )

    if not _IDENTIFIER.fullmatch(job["entrypoint"]):
        return {"missing": True}
    deadline = time.monotonic() + job["seconds"]

    def left() -> float:
        seconds = deadline - time.monotonic()
        if seconds <= 0:
            raise _OutOfTime
        return seconds

    memory = job["memory_bytes"]
    racer = MiniRacer()
    answer: dict[str, Any]
    try:
        racer.set_hard_memory_limit(memory)
        # mini-racer types a result as any JavaScript value; the prelude's is a function.
        install: Any = racer.eval(PRELUDE, timeout_sec=left())
        sandbox = install(
            memory,
            job["max_values"],
            job["max_value_bytes"],
            job["max_total_bytes"],
            job["max_fetches"],
            job["max_fetch_bytes"],
            timeout_sec=left(),
        )
        try:
            # The source's completion value stays in V8 (a huge string would be copied out);
            # the entrypoint, an identifier, is looked up and called by the sandbox.
            try:
                racer.eval(f"{job['source']}\n;void 0", timeout_sec=left())
            except JSParseException:
                racer.eval(job["source"], timeout_sec=left())  # its own error, not about ";"
                raise
            lookup = racer.eval(f"() => {job['entrypoint']}", timeout_sec=left())
            text = sandbox["run"](
                lookup,
                json.dumps(job["request"]),
                json.dumps(job["credentials"]),
                timeout_sec=left(),
            )
            answer = json.loads(text)
            # An async entrypoint: V8 runs its microtasks between two calls; each step says
            # whether it settled or waits for a fetch, which the host performs.
            while "pending" in answer or "fetch" in answer:
                if "fetch" in answer:
                    fetched = ask(answer)
                    if fetched is None:
                        raise _Cancelled
                    # JSON text is a JavaScript string literal.
                    racer.eval(
                        f"__connectory_resume__({json.dumps(json.dumps(fetched))})",
                        timeout_sec=left(),
                    )
                stepped: Any = racer.eval("__connectory_step__()", timeout_sec=left())
                answer = json.loads(stepped)
                # Asked once V8 is idle (a call to it waits for microtasks that may never end)
                if racer.was_hard_memory_limit_reached():
                    return {"stopped": "memory"}
            if "failed" in answer:  # an async entrypoint's rejection
                answer["failed"] = _first_line(str(answer["failed"]), job["credentials"].values())
        except JSTimeoutException:
            raise
        except JSEvalException:
            # Thrown after the author's code caught a refused array buffer and went on?
            if not racer.was_hard_memory_limit_reached() and racer.eval(
                "__connectory_spent__()", timeout_sec=1.0
            ):
                return {"stopped": "memory"}
            raise
    except (JSTimeoutException, _OutOfTime):
        return {"stopped": "time"}
    except _Cancelled:
        return {"stopped": "cancelled"}
    except JSEvalException as error:
        if isinstance(error, JSOOMException) or racer.was_hard_memory_limit_reached():
            return {"stopped": "memory"}
        answer = {"failed": _first_line(str(error), job["credentials"].values())}
    racer.close()
    return answer


def _first_line(message: str, secrets: Any) -> str:
    """The first line of an error, the secrets hidden (as written and as JSON spells them) before
    it is cut: a secret cut in two would no longer be recognised by the host."""
    for secret in secrets:
        for form in {
            secret,
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
        }:
            if form:
                message = message.replace(form, "***")
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[0][:1000] if lines else "an error"


def _receive(inbox: IO[bytes]) -> Any:
    header = inbox.read(4)
    if len(header) < 4:
        return None
    (size,) = struct.unpack(">I", header)
    return json.loads(inbox.read(size))


def _send(outbox: IO[bytes], message: dict[str, Any]) -> None:
    data = json.dumps(message).encode()
    outbox.write(struct.pack(">I", len(data)) + data)
    outbox.flush()


def _status(field: str) -> int | None:
    """A size from ``/proc/self/status`` in bytes (Linux): ``VmData`` is what RLIMIT_DATA
    counts, ``VmHWM`` the peak resident memory."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _cap(baseline: int | None, memory: int) -> None:
    if baseline is None:
        return
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    soft = baseline + 2 * memory + _MARGIN
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def main() -> None:
    sys.path.insert(0, sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Answers get a descriptor of their own: whatever V8 or mini-racer prints goes to stderr.
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inbox = sys.stdin.buffer
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        from py_mini_racer import MiniRacer

        MiniRacer().close()  # V8 is up before the baseline is taken
    except Exception as error:  # told to the host, which names it
        _send(outbox, {"unavailable": f"{type(error).__name__}: {error}"})
        return
    baseline = _status("VmData")
    _send(outbox, {"ready": True, "peak": _status("VmHWM")})

    def ask(fetch: dict[str, Any]) -> dict[str, Any] | None:
        _send(outbox, fetch)
        reply = _receive(inbox)
        return reply.get("fetched") if isinstance(reply, dict) else None

    while (job := _receive(inbox)) is not None:
        _cap(baseline, job["memory_bytes"])
        answer = _call(job, ask)
        answer["peak"] = _status("VmHWM")
        _send(outbox, answer)
        if "stopped" in answer:
            os._exit(0)


if __name__ == "__main__":
    main()
