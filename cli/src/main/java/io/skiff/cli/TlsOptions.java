package io.skiff.cli;

import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.TlsFiles;
import io.skiff.protocol.UsageException;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The TLS options of every command that listens or connects ({@code receive}, {@code push},
 * {@code serve}, {@code demo}). TLS is the default: a command needs key files ({@code --tls-dir}, the
 * three paths, or {@code SKIFF_TLS_DIR}) or says {@code --insecure}, which only loopback addresses accept.
 */
final class TlsOptions {
    static final String ENV_DIR = "SKIFF_TLS_DIR";

    @Option(names = "--tls-dir", paramLabel = "DIR", description = {"Mutual TLS with the key files in DIR: ca.pem (the "
            + "deployment's CA), cert.pem (this node's certificate: its identity is the common name), key.pem "
            + "('skiff keys init|issue' writes them). TLS is the default; without a --tls option, $" + ENV_DIR + " is used."})
    Path dir;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "The CA certificate peers must chain to (PEM); with --tls-cert and --tls-key, instead of --tls-dir.")
    Path ca;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "This node's certificate (PEM).")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "This node's private key (PEM, PKCS#8).")
    Path key;

    @Option(names = "--insecure", description = "Plaintext, no identities: only for loopback addresses (tests, a demo on one host).")
    boolean insecure;

    /** Whether any TLS option was given (the demo makes its own keys when none was). */
    boolean given() {
        return insecure || dir != null || ca != null || cert != null || key != null;
    }

    /**
     * The key files to use, or null for {@code --insecure}. {@code hosts} are the addresses this command
     * listens on or connects to; with {@code --insecure} each must be a loopback address.
     */
    TlsFiles files(Collection<HostPort> hosts) {
        boolean paths = ca != null || cert != null || key != null;
        if (insecure && (dir != null || paths)) {
            throw new UsageException("--insecure and the --tls options exclude each other");
        }
        if (dir != null && paths) {
            throw new UsageException("give --tls-dir, or --tls-ca, --tls-cert and --tls-key, not both");
        }
        if (insecure) {
            for (HostPort host : hosts) {
                if (!loopback(host.host())) {
                    throw new UsageException("--insecure is for loopback addresses only, not " + host
                            + ": use TLS (--tls-dir DIR; 'skiff keys init DIR' makes keys)");
                }
            }
            return null;
        }
        if (paths) {
            if (ca == null || cert == null || key == null) {
                throw new UsageException("--tls-ca, --tls-cert and --tls-key go together");
            }
            return new TlsFiles(ca, cert, key);
        }
        if (dir != null) {
            return TlsFiles.inDir(dir);
        }
        String env = System.getenv(ENV_DIR);
        if (env != null && !env.isBlank()) {
            return TlsFiles.inDir(Path.of(env));
        }
        throw new UsageException("TLS is the default: give --tls-dir DIR ('skiff keys init DIR' makes one) or --tls-ca, "
                + "--tls-cert and --tls-key, or set " + ENV_DIR + "; --insecure for plaintext on loopback");
    }

    private static boolean loopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
