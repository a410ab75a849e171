package io.skiff.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** How each figure was measured: printed under the tables, and stored in the JSON and markdown. */
final class Methodology {
    private Methodology() {
    }

    /** What every note on a sender's JVM adds: the options ./skiff gives it before the user's. */
    private static final String SENDER_LAUNCHER_OPTS = " (the sender also with " + String.join(" ", SkiffCommand.SHORT_LIVED_JVM_OPTS)
            + " before them, or " + String.join(" ", SkiffCommand.SAVED_MANIFEST_PUSH_JVM_OPTS)
            + " for a push with a saved manifest, as ./skiff starts a push; both with " + String.join(" ", SkiffCommand.LOG_OPTS)
            + " and, when ./skiff has made one for this JDK and jar, its class-data archive; the receiver, and a sender that"
            + " builds its manifest, with the compiler directives ./skiff gives receive and such a push (cli/"
            + SkiffCommand.DIRECTIVES + ": C2 for SHA-256 and the chunker only) when the jar is a checkout's: the runner's log"
            + " says which)";

    /**
     * The notes for the scenarios that ran: the update adds its zstd --patch-from floor, random and codeset their
     * local copy floors, resume its proxy, cut and variants; the columns of random, codeset and update are described
     * only when one of them ran.
     */
    static List<String> notes(boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest, Set<Scenario> scenarios) {
        return notes(gnuTime, javaOpts, coldReceiver, savedManifest, scenarios, new FanoutLayout(2, 4),
                List.of(RunnerOptions.FANOUT_HOST_HEAP));
    }

    /** The same, the fanout scenario's notes naming its layout and the receiver host's JVM options. */
    static List<String> notes(boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest, Set<Scenario> scenarios,
                              FanoutLayout fanout, List<String> fanoutHostOpts) {
        return notes(gnuTime, javaOpts, coldReceiver, savedManifest, scenarios, fanout, fanoutHostOpts, true);
    }

    /** The same; {@code copyFloor} false: --no-copy-floor, the full copies have no local copy floor. */
    static List<String> notes(boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest, Set<Scenario> scenarios,
                              FanoutLayout fanout, List<String> fanoutHostOpts, boolean copyFloor) {
        return notes(gnuTime, javaOpts, coldReceiver, savedManifest, scenarios, fanout, fanoutHostOpts, copyFloor, false);
    }

    /** The same; {@code rsyncFsync}: --rsync-fsync, rsync ran with --fsync. */
    static List<String> notes(boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest, Set<Scenario> scenarios,
                              FanoutLayout fanout, List<String> fanoutHostOpts, boolean copyFloor, boolean rsyncFsync) {
        boolean tables = scenarios.contains(Scenario.RANDOM) || scenarios.contains(Scenario.CODESET) || scenarios.contains(Scenario.UPDATE);
        boolean floor = copyFloor && (scenarios.contains(Scenario.RANDOM) || scenarios.contains(Scenario.CODESET));
        List<String> n = new ArrayList<>();
        n.add("All transfers over TCP on 127.0.0.1; " + (tables ? "skiff and rsync runs alternate (skiff, rsync, skiff, ...; "
                + (floor ? "in random and codeset each repetition ends with the local copy floors, buffered then direct); " : "") : "")
                + "figures are medians over the repetitions, each figure's median taken on its own.");
        n.add("Sizes and rates: MB = 10^6 bytes; RSS in MiB.");
        n.add("Source files are warm in the page cache (they were just hashed for the correctness check); "
                + "nothing is dropped from the cache. Destinations start empty (update: hold v1, given untimed).");
        if (tables) {
            tableNotes(n, gnuTime, javaOpts, coldReceiver, savedManifest, floor, scenarios.contains(Scenario.UPDATE), rsyncFsync);
        }
        if (scenarios.contains(Scenario.RESUME)) {
            n.addAll(resumeNotes(javaOpts, coldReceiver, savedManifest));
        }
        if (scenarios.contains(Scenario.FANOUT)) {
            n.addAll(fanoutNotes(gnuTime, javaOpts, savedManifest, fanout, fanoutHostOpts));
        }
        n.add("Every destination is checked after every run: same relative paths, sizes and SHA-256 of every file as the source.");
        return n;
    }

