"""Where a request's CPU time goes, kernel included, from `perf record`.

Hardware counters are not available on every machine (not in this VM), but
the cpu-clock software event is: perf samples each CPU on a timer, with the
kernel's call chain, and every sample is one 1/frequency slice of that CPU.
A server pinned to one CPU and a client pinned to the other can then be told
apart by CPU, and each sample put in one bucket by what its stack shows:

  send                 the transmit path of write/send syscalls
  peer's TCP receive   on loopback the sender's CPU also runs the receiver's
                       TCP input (softirq inside the send) ...
  waking the peer      ... and, inside that, the wakeup of a receiver that
                       sleeps in epoll_wait (sock_def_readable and below)
  receive              read/recv syscalls
  readiness wait       epoll_wait/poll/select, and io_uring_enter's waiting
  epoll_ctl            changing interest
  other syscalls
  TCP timers           delayed-ACK, retransmit and keepalive timers
  other kernel         page faults, interrupts, softirq outside a syscall
  user space           the program's own code and libraries
  idle                 the CPU had nothing to run
  other processes      perf itself, kernel threads

io_uring_enter both waits and does I/O: its samples in a send (io_send) or a
receive (io_recv) count as send or receive, the rest as the wait.

Not a speed measurement: perf's own work is on the same CPUs. It is an
attribution, to be read beside the crosscheck's timed runs.
"""
import collections
import re
import subprocess

FREQUENCY_HZ = 2999

BUCKETS = ("send", "peer's TCP receive", "waking the peer", "receive", "readiness wait",
           "epoll_ctl", "other syscalls", "TCP timers", "other kernel", "user space",
           "idle", "other processes")

SEND_CALLS = {"send", "sendto", "sendmsg", "sendmmsg", "write", "writev"}
RECEIVE_CALLS = {"recv", "recvfrom", "recvmsg", "recvmmsg", "read", "readv"}
WAIT_CALLS = {"epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll", "select",
              "pselect6", "io_uring_enter"}
TIMER_FUNCTIONS = {"tcp_delack_timer", "tcp_delack_timer_handler", "tcp_write_timer",
                   "tcp_write_timer_handler", "tcp_keepalive_timer"}
IDLE_FUNCTIONS = {"do_idle", "cpu_startup_entry"}
# What io_uring_enter is doing, by the request handler on the stack.
URING_SEND_HANDLERS = {"io_send", "io_sendmsg", "io_send_zc", "io_sendmsg_zc"}
URING_RECEIVE_HANDLERS = {"io_recv", "io_recvmsg"}
BUCKETED_CALLS = SEND_CALLS | RECEIVE_CALLS | WAIT_CALLS | {"epoll_ctl"}
# A syscall is named by the kernel frame just above do_syscall_64
# (__x64_sys_sendto, or what it tail-called: ksys_write, do_writev), else by
# the libc wrapper just below the entry (__send, __GI___writev, epoll_wait).
NAME_PREFIXES = re.compile(r"^(?:__(?:x64|ia32|arm64)_sys_|__do_sys_|__sys_|ksys_|do_|"
                           r"__GI___libc_|__GI___|__libc_|__)")
NAME_SUFFIXES = re.compile(r"(?:_nocancel|@.*)$")
SAMPLE_HEADER = re.compile(r"^\s*(\S.*?)\s+(-?\d+)\s+\[(\d+)\]")


def parse_perf_script(text):
    """perf script -F comm,pid,cpu,ip,sym output -> [(cpu, comm, frames leaf first)]."""
    samples = []
    header = None
    frames = []
    for line in text.splitlines() + [""]:
        if not line.strip():
            if header:
                samples.append((header[0], header[1], frames))
            header, frames = None, []
        elif line[0] in " \t" and header:
            parts = line.split()
            frames.append(parts[1] if len(parts) > 1 else parts[0])
        else:
            match = SAMPLE_HEADER.match(line)
            header = (int(match.group(3)), match.group(1)) if match else None
            frames = []
    return samples


