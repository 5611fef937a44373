"""lldb support for the `runtime` crate: the tasks of a stopped program.

Load it with `command script import runtime/lldb/runtime_lldb.py` (or add
that line to ~/.lldbinit). Commands, the same as the gdb script's
(runtime/gdb/runtime_gdb.py) and reading the same memory, so they work on a
live process and a core dump (`lldb -c core prog`), debug or release:

  async-tasks        every task of every event loop: state, polls, spawn
                     site, what it waits on and where, its async backtrace
                     (gdb: `info async-tasks`)
  async-where N      one task in full, with its waker's reference count and
                     whether it is queued
  threaded-tasks     the thread model's tasks: what each OS thread of
                     `runtime::threaded` is blocked on (gdb: `info
                     threaded-tasks`)

The layout is defined in runtime/src/inspect/debug_table.rs (`DebugRuntime`,
`SlotLayout`), runtime/src/inspect/debug_task.rs (`DebugTask`),
runtime/src/inspect/frame.rs (`Frame`) and runtime/src/threaded/debug.rs
(`ThreadRecord`). Change them together.

On Debian 12, lldb 14 looks for its Python module in the wrong directory
("No module named 'lldb.embedded_interpreter'"): run it with
`PYTHONPATH=/usr/lib/llvm-14/lib/python3.11/dist-packages`.
"""

import struct
import time

import lldb

MAGIC = int.from_bytes(b"RTDEBUG5", "little")
FRAME_MAGIC = int.from_bytes(b"RTFRAME1", "little")
THREAD_MAGIC = int.from_bytes(b"RTTHRD01", "little")
RUNTIME_SIZE = 96
STATES = {0: "free", 1: "waiting", 2: "runnable", 3: "running", 4: "finished"}
WAITS = {0: "-", 1: "timer", 2: "fd readable", 3: "fd writable", 4: "join",
         5: "blocking-pool job", 6: "semaphore permit", 7: "mutex", 8: "event",
         9: "channel recv", 10: "channel send", 11: "join set", 12: "rwlock read",
         13: "rwlock write"}
BLOCKED = {0: "running", 1: "join", 2: "semaphore", 3: "sleep", 4: "I/O", 5: "other"}


class Failure(Exception):
    pass


class Memory:
    """Reads the target's memory (a live process or a core dump)."""

    def __init__(self, debugger):
        self.target = debugger.GetSelectedTarget()
        self.process = self.target.GetProcess()
        if not self.process.IsValid():
            raise Failure("no process: run the program, attach, or load a core file")

    def read(self, address, size):
        error = lldb.SBError()
        data = self.process.ReadMemory(address, size, error)
        if not error.Success():
            raise Failure("cannot read %d bytes at 0x%x: %s" % (size, address, error))
        return bytes(data)

    def u64(self, address):
        return struct.unpack("<Q", self.read(address, 8))[0]

    def u32(self, address):
        return struct.unpack("<I", self.read(address, 4))[0]

    def symbol(self, name):
        for context in self.target.FindSymbols(name):
            address = context.GetSymbol().GetStartAddress().GetLoadAddress(self.target)
            if address != lldb.LLDB_INVALID_ADDRESS:
                return address
        return None


def runtimes(mem):
    head = mem.symbol("RUNTIME_DEBUG_HEAD")
    if head is None:
        raise Failure("RUNTIME_DEBUG_HEAD not found: is this program linked with the runtime crate?")
    node, seen = mem.u64(head), set()
    while node and node not in seen:
        seen.add(node)
        raw = mem.read(node, RUNTIME_SIZE)
        magic, slots, length, stride, nxt, thread, now_ms = struct.unpack("<QQQQQQQ", raw[:56])
        if magic != MAGIC:
            raise Failure("runtime table at 0x%x: bad magic (another version of the crate?)" % node)
        yield {"slots": slots, "len": length, "stride": stride, "thread": thread,
               "now_ms": now_ms, "location": tuple(raw[56:64]), "slot": tuple(raw[64:72])}
        node = nxt


