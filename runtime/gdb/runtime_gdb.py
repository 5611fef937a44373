"""gdb support for the `runtime` crate: the tasks of a stopped program.

Load it with `source runtime/gdb/runtime_gdb.py` (or add that line to
~/.gdbinit). Commands:

  info async-tasks   every task: state, polls, spawn site, what it waits on
                     and where (its await site), its async backtrace
  async-where N      one task in full: the above, plus its waker's reference
                     count and whether it is queued (run queue, cross-thread
                     queue)
  async-break N      stop the next time task N is polled (a conditional
                     breakpoint on `Scheduler::run_task`; debug builds)
  async-queue        the run queue in order, and the pending remote wakes
  async-timers       the timers in the wheel, soonest first, with their tasks
  async-dump         the process prints its own dump (a live process only)
  info threaded-tasks  the thread model's tasks: what each OS thread of
                     `runtime::threaded` is blocked on, and since when

and pretty-printers for `JoinHandle`, `Waker` and `Semaphore`.

What reads memory only (works on a live process, a core dump, and a release
build without type information): `info async-tasks`, `async-where` (but for
the join waker), `async-queue`'s run queue, `info threaded-tasks`. What needs
the build's type information (DWARF: the debug build): `async-timers` (the
wheel), `async-queue`'s remote wakes, the pretty-printers, `async-break` (the
argument of `run_task`, which a release build inlines).

The layout it reads is defined, with tables of offsets, in
runtime/src/inspect/debug_table.rs (`DebugRuntime`: the list of runtimes,
`SlotLayout`), runtime/src/inspect/debug_task.rs (`DebugTask`: the record at
the start of every task slot), runtime/src/inspect/frame.rs (`Frame`),
runtime/src/scheduler/run_queue.rs (`RingDesc`) and
runtime/src/threaded/debug.rs (`ThreadRecord`). Change them together.
"""

import struct

import gdb

MAGIC = int.from_bytes(b"RTDEBUG5", "little")
FRAME_MAGIC = int.from_bytes(b"RTFRAME1", "little")
THREAD_MAGIC = int.from_bytes(b"RTTHRD01", "little")
RUNTIME_SIZE = 96  # see DebugRuntime in debug_table.rs
TASK_SIZE = 56  # the DebugTask at the start of each slot
MAIN_KEY = 0xFFFFFFFFFFFFFFFF  # the block_on future's key (scheduler/main_task.rs)
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
    11: "join set",
    12: "rwlock read",
    13: "rwlock write",
}


# --- reading memory ---------------------------------------------------------

def _symbol_address(name):
    """The address of the exported static `name`, found without type
    information (C mode, as a plain symbol)."""
    for expr in ("(unsigned long)&%s" % name, "(unsigned long)&'%s'" % name):
        try:
            previous = gdb.parameter("language")
            gdb.execute("set language c", to_string=True)
            try:
                return int(gdb.parse_and_eval(expr))
            finally:
                gdb.execute("set language %s" % previous, to_string=True)
        except gdb.error:
            continue
    return None


def _read(address, size):
    return bytes(gdb.selected_inferior().read_memory(address, size))


def _u64(address):
    return struct.unpack("<Q", _read(address, 8))[0]


def _u32(address):
    return struct.unpack("<I", _read(address, 4))[0]


def _runtimes():
    """Every live runtime's header, as a dict."""
    head = _symbol_address("RUNTIME_DEBUG_HEAD")
    if head is None:
        raise gdb.GdbError(
            "RUNTIME_DEBUG_HEAD not found: is this program linked with the runtime crate?")
    node = _u64(head)
    seen = set()
    while node and node not in seen:
        seen.add(node)
        raw = _read(node, RUNTIME_SIZE)
        magic, slots, length, stride, nxt, thread, now_ms = struct.unpack("<QQQQQQQ", raw[:56])
        if magic != MAGIC:
            raise gdb.GdbError(
                "runtime table at 0x%x: bad magic (a runtime built from another version "
                "of the crate than this script?)" % node)
        queue, sched, vtable = struct.unpack("<QQQ", raw[72:96])
        yield {
            "address": node, "slots": slots, "len": length, "stride": stride,
            "thread": thread, "now_ms": now_ms, "location": tuple(raw[56:64]),
            "slot": tuple(raw[64:72]), "queue": queue, "sched": sched, "vtable": vtable,
        }
        node = nxt