def bucket_of(comm, frames, own_comms):
    """The bucket of one sample. `frames` is leaf first, as perf prints it."""
    names = set(frames)
    if names & IDLE_FUNCTIONS or comm == "swapper":
        return "TCP timers" if names & TIMER_FUNCTIONS else "idle"
    if comm not in own_comms:
        return "other processes"
    if names & TIMER_FUNCTIONS:
        return "TCP timers"
    call = syscall_of(frames)
    if call == "io_uring_enter":
        call = uring_operation(names)
    if call in SEND_CALLS:
        if "sock_def_readable" in names:
            return "waking the peer"
        if "handle_softirqs" in names or "net_rx_action" in names:
            return "peer's TCP receive"
        return "send"
    if call in RECEIVE_CALLS:
        return "receive"
    if call in WAIT_CALLS:
        return "readiness wait"
    if call == "epoll_ctl":
        return "epoll_ctl"
    if call:
        return "other syscalls"
    if any(frame.startswith("asm_") or frame in ("handle_softirqs", "irq_exit_rcu")
           for frame in frames):
        return "other kernel"
    return "user space"


def uring_operation(names):
    """What an io_uring_enter sample is doing: "send", "recv", or the wait."""
    if names & URING_SEND_HANDLERS:
        return "send"
    if names & URING_RECEIVE_HANDLERS:
        return "recv"
    return "io_uring_enter"


def syscall_of(frames):
    """The syscall a sample is in, by name (sendto, writev, epoll_wait), or
    None outside syscalls."""
    if "do_syscall_64" not in frames:
        return None
    entry = frames.index("do_syscall_64")
    candidates = [frames[entry - 1]] if entry > 0 else []
    candidates += frames[entry + 2:entry + 3]
    names = [NAME_SUFFIXES.sub("", NAME_PREFIXES.sub("", frame)) for frame in candidates]
    return next((name for name in names if name in BUCKETED_CALLS),
                names[0] if names else "unknown")


def attribute(samples, cpu_comms):
    """{cpu: Counter(bucket -> samples)} for the CPUs in `cpu_comms`, which
    maps each profiled CPU to the command names that are its own."""
    counts = {cpu: collections.Counter() for cpu in cpu_comms}
    for cpu, comm, frames in samples:
        if cpu in counts:
            counts[cpu][bucket_of(comm, frames, cpu_comms[cpu])] += 1
    return counts


def per_request_us(counter, requests_per_s):
    """Microseconds of CPU per request in each bucket, and in all but idle.

    A CPU is sampled whether busy or idle, so a bucket's share of the CPU's
    samples is its share of the time; divided by the request rate it is the
    time per request. No count of requests is needed, so the seconds perf
    saw (start-up, the last replies) need not match the client's window."""
    total = sum(counter.values())
    if not total or not requests_per_s:
        return None
    scale = 1e6 / total / requests_per_s
    table = {bucket: round(counter.get(bucket, 0) * scale, 3) for bucket in BUCKETS}
    table["busy"] = round((total - counter.get("idle", 0)) * scale, 3)
    return table


def sampling_gap(counts, least_share=0.8):
    """perf's cpu-clock samples every profiled CPU at the same rate, busy or
    idle, so each CPU should hold about as many samples as the others. One
    with fewer than `least_share` of the most lost some, and its shares
    would then be wrong. (On this VM perf records no loss or throttling when
    it happens: the timer interrupts that take the samples come late or not
    at all.) Returns a sentence saying so, or None."""
    totals = {cpu: sum(counter.values()) for cpu, counter in counts.items()}
    most_cpu = max(totals, key=totals.get, default=None)
    if most_cpu is None or not totals[most_cpu]:
        return None
    short = [cpu for cpu in sorted(totals) if totals[cpu] < least_share * totals[most_cpu]]
    if not short:
        return None
    kept = ", ".join(f"{totals[cpu]:,} on CPU {cpu}" for cpu in short)
    return (f"perf kept {kept} against {totals[most_cpu]:,} on CPU {most_cpu}: samples were "
            "lost, so this run's shares are not reliable")


def record_prefix(cpus, path, frequency=FREQUENCY_HZ, delay_ms=500):
    """The argv that runs a command under perf record, sampling every process
    on `cpus` until the command exits. The first `delay_ms` (the client's
    start and its connects) are not recorded."""
    return ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(frequency), "-g",
            "-D", str(delay_ms), "-C", ",".join(str(cpu) for cpu in cpus), "-o", path, "--"]


def read_samples(path):
    done = subprocess.run(["perf", "script", "-i", path, "-F", "comm,pid,cpu,ip,sym"],
                          capture_output=True, text=True, check=True)
    return parse_perf_script(done.stdout)
