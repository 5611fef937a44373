"""gdb support for the `runtime` crate: `info async-tasks`.

Load it with `source runtime/gdb/runtime_gdb.py` (or add that line to
~/.gdbinit). It reads the runtime's task table straight from memory, without
calling into the process, so it works on a running program, a stopped one,
and a core dump (`gdb prog core` then `info async-tasks`).

The layout it reads is defined, with tables of offsets, in
runtime/src/inspect/debug_table.rs (`DebugRuntime`: the list of runtimes),
runtime/src/inspect/debug_task.rs (`DebugTask`: the record at the start of
every task slot) and runtime/src/task/table.rs (the slots). Change them
together.

`async-dump` (or, by hand, `call runtime::runtime_dump_tasks()` in gdb's
default Rust mode, or `call runtime_dump_tasks()` after `set language c`)
asks the process itself to print its dump instead: it needs a live process,
and shows the same tasks plus the time since each one's last poll.
"""

import struct

import gdb

MAGIC = int.from_bytes(b"RTDEBUG3", "little")
RUNTIME_SIZE = 64  # magic, slots, len, stride, next, thread, now_ms, location
TASK_SIZE = 56  # the DebugTask at the start of each slot
STATES = {0: "free", 1: "waiting", 2: "runnable", 3: "running", 4: "finished"}
WAITS = {
    0: "-",
    1: "timer",
    2: "fd readable",
    3: "fd writable",
    4: "join",
    5: "blocking-pool job",
    6: "semaphore permit",
    7: "mutex",
    8: "event",
    9: "channel recv",
    10: "channel send",
}


def _head_address():
    """The address of the exported static `RUNTIME_DEBUG_HEAD`."""
    for expr in ("(unsigned long)&RUNTIME_DEBUG_HEAD",
                 "(unsigned long)&'RUNTIME_DEBUG_HEAD'"):
        try:
            previous = gdb.parameter("language")
            gdb.execute("set language c", to_string=True)
            try:
                return int(gdb.parse_and_eval(expr))
            finally:
                gdb.execute("set language %s" % previous, to_string=True)
        except gdb.error:
            continue
    raise gdb.GdbError(
        "RUNTIME_DEBUG_HEAD not found: is this program linked with the runtime crate?")


def _read(inferior, address, size):
    return bytes(inferior.read_memory(address, size))


def _runtimes(inferior):
    (node,) = struct.unpack("<Q", _read(inferior, _head_address(), 8))
    seen = set()
    while node and node not in seen:
        seen.add(node)
        raw = _read(inferior, node, RUNTIME_SIZE)
        magic, slots, length, stride, nxt, thread, now_ms = struct.unpack("<QQQQQQQ", raw[:56])
        if magic != MAGIC:
            raise gdb.GdbError(
                "runtime table at 0x%x: bad magic (a runtime built from another version "
                "of the crate than this script?)" % node)
        yield slots, length, stride, thread, now_ms, tuple(raw[56:64])
        node = nxt


def _tasks(inferior, slots, length, stride, location):
    for index in range(length):
        yield from _task(inferior, slots + index * stride, location)


def _site(inferior, address, location):
    """`file:line:column` of the `std::panic::Location` at `address`, read
    with the field offsets the runtime measured (`location`)."""
    if not address:
        return None
    file_off, len_off, line_off, col_off, size = location[:5]
    if file_off == 0xff:
        return "? (this build's Location layout is unknown)"
    raw = _read(inferior, address, size)
    (file_ptr,) = struct.unpack_from("<Q", raw, file_off)
    (file_len,) = struct.unpack_from("<Q", raw, len_off)
    (line,) = struct.unpack_from("<I", raw, line_off)
    (column,) = struct.unpack_from("<I", raw, col_off)
    name = _read(inferior, file_ptr, file_len).decode("utf-8", "replace") if file_len else "?"
    return "%s:%d:%d" % (name, line, column)


def _task(inferior, address, location):
    """The task in the slot at `address`, as a one-element list (empty if free)."""
    raw = _read(inferior, address, TASK_SIZE)
    (task_id, spawned_at, await_at, frame, wait_arg, polls, last_poll_ms, wait_fd,
     state, wait_kind) = struct.unpack("<QQQQQIIiBB2x", raw)
    if task_id == 0:
        return []
    return [{
        "id": task_id, "polls": polls, "state": STATES.get(state, "?%d" % state),
        "site": _site(inferior, spawned_at, location) or "?",
        "await_site": _site(inferior, await_at, location),
        "wait_kind": wait_kind, "wait_fd": wait_fd, "wait_arg": wait_arg,
        "last_poll_ms": last_poll_ms, "frame": frame,
    }]


def _wait_text(task, now_ms):
    if task["state"] != "waiting":
        return "-"
    text = _wait_reason(task, now_ms)
    if task["await_site"]:
        text += " at %s" % task["await_site"]
    return text


def _wait_reason(task, now_ms):
    kind = task["wait_kind"]
    if kind == 1 and task["wait_arg"] == 0xFFFFFFFFFFFFFFFF:
        return "timer (never fires)"
    if kind == 1:
        return "timer (fires in %d ms)" % max(0, task["wait_arg"] - now_ms)
    if kind in (2, 3):
        return "fd %d %s" % (task["wait_fd"], "readable" if kind == 2 else "writable")
    if kind == 4:
        return "join of task %d" % task["wait_arg"]
    return WAITS.get(kind, "?")


class InfoAsyncTasks(gdb.Command):
    """List the tasks of every event loop in this process.

Usage: info async-tasks
Reads the runtime's task table from memory (works on core dumps too)."""

    def __init__(self):
        super().__init__("info async-tasks", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        inferior = gdb.selected_inferior()
        count = 0
        for slots, length, stride, thread, now_ms, location in _runtimes(inferior):
            count += 1
            live = list(_tasks(inferior, slots, length, stride, location))
            gdb.write("runtime on thread %d (clock %d ms): %d live task%s\n"
                      % (thread, now_ms, len(live), "" if len(live) == 1 else "s"))
            for task in sorted(live, key=lambda t: t["id"]):
                gdb.write("  task %-6d %-9s polls %-6d spawned at %s  waits on: %s\n" % (
                    task["id"], task["state"], task["polls"], task["site"],
                    _wait_text(task, now_ms)))
        if count == 0:
            gdb.write("no runtime is alive in this process\n")


class AsyncDump(gdb.Command):
    """Ask the stopped process to print its own task dump to its stderr.

Usage: async-dump
The same as `call runtime::runtime_dump_tasks()`. It makes the call in C
mode (`call runtime_dump_tasks()`), which also works from a frame without
Rust debug info, e.g. inside libc. Needs a live process; for a core dump use
`info async-tasks`."""

    def __init__(self):
        super().__init__("async-dump", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        previous = gdb.parameter("language")
        gdb.execute("set language c", to_string=True)
        try:
            gdb.execute("call (void)runtime_dump_tasks()")
        finally:
            gdb.execute("set language %s" % previous, to_string=True)


InfoAsyncTasks()
AsyncDump()