def _site(address, location):
    """`file:line:column` of the `std::panic::Location` at `address`, read
    with the field offsets the runtime measured (`location`)."""
    if not address:
        return None
    file_off, len_off, line_off, col_off, size = location[:5]
    if file_off == 0xff:
        return "? (this build's Location layout is unknown)"
    raw = _read(address, size)
    (file_ptr,) = struct.unpack_from("<Q", raw, file_off)
    (file_len,) = struct.unpack_from("<Q", raw, len_off)
    (line,) = struct.unpack_from("<I", raw, line_off)
    (column,) = struct.unpack_from("<I", raw, col_off)
    name = _read(file_ptr, file_len).decode("utf-8", "replace") if file_len else "?"
    return "%s:%d:%d" % (name, line, column)


def _frames(innermost, location):
    """The task's async backtrace, outermost first: (name, site) pairs."""
    frames = []
    frame = innermost
    while frame and len(frames) < 1024:
        magic, name, name_len, at, parent = struct.unpack("<QQQQQ", _read(frame, 40))
        if magic != FRAME_MAGIC:
            break
        text = _read(name, name_len).decode("utf-8", "replace") if name_len else "?"
        frames.append((text, _site(at, location) or "?"))
        frame = parent
    frames.reverse()
    return frames


def _task(rt, key):
    """The task in slot `key` of runtime `rt`, or None if the slot is free."""
    if key >= rt["len"]:
        return None
    address = rt["slots"] + key * rt["stride"]
    raw = _read(address, rt["stride"])
    (task_id, spawned_at, await_at, frame, wait_arg, polls, last_poll_ms,
     state, wait_kind) = struct.unpack_from("<QQQQQII4xBB", raw)
    # An fd wait keeps its fd in the low 32 bits of wait_arg (debug_task.rs).
    (wait_fd,) = struct.unpack("<i", struct.pack("<Q", wait_arg)[:4])
    if task_id == 0:
        return None
    task_off, queued_off, aborted_off, join_off, join_waker_off, refs_off, cell_task_off, \
        cell_queued_off = rt["slot"]
    (alloc,) = struct.unpack_from("<Q", raw, task_off)
    task = {
        "id": task_id, "key": key, "polls": polls, "state": STATES.get(state, "?%d" % state),
        "site": _site(spawned_at, rt["location"]) or "?",
        "await_site": _site(await_at, rt["location"]),
        "wait_kind": wait_kind, "wait_fd": wait_fd, "wait_arg": wait_arg,
        "last_poll_ms": last_poll_ms, "frame": frame, "slot_address": address,
        "queued": bool(raw[queued_off]), "aborted": bool(raw[aborted_off]),
        "has_join_handle": bool(raw[join_off]), "alloc": alloc,
        "refs": None, "remote_queued": None,
    }
    if alloc:
        # The allocation starts with the task's WakerCell (waker.rs).
        task["refs"] = _u32(alloc + refs_off)  # a 32-bit count (waker.rs)
        task["remote_queued"] = bool(_read(alloc + cell_queued_off, 1)[0])
    return task


def _tasks(rt):
    for key in range(rt["len"]):
        task = _task(rt, key)
        if task is not None:
            yield task


def _find_task(task_id):
    for rt in _runtimes():
        for task in _tasks(rt):
            if task["id"] == task_id:
                return rt, task
    return None, None


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
    if kind == 11:
        return "join of any of %d tasks (JoinSet)" % task["wait_arg"]
    return WAITS.get(kind, "?")


def _wait_text(task, now_ms):
    if task["state"] != "waiting":
        return "-"
    text = _wait_reason(task, now_ms)
    if task["await_site"]:
        text += " at %s" % task["await_site"]
    return text


def _task_frames(task, rt):
    if task["state"] not in ("waiting", "runnable"):
        return []
    return _frames(task["frame"], rt["location"])


def _cell_task(rt, cell):
    """(key, id) of the task a WakerCell at `cell` names."""
    offset = rt["slot"][6]
    return struct.unpack("<QQ", _read(cell + offset, 16))


