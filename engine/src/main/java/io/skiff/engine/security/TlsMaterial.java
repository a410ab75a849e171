package io.skiff.engine.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.skiff.engine.api.TlsFiles;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLException;

/**
 * A node's TLS key material ({@link TlsFiles}) as Netty contexts for mutual TLS 1.3: a server context
 * that requires a client certificate, and a client context that presents this node's. Both trust only
 * the deployment's CA; neither checks host names (a peer is whoever its certificate of the CA says it
 * is: targets are often named by address, and grants name identities).
 *
 * <p>Certificates roll without a restart: every new connection asks for the contexts, and at most once
 * a second that looks at the three files' sizes and modification times; when they changed (or on
 * {@link #reload()}, e.g. SIGHUP) the files are read again. New files that do not load (a key that does
 * not match, a certificate not of the CA, expired, half-written) are logged and the current contexts kept.
 * A certificate within {@value #EXPIRY_WARNING_DAYS} days of its end is warned about at load and then
 * daily.
 *
 * <p>The provider is BoringSSL (netty-tcnative) where its library loads, else the JDK's;
 * {@code -Dskiff.tls.provider=jdk} forces the JDK's.
 */
public final class TlsMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);
    static final int EXPIRY_WARNING_DAYS = 14;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration WARN_EVERY = Duration.ofDays(1);
    private static final String PROTOCOL = "TLSv1.3";

    private final TlsFiles files;
    private final boolean serves;
    private final Clock clock;
    private volatile Loaded current;
    /** Guarded by this: when the files were last looked at, and when expiry was last warned about. */
    private Instant lastCheck;
    private Instant lastWarning;

    /**
     * Contexts and what they were built from; no server context for a node that only connects. A
     * context may still be building ({@link #loadForClient}); a problem building it is a usage error.
     */
    private record Loaded(CompletableFuture<SslContext> server, CompletableFuture<SslContext> client, String identity,
                          Instant notAfter, List<FileStamp> stamps) {
        SslContext serverContext() {
            return built(server);
        }

        SslContext clientContext() {
            return built(client);
        }

        private static SslContext built(CompletableFuture<SslContext> context) {
            try {
                return context.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof UsageException u ? u : e;
            }
        }
    }

    /** What the files hold, checked: the CA's certificates, this node's certificate and its key. */
    private record Checked(TlsFiles files, X509Certificate[] trusted, X509Certificate cert, PrivateKey key, List<FileStamp> stamps) {
    }

    /** What tells a file changed: its size and modification time. */
    private record FileStamp(long size, Instant modified) {
        static FileStamp of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.size(), a.lastModifiedTime().toInstant());
        }
    }

    private TlsMaterial(TlsFiles files, boolean serves, Clock clock, Loaded first) {
        this.files = files;
        this.serves = serves;
        this.clock = clock;
        this.current = first;
        this.lastCheck = clock.instant();
        this.lastWarning = Instant.MIN;
        warnIfExpiring(first);
    }

    /**
     * Loads {@code files}; a problem with them (missing, unreadable, not matching, not of the CA, expired)
     * is a usage error of one line naming the file.
     */
    public static TlsMaterial load(TlsFiles files) {
        return load(files, Clock.systemUTC());
    }

    /**
     * As {@link #load(TlsFiles)}, for a node that only makes connections (a push): the files are checked
     * now, and the client context (the native library's start and a key store, ~0.2 s of a push's start)
     * is built on a thread of its own meanwhile, so a push does it while it hashes; no server context.
     */
    public static TlsMaterial loadForClient(TlsFiles files) {
        Objects.requireNonNull(files, "files");
        Clock clock = Clock.systemUTC();
        Checked checked = check(files, clock.instant());
        CompletableFuture<SslContext> client = CompletableFuture.supplyAsync(() -> clientContext(checked), runnable -> {
            Thread t = new Thread(runnable, "skiff-tls-load");
            t.setDaemon(true);
            t.start();
        });
        return new TlsMaterial(files, false, clock, loaded(checked, null, client));
    }

    static TlsMaterial load(TlsFiles files, Clock clock) {
        Objects.requireNonNull(files, "files");
        return new TlsMaterial(files, true, clock, read(files, true, clock.instant()));
    }

    /** Which TLS implementation the contexts use: "BoringSSL" or "JDK". */
    public static String providerName() {
        return provider() == SslProvider.OPENSSL ? "BoringSSL" : "JDK";
    }

    /** How a node with {@code material} speaks, for its start line: "plaintext", or "mutual TLS (BoringSSL) as rx1". */
    public static String describe(TlsMaterial material) {
        return material == null ? "plaintext" : "mutual TLS (" + providerName() + ") as " + material.identity();
    }

    /** For accepting connections: requires a client certificate of the CA. Reloads changed files first. */
    public SslContext server() {
        if (!serves) {
            throw new IllegalStateException("TLS material loaded for a client only: " + files.cert());
        }
        return fresh().serverContext();
    }

    /** For making connections: presents this node's certificate, trusts only the CA. Reloads changed files first. */
    public SslContext client() {
        return fresh().clientContext();
    }

    /** This node's identity: its certificate's common name. */
    public String identity() {
        return current.identity();
    }

    /** When this node's certificate ends. */
    public Instant notAfter() {
        return current.notAfter();
    }

    public TlsFiles files() {
        return files;
    }

    /**
     * Reads the files again now, whether or not they look changed. Returns true when the new material
     * was taken; false (logged) when it did not load and the current material stays.
     */
    public synchronized boolean reload() {
        lastCheck = clock.instant();
        try {
            Loaded loaded = read(files, serves, clock.instant());
            current = loaded;
            LOG.info("TLS keys reloaded from {}: identity {}, valid until {}", files.cert().getParent(), loaded.identity(),
                    loaded.notAfter());
            lastWarning = Instant.MIN;
            warnIfExpiring(loaded);
            return true;
        } catch (UsageException e) {
            LOG.warn("keeping the current TLS keys (identity {}, valid until {}): {}", current.identity(), current.notAfter(),
                    e.getMessage());
            return false;
        }
    }

    private Loaded fresh() {
        Instant now = clock.instant();
        synchronized (this) {
            if (Duration.between(lastCheck, now).compareTo(CHECK_EVERY) >= 0) {
                lastCheck = now;
                if (!stamps(files).equals(current.stamps())) {
                    reload();
                }
                warnIfExpiring(current);
            }
        }
        return current;
    }

    private synchronized void warnIfExpiring(Loaded loaded) {
        Instant now = clock.instant();
        Duration left = Duration.between(now, loaded.notAfter());
        if (left.compareTo(Duration.ofDays(EXPIRY_WARNING_DAYS)) < 0
                && Duration.between(lastWarning, now).compareTo(WARN_EVERY) >= 0) {
            lastWarning = now;
            LOG.warn("TLS certificate {} (identity {}) expires {} ({} days left): issue a new one with skiff keys issue"
                    + " and replace the files; they are picked up without a restart", files.cert(), loaded.identity(),
                    loaded.notAfter(), left.toDays());
        }
    }

    /** The files' stamps; an unreadable file gets none, which differs from any loaded stamps. */
    private static List<FileStamp> stamps(TlsFiles files) {
        try {
            return List.of(FileStamp.of(files.ca()), FileStamp.of(files.cert()), FileStamp.of(files.key()));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Loaded read(TlsFiles files, boolean serves, Instant now) {
        Checked checked = check(files, now);
        CompletableFuture<SslContext> server = serves ? CompletableFuture.completedFuture(serverContext(checked)) : null;
        return loaded(checked, server, CompletableFuture.completedFuture(clientContext(checked)));
    }

    private static Loaded loaded(Checked checked, CompletableFuture<SslContext> server, CompletableFuture<SslContext> client) {
        return new Loaded(server, client, PeerIdentity.commonName(checked.cert()), checked.cert().getNotAfter().toInstant(),
                checked.stamps());
    }

    /** Reads and checks the three files: readable, PEM, of the CA, within their validity, the key the certificate's. */
    private static Checked check(TlsFiles files, Instant now) {
        List<FileStamp> stamps = stamps(files);
        for (Path file : List.of(files.ca(), files.cert(), files.key())) {
            if (!Files.isReadable(file)) {
                throw new UsageException("TLS: cannot read " + file + (Files.exists(file) ? " (permission)" : " (no such file)")
                        + "; skiff keys init/issue writes ca.pem, cert.pem and key.pem");
            }
        }
        List<X509Certificate> cas = certificates(files.ca());
        X509Certificate cert;
        try {
            cert = PemFiles.readCertificate(files.cert());
        } catch (StorageException e) { // not a PEM certificate (half written, or another kind of file)
            throw new UsageException("TLS: " + e.getMessage(), e);
        }
        if (cas.stream().noneMatch(ca -> signedBy(cert, ca))) {
            throw new UsageException("TLS: " + files.cert() + " is not signed by the CA in " + files.ca());
        }
        if (now.isAfter(cert.getNotAfter().toInstant())) {
            throw new UsageException("TLS: " + files.cert() + " expired " + cert.getNotAfter().toInstant());
        }
        if (now.isBefore(cert.getNotBefore().toInstant())) {
            throw new UsageException("TLS: " + files.cert() + " is not valid before " + cert.getNotBefore().toInstant());
        }
        return new Checked(files, cas.toArray(X509Certificate[]::new), cert, matchingKey(files, cert), stamps);
    }

    // Both contexts take the certificates and key parsed by check, not the files: Netty would parse them again.

    private static SslContext serverContext(Checked checked) {
        try {
            return SslContextBuilder.forServer(checked.key(), checked.cert())
                    .trustManager(checked.trusted())
                    .clientAuth(ClientAuth.REQUIRE)
                    .protocols(PROTOCOL)
                    .sslProvider(provider())
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(checked, e);
        }
    }

    private static SslContext clientContext(Checked checked) {
        try {
            return SslContextBuilder.forClient()
                    .keyManager(checked.key(), checked.cert())
                    .trustManager(checked.trusted())
                    .protocols(PROTOCOL)
                    .sslProvider(provider())
                    .endpointIdentificationAlgorithm(null) // identities, not host names (see the class comment)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(checked, e);
        }
    }

    private static UsageException unusable(Checked checked, Exception e) {
        return new UsageException("TLS: cannot use " + checked.files().cert() + " with " + checked.files().key() + ": " + oneLine(e), e);
    }

    /**
     * Every certificate in {@code file}: a deployment moving to a new CA trusts both for a while, the
     * old and the new certificate one after the other in {@code ca.pem}.
     */
    private static List<X509Certificate> certificates(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> all = new java.util.ArrayList<>();
            for (java.security.cert.Certificate c : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                all.add((X509Certificate) c);
            }
            if (all.isEmpty()) {
                throw new UsageException("TLS: " + file + " holds no PEM certificate");
            }
            return all;
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException("TLS: " + file + " holds no usable certificate: " + oneLine(e), e);
        }
    }

    /**
     * The key in {@code files.key()}, once it has signed what {@code cert}'s public key verifies: a key
     * that is not the certificate's would only fail each handshake later, with a worse message.
     */
    private static PrivateKey matchingKey(TlsFiles files, X509Certificate cert) {
        PrivateKey key;
        try {
            key = PemFiles.readPrivateKey(files.key());
        } catch (StorageException e) {
            throw new UsageException("TLS: " + e.getMessage(), e);
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448 name their own signature
        };
        try {
            byte[] probe = new byte[32];
            new java.security.SecureRandom().nextBytes(probe);
            java.security.Signature sign = java.security.Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (verify.verify(signature)) {
                return key;
            }
        } catch (GeneralSecurityException e) {
            // falls through: not this certificate's key
        }
        throw new UsageException("TLS: cannot use " + files.cert() + " with " + files.key() + ": the key is not the certificate's");
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate ca) {
        try {
            cert.verify(ca.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static SslProvider provider() {
        boolean forceJdk = "jdk".equalsIgnoreCase(System.getProperty("skiff.tls.provider"));
        return !forceJdk && OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }
}
