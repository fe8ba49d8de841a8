"""scripts/cpu_profile.py: perf script's text is split into samples, each
sample lands in the bucket its call chain shows, and buckets turn into
microseconds per request by their share of the CPU's samples."""
import os
import sys
import unittest

from test_plots import REPO

sys.path.insert(0, os.path.join(REPO, "scripts"))
import cpu_profile  # noqa: E402  (after the path is set)

# The shape of `perf script -F comm,pid,cpu,ip,sym` on this machine: a
# header, then the call chain leaf first, then a blank line.
PERF_SCRIPT = """\
wrk  1622 [001] 
\tffffffff821f51c6 _raw_spin_unlock_irqrestore
\tffffffff821f51c7 sock_def_readable
\tffffffff821f51c8 tcp_rcv_established
\tffffffff821f51c9 net_rx_action
\tffffffff821f51ca handle_softirqs
\tffffffff821f51cb tcp_sendmsg
\tffffffff821f51cc ksys_write
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           101 __GI___libc_write

wrk  1622 [001] 
\tffffffff821f51c8 tcp_rcv_established
\tffffffff821f51c9 net_rx_action
\tffffffff821f51ca handle_softirqs
\tffffffff821f51cb tcp_sendmsg
\tffffffff821f51cc __x64_sys_sendto
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           102 __send

nginx 31132 [000] 
\tffffffff821f51c1 tcp_sendmsg_locked
\tffffffff821f51c2 vfs_writev
\tffffffff821f51c3 do_writev
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           103 __GI___writev

nginx 31132 [000] 
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           104 __libc_recv

nginx 31132 [000] 
\tffffffff821f51c1 ep_send_events
\tffffffff821f51c2 __x64_sys_epoll_wait
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           105 epoll_wait

wrk  1622 [001] 
\tffffffff821f51c2 __x64_sys_epoll_ctl
\tffffffff821f51cd do_syscall_64
\tffffffff821f51ce entry_SYSCALL_64_after_hwframe
\t           106 epoll_ctl

swapper     0 [000] 
\tffffffff821f4da1 tcp_send_ack
\tffffffff821f4da2 tcp_delack_timer
\tffffffff821f4da3 handle_softirqs
\tffffffff821f4dab pv_native_safe_halt
\tffffffff813c59a6 do_idle

swapper     0 [000] 
\tffffffff821f4dab pv_native_safe_halt
\tffffffff813c59a6 do_idle

wrk  1622 [001] 
\t           107 http_parser_execute

wrk  1622 [001] 
\tffffffff815eea80 handle_mm_fault
\tffffffff81000c82 asm_exc_page_fault
\t           108 stats_record

perf 999 [001] 
\tffffffff821f51cd do_syscall_64

kworker/0:1  12 [000] 
\tffffffff821f51c1 process_one_work
"""


class ParseTest(unittest.TestCase):
    def test_every_sample_is_read_with_its_cpu_comm_and_frames(self):
        samples = cpu_profile.parse_perf_script(PERF_SCRIPT)
        self.assertEqual(len(samples), 12)
        cpu, comm, frames = samples[0]
        self.assertEqual((cpu, comm), (1, "wrk"))
        self.assertEqual(frames[0], "_raw_spin_unlock_irqrestore")
        self.assertEqual(frames[-1], "__GI___libc_write")
        self.assertEqual(samples[-1][:2], (0, "kworker/0:1"))

    def test_a_comm_with_spaces_keeps_them(self):
        [(cpu, comm, frames)] = cpu_profile.parse_perf_script(
            "Web Content  77 [001] \n\t  1 main\n")
        self.assertEqual((cpu, comm, frames), (1, "Web Content", ["main"]))


class BucketTest(unittest.TestCase):
    def setUp(self):
        samples = cpu_profile.parse_perf_script(PERF_SCRIPT)
        self.counts = cpu_profile.attribute(samples, {0: {"nginx"}, 1: {"wrk"}})

    def test_client_cpu(self):
        self.assertEqual(dict(self.counts[1]), {
            "waking the peer": 1,       # sock_def_readable inside a write
            "peer's TCP receive": 1,    # the loopback softirq inside a sendto
            "epoll_ctl": 1,
            "user space": 1,
            "other kernel": 1,          # a page fault
            "other processes": 1})      # perf itself

    def test_server_cpu(self):
        self.assertEqual(dict(self.counts[0]), {
            "send": 1,                  # writev, named by do_writev
            "receive": 1,               # named by its libc wrapper alone
            "readiness wait": 1,
            "TCP timers": 1,            # a delayed ACK sent from the idle loop
            "idle": 1,
            "other processes": 1})

    def test_a_cpu_not_asked_for_is_left_out(self):
        samples = cpu_profile.parse_perf_script(PERF_SCRIPT)
        self.assertEqual(list(cpu_profile.attribute(samples, {1: {"wrk"}})), [1])