def _describe(rt, key, task_id, id_bits=64):
    """A short description of the task named (key, id): its state and spawn
    site, or what it is if it has no slot. A run-queue entry knows only the
    low `id_bits` of the id; a live task's full id is read from its slot."""
    mask = (1 << id_bits) - 1
    if key == MAIN_KEY:
        return "task %d (the block_on future)" % task_id
    task = _task(rt, key)
    if task is None or task["id"] & mask != task_id:
        return "task %d (gone)" % task_id
    return "task %d (%s, spawned at %s)" % (task["id"], task["state"], task["site"])


def _parse_id(argument, usage):
    try:
        return int(gdb.parse_and_eval(argument.strip())) if argument.strip() else None
    except gdb.error:
        raise gdb.GdbError("usage: %s" % usage)


# --- reading values with the build's type information (DWARF) --------------

def _variant(value):
    """The active variant of a Rust enum value: (name, payload), the payload
    being the variant's first field (`__0`) if it has one."""
    for field in value.type.fields():
        if field.name and not field.name.startswith("<"):
            inner = value[field]
            names = [f.name for f in inner.type.fields()] if inner.type.code in (
                gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) else []
            return field.name, (inner["__0"] if "__0" in names else inner)
    return None, None


def _first_pointer(value):
    """Descends first fields (Unique, NonNull, ...) down to a raw pointer."""
    for _ in range(8):
        if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
            return value
        value = value[value.type.fields()[0]]
    raise gdb.GdbError("no pointer inside %s" % value.type)


def _vec_items(vec):
    """The elements of a `Vec<T>` value."""
    length = int(vec["len"])
    element = vec.type.template_argument(0)
    base = _first_pointer(vec["buf"]).cast(element.pointer())
    return [base[i] for i in range(min(length, 100000))]


def _scheduler(rt):
    """The runtime's `Scheduler`, read through DWARF; None without it."""
    if not rt["sched"]:
        return None
    try:
        sched_type = gdb.lookup_type("runtime::scheduler::Scheduler")
    except gdb.error:
        return None
    # A release build (`debug = 1`: line tables only) may declare the type
    # without its fields.
    try:
        fields = [f.name for f in sched_type.strip_typedefs().fields()]
    except TypeError:
        return None
    if "driver" not in fields:
        return None
    return gdb.Value(rt["sched"]).cast(sched_type.pointer()).dereference()


def _no_dwarf(what):
    return ("%s: needs this build's type information (a debug build): "
            "`runtime::scheduler::Scheduler` is not known to gdb" % what)


def _waker_parts(waker):
    """(data, vtable) of a `core::task::Waker` value."""
    raw = waker["waker"]
    return int(raw["data"]), int(raw["vtable"])


def _waker_task(rt, waker):
    """(key, id) of the runtime task a `Waker` value wakes, or None if it is
    not one of this runtime's wakers."""
    data, vtable = _waker_parts(waker)
    if vtable != rt["vtable"] or not data:
        return None
    return _cell_task(rt, data)


def _vtables():
    return {rt["vtable"]: rt for rt in _runtimes()}


# --- commands ---------------------------------------------------------------

