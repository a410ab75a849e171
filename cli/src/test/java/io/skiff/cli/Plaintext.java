package io.skiff.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Most CLI tests are about transfers, not TLS: their push, receive and serve run plaintext on loopback,
 * as with {@code --insecure} typed after the command, unless the arguments already say how to do TLS.
 * The tests of TLS itself ({@code TlsCliTest}) run their command lines exactly as typed.
 */
final class Plaintext {
    private static final Set<String> CONNECTING = Set.of("push", "receive", "serve");

    private Plaintext() {
    }

    static String[] onLoopback(String... args) {
        if (args.length == 0 || !CONNECTING.contains(args[0])) {
            return args;
        }
        for (String a : args) {
            if (a.equals("--insecure") || a.startsWith("--tls-") || a.equals("--help") || a.equals("-h")) {
                return args;
            }
        }
        List<String> out = new ArrayList<>(List.of(args));
        out.add(1, "--insecure");
        return out.toArray(String[]::new);
    }
}