    /** The columns of the random, codeset and update tables. */
    private static void tableNotes(List<String> n, boolean gnuTime, String javaOpts, boolean coldReceiver, boolean savedManifest,
                                   boolean copyFloor, boolean update, boolean rsyncFsync) {
        n.add("skiff: " + (coldReceiver ? "one receiver JVM per repetition (cold, its JIT warm-up counted)"
                : "one receiver daemon JVM per scenario, as deployed (each repetition pushes to a new, empty channel)")
                + ", sender in a separate fresh JVM per push; both with " + javaOpts + SENDER_LAUNCHER_OPTS
                + (savedManifest ? ". The manifest was saved beforehand (skiff manifest --out, untimed) and the timed push uses it"
                        + " (--manifest); wall time includes the sender's JVM start." : ". Wall time includes the sender's JVM start and manifest build.")
                + " The receiver fsyncs before activating; rsync "
                + (rsyncFsync ? "too (--rsync-fsync: --fsync, every file it writes)" : "(no --fsync) does not") + ". Every push names a sender history (--history, one "
                + "directory per scenario in the work dir, emptied when the scenario starts): the untimed base push of "
                + "the update records v1 there, so the timed v2 push can use v1 as a delta base.");
        n.add("rsync: one daemon per scenario; full copies `" + String.join(" ", rsyncArgs(true, rsyncFsync)) + "`, update "
                + "`" + String.join(" ", rsyncArgs(false, rsyncFsync)) + "` (--delete: v2 removes a file v1 had; "
                + "--ignore-times: a same-size file of v2 written in the same second as v1's would pass rsync's quick check "
                + "unchanged).");
        n.add("wall s: System.nanoTime around the sender/client process. MB/s: logical bytes of the release / wall s.");
        n.add("lo wire bytes: transmitted-bytes counter of the loopback interface (/proc/net/dev) before and after "
                + "the timed run: includes TCP/IP headers and ACKs, and any other loopback traffic on the machine. "
                + "tool wire bytes: skiff's own bytes_wire; rsync's total bytes sent + received (--stats).");
        n.add("skiff wire bytes of its median run: skiff push --json's own breakdown (manifest_bytes; chunks and "
                + "payload bytes per encoding: raw, zstd, zstd_ref) for the skiff run at the median of the tool wire bytes.");
        if (copyFloor) {
            n.add(copyFloorNote(rsyncFsync));
        }
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
    }

    /** The local copy floors of random and codeset: why two, what each does, what is timed, what the ratios are. */
    /** rsync's options as the runner gives them, without the program, source and destination. */
    private static List<String> rsyncArgs(boolean fullCopy, boolean fsync) {
        List<String> cmd = RsyncBench.clientCommand(Path.of("rsync"), Path.of("SRC"), "URL", fullCopy, fsync);
        return cmd.subList(0, cmd.size() - 2);
    }

    static String copyFloorNote(boolean rsyncFsync) {
        return "local copy floors (random, codeset; what writing the same bytes durably to the destinations' file system "
                + "costs in the same run), two because on a VM how the bytes are written decides much of the cost: "
                + "buffered is how rsync and a plain cp write, through the page cache; direct is how skiff's receiver "
                + "writes, with O_DIRECT in 4 MiB aligned segments, bypassing the page cache. In every repetition, after "
                + "skiff's and rsync's runs, the runner copies the release itself to a new directory in the work dir, next "
                + "to skiff's receiver root and rsync's destination, once per floor, buffered first. buffered: "
                + CopyFloor.Mode.BUFFERED.method() + ". direct: " + CopyFloor.Mode.DIRECT.method() + "; a file system "
                + "that refuses O_DIRECT leaves the direct floor not measured, with the reason. wall s: System.nanoTime "
                + "from creating the directory to the last fsync; write: up to the first fsync; fsync: the rest; CPU and "
                + "sys: the copying thread's CPU time (ThreadMXBean; sys = total - user). Each copy is then hash-checked "
                + "and deleted, untimed. Ratios, per floor: each tool's median wall s over the floor's median wall s"
                + (rsyncFsync ? ". " : "; rsync, which does not fsync, also over the floor's median write phase. ") + "Not cp: coreutils 9 copies with "
                + "copy_file_range (in the kernel, or as a reflink), so it need not write the bytes, and `sync -f` (syncfs) "
                + "would also write back what rsync left dirty.";
    }