class InfoAsyncTasks(gdb.Command):
    """List the tasks of every event loop in this process.

Usage: info async-tasks
Reads the runtime's task table from memory (works on core dumps too): each
task's state, polls, spawn site, what it waits on and where (its await
site), and its async backtrace (`inspect::framed` frames, outermost first)."""

    def __init__(self):
        super().__init__("info async-tasks", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        count = 0
        for rt in _runtimes():
            count += 1
            live = list(_tasks(rt))
            gdb.write("runtime on thread %d (clock %d ms): %d live task%s\n"
                      % (rt["thread"], rt["now_ms"], len(live), "" if len(live) == 1 else "s"))
            for task in sorted(live, key=lambda t: t["id"]):
                gdb.write("  task %-6d %-9s polls %-6d spawned at %s  waits on: %s\n" % (
                    task["id"], task["state"], task["polls"], task["site"],
                    _wait_text(task, rt["now_ms"])))
                for depth, (name, site) in enumerate(_task_frames(task, rt)):
                    gdb.write("    #%d %s at %s\n" % (depth, name, site))
        if count == 0:
            gdb.write("no runtime is alive in this process\n")


class AsyncWhere(gdb.Command):
    """Everything about one task: where it is suspended and how it got there.

Usage: async-where N
N is the task id (as in `info async-tasks`). Prints its state, polls, spawn
site, what it waits on and its await site, its async backtrace, its waker's
reference count, and whether it is in the run queue or the cross-thread
queue. Reads memory only (works on core dumps too)."""

    def __init__(self):
        super().__init__("async-where", gdb.COMMAND_STACK)

    def invoke(self, argument, from_tty):
        task_id = _parse_id(argument, "async-where TASK-ID")
        if task_id is None:
            raise gdb.GdbError("usage: async-where TASK-ID")
        rt, task = _find_task(task_id)
        if task is None:
            raise gdb.GdbError("no live task %d (see `info async-tasks`)" % task_id)
        now = rt["now_ms"]
        gdb.write("task %d: %s, polled %d time%s, last at %d ms (clock %d ms)\n" % (
            task_id, task["state"], task["polls"], "" if task["polls"] == 1 else "s",
            task["last_poll_ms"], now))
        gdb.write("  spawned at %s\n" % task["site"])
        if task["state"] == "waiting":
            gdb.write("  waits on:  %s\n" % _wait_reason(task, now))
            gdb.write("  suspended at %s\n" % (task["await_site"] or
                                                "? (its leaf future records no site)"))
        frames = _task_frames(task, rt)
        if frames:
            gdb.write("  async backtrace (outermost first):\n")
            for depth, (name, site) in enumerate(frames):
                gdb.write("    #%d %s at %s\n" % (depth, name, site))
        else:
            gdb.write("  async backtrace: none (no `inspect::framed` frame)\n")
        if task["refs"] is None:
            gdb.write("  waker: its allocation is out of the table (being polled)\n")
        else:
            # The table's own TaskPtr is one of the references.
            gdb.write("  waker: %d reference%s (the task table's and %d waker%s)\n" % (
                task["refs"], "" if task["refs"] == 1 else "s", task["refs"] - 1,
                "" if task["refs"] == 2 else "s"))
        gdb.write("  run queue: %s\n" % ("queued" if task["queued"] else "not queued"))
        if task["remote_queued"] is not None:
            gdb.write("  cross-thread queue: %s\n" % (
                "queued (a remote wake not yet drained)" if task["remote_queued"]
                else "not queued"))
        gdb.write("  join handle: %s%s\n" % (
            "alive" if task["has_join_handle"] else "dropped (detached)",
            ", abort requested" if task["aborted"] else ""))


class AsyncBreak(gdb.Command):
    """Stop the next time task N is polled.

Usage: async-break N
Sets a conditional breakpoint on the scheduler's poll entry
(`runtime::scheduler::Scheduler::run_task` with `task.id == N`); `continue`
then runs until that task's next poll, skipping every other task's. Needs
the debug build (a release build inlines `run_task` and drops its
argument)."""

    def __init__(self):
        super().__init__("async-break", gdb.COMMAND_BREAKPOINTS)

    def invoke(self, argument, from_tty):
        task_id = _parse_id(argument, "async-break TASK-ID")
        if task_id is None:
            raise gdb.GdbError("usage: async-break TASK-ID")
        try:
            gdb.execute("break runtime::scheduler::Scheduler::run_task if task.id == %d"
                        % task_id)
        except gdb.error as e:
            raise gdb.GdbError(
                "async-break: %s: it needs the debug build, where `run_task` is a function "
                "with its `task` argument (a release build inlines it)" % e)
        gdb.write("stops when task %d is next polled\n" % task_id)


class AsyncQueue(gdb.Command):
    """The run queue in order, and the remote wakes not yet drained.

Usage: async-queue
The run queue is read from memory (works on core dumps and release builds);
the cross-thread queue needs the build's type information."""

    def __init__(self):
        super().__init__("async-queue", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        for rt in _runtimes():
            gdb.write("runtime on thread %d:\n" % rt["thread"])
            if not rt["queue"]:
                gdb.write("  run queue: not published yet\n")
            else:
                ptr, cap, head, length = struct.unpack("<QQQQ", _read(rt["queue"], 32))
                gdb.write("  run queue: %d task%s%s\n" % (
                    length, "" if length == 1 else "s", ", next first:" if length else ""))
                for i in range(min(length, 10000)):
                    # An entry is the key as u32 (u32::MAX: a block_on
                    # future) and the id's low 32 bits (run_queue.rs).
                    key, low = struct.unpack("<II", _read(ptr + ((head + i) % cap) * 8, 8))
                    key = MAIN_KEY if key == 0xFFFFFFFF else key
                    gdb.write("    %d. %s\n" % (i + 1, _describe(rt, key, low, id_bits=32)))
            sched = _scheduler(rt)
            if sched is None:
                gdb.write("  remote wakes: %s\n" % _no_dwarf("not shown"))
                continue
            shared = _first_pointer(sched["driver"]["shared"]).dereference()["data"]
            remote = shared["queue"]["data"]["value"]
            cells = _vec_items(remote["cells"])
            gdb.write("  remote wakes: %d pending%s\n" % (len(cells), ":" if cells else ""))
            for cell in cells:
                key, task_id = _cell_task(rt, int(_first_pointer(cell)))
                gdb.write("    %s\n" % _describe(rt, key, task_id))
            deferred = len(_vec_items(remote["deferred"]))
            if deferred:
                gdb.write("  deferred clean-ups: %d\n" % deferred)


class AsyncTimers(gdb.Command):
    """The timers in the wheel, soonest first, with the tasks they wake.

Usage: async-timers [N]
Shows at most N timers (default 20). Needs the build's type information
(the wheel's entries are a `slab::Slab`): a debug build, live or core dump."""

    def __init__(self):
        super().__init__("async-timers", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        limit = _parse_id(argument, "async-timers [N]") or 20
        for rt in _runtimes():
            sched = _scheduler(rt)
            if sched is None:
                raise gdb.GdbError(_no_dwarf("async-timers"))
            wheel = sched["driver"]["timers"]["value"]["value"]
            now = int(wheel["elapsed"])
            timers = []
            for entry in _vec_items(wheel["entries"]["entries"]):
                name, payload = _variant(entry)
                if name != "Occupied":
                    continue
                state = str(payload["state"]).split("::")[-1]  # a fieldless enum
                tick = int(payload["tick"])
                wname, waker = _variant(payload["waker"])
                wakes = None
                if wname == "Some":
                    named = _waker_task(rt, waker)
                    wakes = _describe(rt, *named) if named else "a waker of another kind"
                timers.append((tick, state, wakes))
            timers.sort(key=lambda t: t[0])
            gdb.write("runtime on thread %d: wheel at %d ms, %d timer%s%s\n" % (
                rt["thread"], now, len(timers), "" if len(timers) == 1 else "s",
                ", soonest first:" if timers else ""))
            for tick, state, wakes in timers[:limit]:
                when = ("never" if tick == 0xFFFFFFFFFFFFFFFF else
                        "at %d ms (in %d ms)" % (tick, max(0, tick - now)))
                gdb.write("  %-28s %-8s wakes %s\n" % (when, state.lower(), wakes or "nobody"))
            if len(timers) > limit:
                gdb.write("  ... %d more\n" % (len(timers) - limit))


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


# --- the thread model -------------------------------------------------------

BLOCKED = {0: "running", 1: "join", 2: "semaphore", 3: "sleep", 4: "I/O", 5: "other"}


def threaded_records():
    """The live `runtime::threaded` tasks: dicts read from THREADED_DEBUG_HEAD
    (runtime/src/threaded/debug.rs)."""
    head = _symbol_address("THREADED_DEBUG_HEAD")
    if head is None:
        raise gdb.GdbError("THREADED_DEBUG_HEAD not found: this program does not use "
                           "runtime::threaded (or is not linked with the runtime crate)")
    node = _u64(head)
    seen = set()
    while node and node not in seen and len(seen) < 100000:
        seen.add(node)
        magic, nxt, tid, name, name_len, since_ns, what, started_ns = struct.unpack(
            "<QQQQQQQQ", _read(node, 64))
        if magic != THREAD_MAGIC:
            raise gdb.GdbError("thread record at 0x%x: bad magic" % node)
        text = _read(name, name_len).decode("utf-8", "replace") if name_len else "?"
        yield {"tid": tid, "name": text, "since_ns": since_ns, "what": what,
               "started_ns": started_ns}
        node = nxt


def _is_core_dump():
    return "core dump" in gdb.execute("info target", to_string=True).lower()


def _monotonic_now_ns():
    """CLOCK_MONOTONIC now, for a live process on this machine (the clock the
    records were stamped with); None for a core dump, whose "now" is gone."""
    if _is_core_dump():
        return None
    import time
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def _threaded_state(record, now_ns):
    what = BLOCKED.get(record["what"], "?")
    if now_ns is not None:
        span = "for %d ms" % max(0, (now_ns - record["since_ns"]) // 1000000)
    else:
        span = "since %d ms after its start" % max(
            0, (record["since_ns"] - record["started_ns"]) // 1000000)
    return ("blocked on %s %s" % (what, span)) if record["what"] else ("running " + span)


class InfoThreadedTasks(gdb.Command):
    """List the tasks of the thread model (`runtime::threaded`).

Usage: info threaded-tasks
One OS thread per task: its Linux thread id (gdb's `LWP`), its name (the
spawn site), what it is blocked on (join, semaphore, sleep, I/O, other) and
for how long (on a core dump: since when, counted from the thread's start).
Reads memory only (works on core dumps too)."""

    def __init__(self):
        super().__init__("info threaded-tasks", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        records = list(threaded_records())
        now = _monotonic_now_ns()
        gdb.write("%d threaded task%s\n" % (len(records), "" if len(records) == 1 else "s"))
        for r in sorted(records, key=lambda r: r["tid"]):
            gdb.write("  LWP %-8d %-18s %s\n" % (r["tid"], r["name"], _threaded_state(r, now)))


# --- pretty-printers --------------------------------------------------------

class JoinHandlePrinter:
    """`print handle`: the task a JoinHandle names, read from the table."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        task = self.value["task"]
        key, task_id = int(task["key"]), int(task["id"])
        if bool(self.value["done"]):
            return "JoinHandle(task %d, output taken)" % task_id
        for rt in _runtimes():
            found = _task(rt, key)
            if found is not None and found["id"] == task_id:
                return "JoinHandle(task %d: %s, spawned at %s, waits on: %s)" % (
                    task_id, found["state"], found["site"], _wait_text(found, rt["now_ms"]))
        return "JoinHandle(task %d, finished and gone, or its runtime was dropped)" % task_id


class WakerPrinter:
    """`print waker`: the runtime task it wakes, not two raw pointers."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        data, vtable = _waker_parts(self.value)
        rt = _vtables().get(vtable)
        if rt is None:
            return "Waker(data 0x%x, vtable 0x%x: not a runtime waker)" % (data, vtable)
        key, task_id = _cell_task(rt, data)
        refs = _u32(data + rt["slot"][5])
        return "Waker(%s, %d references)" % (_describe(rt, key, task_id), refs)


class SemaphorePrinter:
    """`print semaphore`: free permits and the queue of waiting tasks."""

    def __init__(self, value):
        self.value = value

    def to_string(self):
        inner = self.value["inner"]["data"]["value"]
        permits, closed = int(inner["permits"]), bool(inner["closed"])
        vtables = _vtables()
        waiting = []
        for entry in _vec_items(inner["waiters"]["nodes"]["entries"]):
            name, node = _variant(entry)
            if name != "Occupied":
                continue
            wname, waker = _variant(node["waker"])
            lacks = int(node["value"])
            if wname != "Some":
                continue
            data, vtable = _waker_parts(waker)
            rt = vtables.get(vtable)
            who = "a foreign waker"
            if rt is not None:
                key, task_id = _cell_task(rt, data)
                who = "task %d" % task_id
            waiting.append("%s (lacks %d)" % (who, lacks))
        text = "Semaphore(%d permit%s free%s, %d waiting" % (
            permits, "" if permits == 1 else "s", ", closed" if closed else "", len(waiting))
        if waiting:
            text += ": " + ", ".join(waiting)
        return text + ")"


def _lookup_printer(value):
    name = value.type.strip_typedefs().unqualified().tag or ""
    try:
        if not value.type.strip_typedefs().fields():
            return None  # declared without its fields (a release build)
    except TypeError:
        return None
    if name.startswith("runtime::task::join::JoinHandle<"):
        return JoinHandlePrinter(value)
    if name == "core::task::wake::Waker":
        return WakerPrinter(value)
    if name == "runtime::sync::semaphore::Semaphore":
        return SemaphorePrinter(value)
    return None


InfoAsyncTasks()
AsyncWhere()
AsyncBreak()
AsyncQueue()
AsyncTimers()
AsyncDump()
InfoThreadedTasks()
gdb.pretty_printers.append(_lookup_printer)