# c10k load --io uring: io_uring_enter does the sends, the receives and the
# waiting, told apart by the request handler on the stack.
URING_SCRIPT = """\
c10k  2001 [001] 
\tffffffff821f51c6 _raw_spin_unlock_irqrestore
\tffffffff821f51c7 sock_def_readable
\tffffffff821f51c8 tcp_rcv_established
\tffffffff821f51c9 net_rx_action
\tffffffff821f51ca handle_softirqs
\tffffffff821f51cb tcp_sendmsg
\tffffffff821f51cc io_send
\tffffffff821f51cd io_issue_sqe
\tffffffff821f51ce io_submit_sqes
\tffffffff821f51cf __do_sys_io_uring_enter
\tffffffff821f51d0 do_syscall_64

c10k  2001 [001] 
\tffffffff821f51cb tcp_sendmsg_locked
\tffffffff821f51cc io_send
\tffffffff821f51cf __do_sys_io_uring_enter
\tffffffff821f51d0 do_syscall_64

c10k  2001 [001] 
\tffffffff821f51cb tcp_recvmsg_locked
\tffffffff821f51cc io_recv
\tffffffff821f51cd io_poll_task_func
\tffffffff821f51cf __do_sys_io_uring_enter
\tffffffff821f51d0 do_syscall_64

c10k  2001 [001] 
\tffffffff821f51cb schedule
\tffffffff821f51cc io_cqring_wait
\tffffffff821f51cf __do_sys_io_uring_enter
\tffffffff821f51d0 do_syscall_64
"""


class UringBucketTest(unittest.TestCase):
    def test_io_uring_enter_is_split_by_what_it_does(self):
        samples = cpu_profile.parse_perf_script(URING_SCRIPT)
        counts = cpu_profile.attribute(samples, {1: {"c10k"}})
        self.assertEqual(dict(counts[1]), {
            "waking the peer": 1,       # sock_def_readable inside io_send
            "send": 1,
            "receive": 1,               # io_recv, run as the poll's task work
            "readiness wait": 1})       # io_cqring_wait


class PerRequestTest(unittest.TestCase):
    def test_a_bucket_is_its_share_of_the_cpu_divided_by_the_rate(self):
        counter = {"send": 300, "receive": 100, "idle": 600}
        table = cpu_profile.per_request_us(counter, 100000.0)
        # 30% of a CPU at 100,000 req/s: 3 us per request.
        self.assertAlmostEqual(table["send"], 3.0)
        self.assertAlmostEqual(table["receive"], 1.0)
        self.assertAlmostEqual(table["busy"], 4.0)
        self.assertEqual(table["epoll_ctl"], 0)

    def test_nothing_to_divide_is_none(self):
        self.assertIsNone(cpu_profile.per_request_us({}, 1000.0))
        self.assertIsNone(cpu_profile.per_request_us({"send": 1}, 0))



class SamplingGapTest(unittest.TestCase):
    def test_cpus_sampled_alike_pass(self):
        counts = {0: {"send": 4000, "idle": 3500}, 1: {"send": 7000, "user space": 300}}
        self.assertIsNone(cpu_profile.sampling_gap(counts))

    def test_a_cpu_that_lost_samples_is_named(self):
        # The server's CPU kept a third of the client's: its busy samples
        # went missing and it would look mostly idle.
        counts = {0: {"send": 500, "idle": 2000}, 1: {"send": 7000, "user space": 500}}
        gap = cpu_profile.sampling_gap(counts)
        self.assertIn("2,500 on CPU 0 against 7,500 on CPU 1", gap)
        self.assertIn("not reliable", gap)

    def test_nothing_sampled_is_no_gap(self):
        self.assertIsNone(cpu_profile.sampling_gap({0: {}, 1: {}}))
        self.assertIsNone(cpu_profile.sampling_gap({}))


if __name__ == "__main__":
    unittest.main()