def site(mem, address, location):
    if not address:
        return None
    file_off, len_off, line_off, col_off, size = location[:5]
    if file_off == 0xff:
        return "? (this build's Location layout is unknown)"
    raw = mem.read(address, size)
    (file_ptr,) = struct.unpack_from("<Q", raw, file_off)
    (file_len,) = struct.unpack_from("<Q", raw, len_off)
    (line,) = struct.unpack_from("<I", raw, line_off)
    (column,) = struct.unpack_from("<I", raw, col_off)
    name = mem.read(file_ptr, file_len).decode("utf-8", "replace") if file_len else "?"
    return "%s:%d:%d" % (name, line, column)


def frames(mem, innermost, location):
    out, frame = [], innermost
    while frame and len(out) < 1024:
        magic, name, name_len, at, parent = struct.unpack("<QQQQQ", mem.read(frame, 40))
        if magic != FRAME_MAGIC:
            break
        text = mem.read(name, name_len).decode("utf-8", "replace") if name_len else "?"
        out.append((text, site(mem, at, location) or "?"))
        frame = parent
    out.reverse()
    return out


def tasks(mem, rt):
    for key in range(rt["len"]):
        raw = mem.read(rt["slots"] + key * rt["stride"], rt["stride"])
        (task_id, spawned_at, await_at, frame, wait_arg, polls, last_poll_ms,
         state, wait_kind) = struct.unpack_from("<QQQQQII4xBB", raw)
        # An fd wait keeps its fd in the low 32 bits of wait_arg (debug_task.rs).
        (wait_fd,) = struct.unpack("<i", struct.pack("<Q", wait_arg)[:4])
        if task_id == 0:
            continue
        task_off, queued_off, aborted_off, join_off, _, refs_off, _, cell_queued_off = rt["slot"]
        (alloc,) = struct.unpack_from("<Q", raw, task_off)
        state = STATES.get(state, "?%d" % state)
        yield {
            "id": task_id, "polls": polls, "state": state, "last_poll_ms": last_poll_ms,
            "site": site(mem, spawned_at, rt["location"]) or "?",
            "await_site": site(mem, await_at, rt["location"]),
            "wait_kind": wait_kind, "wait_fd": wait_fd, "wait_arg": wait_arg,
            "frames": frames(mem, frame, rt["location"]) if state in ("waiting", "runnable") else [],
            "queued": bool(raw[queued_off]), "aborted": bool(raw[aborted_off]),
            "has_join_handle": bool(raw[join_off]),
            "refs": mem.u32(alloc + refs_off) if alloc else None,  # 32 bits (waker.rs)
            "remote_queued": bool(mem.read(alloc + cell_queued_off, 1)[0]) if alloc else None,
        }


def wait_reason(task, now_ms):
    kind = task["wait_kind"]
    if kind == 1 and task["wait_arg"] == 0xFFFFFFFFFFFFFFFF:
        return "timer (never fires)"
    if kind == 1:
        return "timer (fires in %d ms)" % max(0, task["wait_arg"] - now_ms)
    if kind in (2, 3):
        return "fd %d %s" % (task["wait_fd"], "readable" if kind == 2 else "writable")
    if kind == 4:
        return "join of task %d" % task["wait_arg"]
    if kind == 11:
        return "join of any of %d tasks (JoinSet)" % task["wait_arg"]
    return WAITS.get(kind, "?")


def wait_text(task, now_ms):
    if task["state"] != "waiting":
        return "-"
    text = wait_reason(task, now_ms)
    return text + (" at %s" % task["await_site"] if task["await_site"] else "")


def command(function):
    """Wraps a command body: its text goes to the result, a Failure is an
    error."""
    def run(debugger, argument, context, result, internal_dict):
        try:
            result.PutCString(function(Memory(debugger), argument.strip()).rstrip("\n"))
        except Failure as e:
            result.SetError(str(e))
    run.__doc__ = function.__doc__
    return run


