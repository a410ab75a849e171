package io.skiff.bench.e2e;

import io.skiff.engine.Skiff;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.receive.Receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several skiff receivers in one JVM, for the fan-out scenario: eight receiver JVMs would not fit two
 * cores, and what the scenario measures is the sender's side. Each receiver is what {@code skiff receive}
 * starts ({@link ReceiverConfig#defaults}, {@link Skiff#receiver}), with its own root {@code ROOT/r<i>} and
 * its own port on {@code HOST} (OS-chosen unless {@code --ports} are given).
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/classes:cli/target/skiff.jar io.skiff.bench.e2e.ReceiverHost \
 *     --count 8 --root /tmp/fanout [--host 127.0.0.1] [--ports 7001,7002,...]
 * </pre>
 *
 * Prints one line per receiver on stdout, {@code receiver <i> <host>:<port> <root>}, then {@code ready <count>};
 * runs until its stdin closes (the runner that started it exited or let it go) or SIGTERM, then closes
 * every receiver. Exit code 2 for bad arguments, 1 if a receiver cannot start.
 */
public final class ReceiverHost {
    static final int MAX_COUNT = 64;
    private static final Pattern RECEIVER_LINE = Pattern.compile("(?m)^receiver (\\d+) (\\S+):(\\d+) (.+)$");
    private static final Pattern READY_LINE = Pattern.compile("(?m)^ready (\\d+)$");

    /** The parsed command line. */
    record Args(int count, Path root, String host, List<Integer> ports) {
    }

    /** One started receiver as the host reported it. */
    record Started(int index, int port, Path root) {
    }

    private ReceiverHost() {
    }

    public static void main(String[] argv) throws InterruptedException {
        Args args;
        try {
            args = parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("ReceiverHost: " + e.getMessage());
            System.err.println("usage: ReceiverHost --count N --root DIR [--host 127.0.0.1] [--ports P1,P2,...]");
            System.exit(2);
            return;
        }
        configureLogging();
        List<Receiver> receivers = new ArrayList<>();
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            closeAll(receivers);
        }, "receiver-host-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintStream out = System.out;
        try {
            for (int i = 0; i < args.count(); i++) {
                Path root = Files.createDirectories(args.root().resolve("r" + i));
                int port = args.ports().isEmpty() ? 0 : args.ports().get(i);
                Receiver r = Skiff.receiver(ReceiverConfig.defaults(new HostPort(args.host(), port), root));
                synchronized (receivers) {
                    receivers.add(r);
                }
                out.println(receiverLine(i, args.host(), r.port(), root));
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("ReceiverHost: cannot start receiver " + receivers.size() + ": " + e);
            System.exit(1);
            return;
        }
        out.println("ready " + args.count());
        out.flush();
        Thread stdin = new Thread(() -> {
            drain(System.in);
            stop.countDown();
        }, "receiver-host-stdin");
        stdin.setDaemon(true);
        stdin.start();
        stop.await();
        // Leave through the shutdown hook (it closes the receivers once, whatever stopped us).
        System.exit(0);
    }

    static String receiverLine(int index, String host, int port, Path root) {
        return "receiver " + index + " " + host + ":" + port + " " + root;
    }

    /**
     * The receivers of a host's output once it printed {@code ready <count>}, in index order; empty while it
     * has not (yet). Throws if the ready line does not match the receiver lines.
     */
    static Optional<List<Started>> parseReady(String output, int expected) {
        Matcher ready = READY_LINE.matcher(output);
        if (!ready.find()) {
            return Optional.empty();
        }
        List<Started> started = new ArrayList<>();
        Matcher m = RECEIVER_LINE.matcher(output);
        while (m.find()) {
            started.add(new Started(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(3)), Path.of(m.group(4).strip())));
        }
        int count = Integer.parseInt(ready.group(1));
        if (count != expected || started.size() != expected) {
            throw new IllegalStateException("receiver host reported " + started.size() + " receiver(s), ready " + count
                    + ", expected " + expected);
        }
        for (int i = 0; i < started.size(); i++) {
            if (started.get(i).index() != i) {
                throw new IllegalStateException("receiver host listed receiver " + started.get(i).index() + " at position " + i);
            }
        }
        return Optional.of(List.copyOf(started));
    }

    static Args parse(String[] argv) {
        int count = -1;
        Path root = null;
        String host = "127.0.0.1";
        List<Integer> ports = List.of();
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i];
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = argv[++i];
            switch (name) {
                case "--count" -> count = parseInt(name, value);
                case "--root" -> root = Path.of(value);
                case "--host" -> host = value;
                case "--ports" -> {
                    List<Integer> p = new ArrayList<>();
                    for (String s : value.split(",")) {
                        p.add(parseInt(name, s.trim()));
                    }
                    ports = List.copyOf(p);
                }
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("--count must be 1.." + MAX_COUNT);
        }
        if (root == null) {
            throw new IllegalArgumentException("--root is required");
        }
        if (!ports.isEmpty() && ports.size() != count) {
            throw new IllegalArgumentException("--ports needs " + count + " ports, got " + ports.size());
        }
        for (int p : ports) {
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("port out of range: " + p);
            }
        }
        return new Args(count, root, host, ports);
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs a number, got '" + value + "'");
        }
    }

    /** As {@code skiff receive}: lifecycle lines at info (SKIFF_LOG_LEVEL overrides), to stderr. */
    private static void configureLogging() {
        String level = System.getenv("SKIFF_LOG_LEVEL");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level == null ? "info" : level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[1024];
        try {
            while (in.read(buf) >= 0) {
                // nothing is expected on stdin; it only tells us when the runner is gone
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void closeAll(List<Receiver> receivers) {
        List<Receiver> all;
        synchronized (receivers) {
            all = List.copyOf(receivers);
            receivers.clear();
        }
        for (Receiver r : all) {
            try {
                r.close();
            } catch (RuntimeException e) {
                System.err.println("ReceiverHost: closing a receiver: " + e);
            }
        }
    }
}