    static List<String> fanoutNotes(boolean gnuTime, String javaOpts, boolean savedManifest, FanoutLayout layout, List<String> hostOpts) {
        List<String> n = new ArrayList<>();
        n.add(String.format(Locale.ROOT, "fanout (issue 7: with relays, bytes leaving the sender ≤ %.1f × one target's and wall time ≤ %.0f × "
                        + "a single-target push's): a code-set release v1 of --fanout-mb (the corpus generator of the codeset scenario) "
                        + "goes to %d receivers, %d regions × %d, all in one receiver JVM (io.skiff.bench.e2e.ReceiverHost: each receiver "
                        + "as `skiff receive` starts it, own root and port on 127.0.0.1; JVM options %s). Per repetition, in this order, "
                        + "each push to new, empty channels: (1) single target: `skiff push --to` one receiver; (2) --no-relay: "
                        + "`skiff push --topology FILE --no-relay`, the sender pushes to every target itself; (3) relays: `skiff push "
                        + "--topology FILE`, the sender sends each region's data once, to one relay in the region, which forwards it to "
                        + "the region's other targets. FILE has one line per target, `REGION 127.0.0.1:PROXY internal=127.0.0.1:PORT`. "
                        + "A skiff whose push has no --topology gets (2) as a plain --to list and (3) is not measured.",
                FanoutResult.BYTES_LIMIT, FanoutResult.TIME_LIMIT, layout.receivers(), layout.regions(), layout.perRegion(),
                String.join(" ", hostOpts)));
        n.add("fanout, sender bytes: the sender reaches every target through its own counting TCP proxy the runner starts on "
                + "127.0.0.1 (LoopbackProxy, counting: forwards any number of connections, counts the bytes each way); the topology file "
                + "gives each target's real port as its internal address, so a relay reaches the rest of its region directly, "
                + "past the proxies. sender bytes: the sum of the proxies' client→server bytes (skiff's payload and framing, no "
                + "TCP/IP headers), i.e. what left the sender, counted outside skiff; skiff bytes_wire: push --json's own "
                + "top-level figure, shown next to it. bytes × single, time × single: the run's median over the single-target "
                + "push's median; the single-target push's sender bytes stand for one target's wire bytes. The single-target "
                + "push goes through a proxy too, so the three are comparable.");
        n.add("fanout, skiff: sender in a separate fresh JVM per push with " + javaOpts + SENDER_LAUNCHER_OPTS
                + (savedManifest ? "; every push uses a manifest saved beforehand (skiff manifest --out, untimed; --manifest)"
                        : "; every push builds its manifest")
                + "; every push names the scenario's sender history (--history). wall s: System.nanoTime around the sender "
                + "process; the push ends when every target has activated (relayed ones included). activated: push --json's "
                + "targets with status activated, each also checked on disk (every receiver's current against the source) "
                + "after every run; routes: push --json's per-target route (direct, relay, relayed, fallback).");
        n.add("fanout: " + (gnuTime ? "sender CPU s and RSS: GNU /usr/bin/time around the sender. " : "sender CPU and RSS: n/a. ")
                + "receivers CPU s: utime + stime of the receiver JVM (all receivers, relays' forwarding included) from "
                + "/proc/<pid>/stat before and after the push; receivers RSS: its VmHWM, reset (clear_refs) before the push. "
                + "The proxies copy every byte that leaves the sender in user space, in the runner's JVM, on the same cores: "
                + layout.receivers() + " proxied streams cost the --no-relay run more than the relay run's " + layout.regions()
                + " (one per region's relay), so compare wall times with that in mind; the figures compare only with each other, "
                + "not with the other scenarios'.");
        return n;
    }

