package io.skiff.bench.e2e;

import java.util.ArrayList;
import java.util.List;

/** How each figure was measured: printed under the tables, and stored in the JSON and markdown. */
final class Methodology {
    private Methodology() {
    }

    /** @param update the update scenario ran: its zstd --patch-from floor is described too */
    static List<String> notes(boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest, boolean update) {
        List<String> n = new ArrayList<>();
        n.add("All transfers over TCP on 127.0.0.1; skiff and rsync runs alternate (skiff, rsync, skiff, ...); "
                + "figures are medians over the repetitions, each figure's median taken on its own.");
        n.add("Sizes and rates: MB = 10^6 bytes; RSS in MiB.");
        n.add("Source files are warm in the page cache (they were just hashed for the correctness check); "
                + "nothing is dropped from the cache. Destinations start empty (update: hold v1, given untimed).");
        n.add("skiff: " + (coldReceiver ? "one receiver JVM per repetition (cold, its JIT warm-up counted)"
                : "one receiver daemon JVM per scenario, as deployed (each repetition pushes to a new, empty channel)")
                + ", sender in a separate fresh JVM per push; both with " + javaOpts
                + (savedManifest ? ". The manifest was saved beforehand (skiff manifest --out, untimed) and the timed push uses it"
                        + " (--manifest); wall time includes the sender's JVM start." : ". Wall time includes the sender's JVM start and manifest build.")
                + " The receiver fsyncs before "
                + "activating; rsync (no --fsync) does not. Every push names a sender history (--history, one "
                + "directory per scenario in the work dir, emptied when the scenario starts): the untimed base push of "
                + "the update records v1 there, so the timed v2 push can use v1 as a delta base.");
        n.add("rsync: one daemon per scenario; full copies `rsync -a --whole-file --stats`, update "
                + "`rsync -a -z --no-whole-file --delete --ignore-times --stats` (--delete: v2 removes a file v1 had; "
                + "--ignore-times: a same-size file of v2 written in the same second as v1's would pass rsync's quick check "
                + "unchanged).");
        n.add("wall s: System.nanoTime around the sender/client process. MB/s: logical bytes of the release / wall s.");
        n.add("lo wire bytes: transmitted-bytes counter of the loopback interface (/proc/net/dev) before and after "
                + "the timed run: includes TCP/IP headers and ACKs, and any other loopback traffic on the machine. "
                + "tool wire bytes: skiff's own bytes_wire; rsync's total bytes sent + received (--stats).");
        n.add("skiff wire bytes of its median run: skiff push --json's own breakdown (manifest_bytes; chunks and "
                + "payload bytes per encoding: raw, zstd, zstd_ref) for the skiff run at the median of the tool wire bytes.");
        if (update) {
            n.add("zstd --patch-from floor (update; issue 5 asks skiff's update wire bytes to stay within 2× of it): "
                    + "v1 and v2 each tarred deterministically (`tar --sort=name --mtime=@0 --owner=0 --group=0 "
                    + "--numeric-owner -cf`), then `" + PatchFromFloor.commandText() + "`; the patch's size in bytes and "
                    + "zstd's wall time (not tar's), measured once per run after the timed runs (the size is deterministic). "
                    + "Ratios: each tool's median tool wire bytes over the patch size. zstd widens its window to cover "
                    + "v1.tar when v1.tar exceeds 2^27 bytes.");
        }
        n.add(gnuTime
                ? "sender CPU s (user + sys) and sender RSS (max RSS): GNU /usr/bin/time around the sender/client."
                : "sender CPU and RSS: n/a, /usr/bin/time (Debian package `time`) is not installed.");
        n.add("receiver CPU s: /proc/<pid>/stat of the skiff receiver JVM (utime + stime), or of the rsync daemon "
                + "(utime + stime + cutime + cstime: its per-connection children, reaped), before and after the timed run.");
        n.add("receiver RSS: skiff, VmHWM of the receiver JVM, reset (clear_refs) just before the timed run; rsync, "
                + "largest sum of VmHWM over the daemon's child processes, sampled every "
                + PeakRssSampler.INTERVAL_MS + " ms during the run.");
        n.add("Every destination is checked after every run: same relative paths, sizes and SHA-256 of every file as the source.");
        return n;
    }
}