@command
def async_tasks(mem, argument):
    """List the tasks of every event loop (as gdb's `info async-tasks`)."""
    out, count = [], 0
    for rt in runtimes(mem):
        count += 1
        live = sorted(tasks(mem, rt), key=lambda t: t["id"])
        out.append("runtime on thread %d (clock %d ms): %d live task%s" % (
            rt["thread"], rt["now_ms"], len(live), "" if len(live) == 1 else "s"))
        for t in live:
            out.append("  task %-6d %-9s polls %-6d spawned at %s  waits on: %s" % (
                t["id"], t["state"], t["polls"], t["site"], wait_text(t, rt["now_ms"])))
            for depth, (name, at) in enumerate(t["frames"]):
                out.append("    #%d %s at %s" % (depth, name, at))
    if count == 0:
        out.append("no runtime is alive in this process")
    return "\n".join(out)


@command
def async_where(mem, argument):
    """Everything about task N: async-where N."""
    try:
        wanted = int(argument, 0)
    except ValueError:
        raise Failure("usage: async-where TASK-ID")
    for rt in runtimes(mem):
        for t in tasks(mem, rt):
            if t["id"] != wanted:
                continue
            now = rt["now_ms"]
            out = ["task %d: %s, polled %d time%s, last at %d ms (clock %d ms)" % (
                wanted, t["state"], t["polls"], "" if t["polls"] == 1 else "s",
                t["last_poll_ms"], now), "  spawned at %s" % t["site"]]
            if t["state"] == "waiting":
                out.append("  waits on:  %s" % wait_reason(t, now))
                out.append("  suspended at %s" % (t["await_site"] or
                                                  "? (its leaf future records no site)"))
            if t["frames"]:
                out.append("  async backtrace (outermost first):")
                out += ["    #%d %s at %s" % (d, n, a) for d, (n, a) in enumerate(t["frames"])]
            else:
                out.append("  async backtrace: none (no `inspect::framed` frame)")
            if t["refs"] is None:
                out.append("  waker: its allocation is out of the table (being polled)")
            else:
                out.append("  waker: %d reference%s (the task table's and %d waker%s)" % (
                    t["refs"], "" if t["refs"] == 1 else "s", t["refs"] - 1,
                    "" if t["refs"] == 2 else "s"))
            out.append("  run queue: %s" % ("queued" if t["queued"] else "not queued"))
            if t["remote_queued"] is not None:
                out.append("  cross-thread queue: %s" % (
                    "queued (a remote wake not yet drained)" if t["remote_queued"]
                    else "not queued"))
            out.append("  join handle: %s%s" % (
                "alive" if t["has_join_handle"] else "dropped (detached)",
                ", abort requested" if t["aborted"] else ""))
            return "\n".join(out)
    raise Failure("no live task %d (see `async-tasks`)" % wanted)


@command
def threaded_tasks(mem, argument):
    """List the thread model's tasks (as gdb's `info threaded-tasks`)."""
    head = mem.symbol("THREADED_DEBUG_HEAD")
    if head is None:
        raise Failure("THREADED_DEBUG_HEAD not found: this program does not use runtime::threaded")
    records, node, seen = [], mem.u64(head), set()
    while node and node not in seen and len(seen) < 100000:
        seen.add(node)
        magic, nxt, tid, name, name_len, since_ns, what, started_ns = struct.unpack(
            "<QQQQQQQQ", mem.read(node, 64))
        if magic != THREAD_MAGIC:
            raise Failure("thread record at 0x%x: bad magic" % node)
        text = mem.read(name, name_len).decode("utf-8", "replace") if name_len else "?"
        records.append((tid, text, since_ns, what, started_ns))
        node = nxt
    core = mem.process.GetPluginName() == "elf-core"
    now = None if core else time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    out = ["%d threaded task%s" % (len(records), "" if len(records) == 1 else "s")]
    for tid, text, since_ns, what, started_ns in sorted(records):
        if now is not None:
            span = "for %d ms" % max(0, (now - since_ns) // 1000000)
        else:
            span = "since %d ms after its start" % max(0, (since_ns - started_ns) // 1000000)
        state = ("blocked on %s %s" % (BLOCKED.get(what, "?"), span)) if what else "running " + span
        out.append("  LWP %-8d %-18s %s" % (tid, text, state))
    return "\n".join(out)


def __lldb_init_module(debugger, internal_dict):
    for name, function in (("async-tasks", "async_tasks"), ("async-where", "async_where"),
                           ("threaded-tasks", "threaded_tasks")):
        debugger.HandleCommand("command script add -f %s.%s %s" % (__name__, function, name))