    static List<String> resumeNotes(String javaOpts, boolean coldReceiver, boolean savedManifest) {
        String cut = Math.round(ResumeResult.CUT_FRACTION * 100) + " %";
        String retry = "--retries " + ResumeBench.RETRIES + " --retry-wait " + SkiffCommand.seconds(ResumeBench.RETRY_WAIT_SECONDS);
        List<String> n = new ArrayList<>();
        n.add("resume (issue 6: after a cut at " + cut + ", bytes sent ≤ " + ResumeResult.TARGET + " × the full transfer's): "
                + "the code-set release v1 (the codeset scenario's) goes to an empty destination through a TCP proxy the runner "
                + "starts on 127.0.0.1 (LoopbackProxy, cutting: forwards one connection at a time, the next waiting in the listen backlog "
                + "until the previous one has ended both ways, and counts the bytes each way per connection). First, once per "
                + "tool, an uncut transfer through the proxy (the reference row, timed, 1 run, to its own empty destination): "
                + "its client→server bytes are the full transfer's, F. Then per repetition, to a new empty destination, the proxy "
                + "cuts the first connection once exactly N = F × " + ResumeResult.CUT_FRACTION + " client→server bytes were "
                + "forwarded (a FIN to the receiver right after byte N, so it gets exactly N bytes; the client's socket closed "
                + "with a reset); later connections pass untouched. after the cut: the client→server bytes of the connections "
                + "after the cut one (what was sent again plus what had not been sent yet); after / full: that over F; its "
                + "median is set against the target. client→server bytes: all connections, N included.");
        n.add("resume, skiff: one receiver daemon JVM for the scenario" + (coldReceiver ? " (--cold-receiver does not apply to it)" : "")
                + ", a new, empty channel per run, sender in a separate fresh JVM per push; both with " + javaOpts + SENDER_LAUNCHER_OPTS
                + (savedManifest ? "; every push uses a manifest saved beforehand (skiff manifest --out, untimed; --manifest)"
                        : "; every push builds its manifest (a second push builds it again)")
                + ". Every push names the scenario's sender history (--history). Per repetition, in this order: "
                + "'same push reconnects', 'sender exits, new push', rsync. wall s: System.nanoTime around the sender "
                + "process(es). 'same push reconnects': one `skiff push " + retry + " --json`; its sender sees the "
                + "cut, waits (" + SkiffCommand.seconds(ResumeBench.RETRY_WAIT_SECONDS) + " s, doubled per further attempt, with "
                + "jitter) and reconnects, and the receiver, which journals every verified chunk, asks only for the chunks it "
                + "lacks; wall s covers the whole push (cut, wait and resume included). 'sender exits, new push': `skiff push "
                + "--retries 0` (its sender gives up at the cut, as a killed one would), then a second `skiff push " + retry
                + "` of the same release; wall s is both commands' added. attempts: skiff push --json's attempts (both "
                + "pushes' added); the JSON has skiff's bytes_wire summed over attempts (the cut attempt counts bytes it wrote "
                + "that the proxy never forwarded).");
        n.add("resume, rsync baseline: rsync has no automatic resume; the closest is running it again with --partial. "
                + "`" + String.join(" ", RsyncResumeBench.clientCommand(Path.of("rsync"), Path.of("SRC"),
                        "rsync://127.0.0.1:PROXY/" + RsyncDaemon.MODULE + "/")) + "` to an rsync daemon through the same kind of proxy: once uncut (rsync's F), then per repetition cut at N = F × "
                + ResumeResult.CUT_FRACTION + " and the same command run again: the daemon keeps the file it was receiving, the "
                + "re-run skips the files that arrived whole and uses the partial one as its delta basis (hence no --whole-file). "
                + "attempts: the two commands; wall s: both added. rsync does not compress here (no -z), so its F is the "
                + "logical size and its ratio compares with skiff's only as a fraction.");
        n.add("resume: the proxy copies every byte through user space, which costs CPU on the same cores as sender and "
                + "receiver, so the scenario's wall times compare only with each other (the uncut reference goes through the "
                + "proxy too), not with the other scenarios'. Loopback bytes, CPU and RSS are not reported for it.");
        return n;
    }
}
