package io.skiff.engine;

import io.skiff.engine.api.AuditEntry;
import io.skiff.engine.api.AuditReport;
import io.skiff.engine.api.GcReport;
import io.skiff.engine.api.HostPort;
import io.skiff.engine.api.IssuedIdentity;
import io.skiff.engine.api.KeyRotationFile;
import io.skiff.engine.api.OriginConfig;
import io.skiff.engine.api.PushListener;
import io.skiff.engine.api.PushOptions;
import io.skiff.engine.api.PushResult;
import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.api.ReleaseDiffSummary;
import io.skiff.engine.api.RollbackReport;
import io.skiff.engine.api.RunningReceiver;
import io.skiff.engine.api.RunningServer;
import io.skiff.engine.api.SignedManifest;
import io.skiff.engine.api.SigningKeyFiles;
import io.skiff.engine.api.SigningOptions;
import io.skiff.engine.api.StatusReport;
import io.skiff.engine.api.Topology;
import io.skiff.engine.api.VerifyReport;
import io.skiff.engine.audit.AuditRecords;
import io.skiff.engine.audit.AuditVerifier;
import io.skiff.engine.delta.ReleaseDiff;
import io.skiff.engine.encode.WireEstimate;
import io.skiff.engine.follow.Follower;
import io.skiff.engine.follow.Origin;
import io.skiff.engine.inspect.AbandonedTransfers;
import io.skiff.engine.inspect.CurrentVerifier;
import io.skiff.engine.inspect.OperatorRollback;
import io.skiff.engine.inspect.RootStatus;
import io.skiff.engine.manifest.ManifestBuilder;
import io.skiff.engine.manifest.ManifestFiles;
import io.skiff.engine.receive.Receiver;
import io.skiff.engine.relay.Relay;
import io.skiff.engine.security.DeploymentKeys;
import io.skiff.engine.security.ReleaseSigner;
import io.skiff.engine.security.RotationFiles;
import io.skiff.engine.security.SigningKeys;
import io.skiff.engine.send.Lifecycle;
import io.skiff.engine.send.Pusher;
import io.skiff.engine.store.TenantStores;
import io.skiff.protocol.ChunkingParams;
import io.skiff.protocol.KeyRotation;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.SignedRelease;
import io.skiff.protocol.UsageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The engine's public entry points: push, receive, serve, manifests, diff, and the offline tools over a
 * receiver root (status, verify, gc). The CLI uses nothing else of the engine but the option and result
 * types of {@code io.skiff.engine.api}; the benchmarks and the tests come through here too.
 *
 * <pre>{@code
 * try (Receiver r = Skiff.receiver(ReceiverConfig.defaults(HostPort.parse("127.0.0.1:0"), root))) {
 *     PushResult result = Skiff.push(src, "icd10cm", "2027", List.of(new HostPort("127.0.0.1", r.port())),
 *             PushOptions.defaults(), PushListener.NONE);
 * }
 * }</pre>
 */
public final class Skiff {
    private Skiff() {
    }

    /**
     * Starts a receiver; it serves until closed. Returns the engine's own type, for tests and embedders
     * that reach into it (its store, its pipeline); {@link #startReceiver} returns the api handle.
     */
    public static Receiver receiver(ReceiverConfig config) {
        Receiver receiver = Receiver.start(config, Relay::start);
        if (config.follow() != null) {
            Follower.start(receiver, config.follow());
        }
        return receiver;
    }

    /** Pushes {@code source}, described by an already built manifest, to every target in parallel. */
    public static PushResult push(Path source, Manifest manifest, List<HostPort> targets, PushOptions options,
                                  PushListener listener) {
        return Pusher.push(source, manifest, targets, options, listener);
    }

    /** Builds the manifest of {@code source} and pushes it to every target in parallel. */
    public static PushResult push(Path source, String channel, String version, List<HostPort> targets,
                                  PushOptions options, PushListener listener) {
        return Pusher.push(source, channel, version, targets, options, listener);
    }

    /** Builds the manifest of {@code source} and pushes it along {@code topology}: relays per named region. */
    public static PushResult push(Path source, String channel, String version, Topology topology,
                                  PushOptions options, PushListener listener) {
        return Pusher.push(source, channel, version, topology, options, listener);
    }

    /** Pushes {@code source}, described by an already built manifest, along {@code topology}. */
    public static PushResult push(Path source, Manifest manifest, Topology topology, PushOptions options,
                                  PushListener listener) {
        return Pusher.push(source, manifest, topology, options, listener);
    }

    /**
     * Pushes {@code source}, described by an already built manifest, along {@code topology}, with {@code signed},
     * the publishers' statement made beforehand ({@link #readSignature}); null: none, or {@code options} sign now.
     */
    public static PushResult push(Path source, Manifest manifest, SignedRelease signed, Topology topology, PushOptions options,
                                  PushListener listener) {
        return Pusher.push(source, manifest, signed, topology, options, listener);
    }

    /** Starts a receiver (and its follower, when configured); it serves until closed. */
    public static RunningReceiver startReceiver(ReceiverConfig config) {
        return receiver(config);
    }

    /** Starts an origin that serves the current releases of {@code config.root()} to followers, until closed. */
    public static RunningServer serve(OriginConfig config) {
        return Origin.start(config);
    }

    /** Chunks and hashes {@code source} (default chunking, one thread per core) into the manifest of its release. */
    public static Manifest manifest(Path source, String channel, String version) {
        return ManifestBuilder.build(source, channel, version, ChunkingParams.DEFAULT, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #manifest(Path, String, String)}, then signed with every key of {@code signing} (null: unsigned).
     * The keys are read first: a bad key file is refused before the hashing.
     */
    public static SignedManifest manifest(Path source, String channel, String version, SigningOptions signing) {
        ReleaseSigner signer = signing == null ? null : ReleaseSigner.load(signing);
        Manifest manifest = manifest(source, channel, version);
        return new SignedManifest(manifest, signer == null ? null : signer.sign(manifest, Instant.now()));
    }

    /** Saves the canonical bytes of {@code manifest} to {@code file} (atomically), for {@link #readManifest}. */
    public static void writeManifest(Manifest manifest, Path file) {
        ManifestFiles.write(manifest, file);
    }

    /**
     * Saves the manifest to {@code file} and its signed statement to {@link #signatureFile}{@code (file)}, each
     * atomically; an unsigned one removes a signature file an earlier run left there.
     */
    public static void writeManifest(SignedManifest saved, Path file) {
        ManifestFiles.write(saved, file);
    }

    /** Where {@link #writeManifest(SignedManifest, Path)} saves the signed statement of manifest file {@code file}: {@code FILE.signed}. */
    public static Path signatureFile(Path manifestFile) {
        return ManifestFiles.signatureFile(manifestFile);
    }

    /** Reads a saved signed statement for sending with {@code manifest}: one for another release, or expired, is a usage error. */
    public static SignedRelease readSignature(Path file, Manifest manifest) {
        return ManifestFiles.readSignature(file, manifest, Instant.now());
    }

    /** Reads a manifest saved by {@link #writeManifest}, checking that {@code source} still looks like it. */
    public static Manifest readManifest(Path file, Path source) {
        return ManifestFiles.readFor(file, source);
    }

    /** What a push of {@code newDir} would send to a receiver holding {@code oldDir}, estimated without a receiver. */
    public static ReleaseDiffSummary diff(Path oldDir, Path newDir) {
        Manifest base = manifest(oldDir, "diff", "old");
        Manifest next = manifest(newDir, "diff", "new");
        ReleaseDiff diff = ReleaseDiff.between(base, next);
        long wire = WireEstimate.of(oldDir, base, newDir, next, diff.wanted(), PushOptions.DEFAULT_ZSTD_LEVEL);
        return new ReleaseDiffSummary(diff.added(), diff.removed(), diff.changed(), diff.unchanged(), diff.chunksTotal(),
                diff.wanted().cardinality(), next.totalBytes(), diff.bytesWanted(), wire);
    }

    /** What the receiver root {@code root} holds now. Read-only; safe while a receiver runs on it. */
    public static StatusReport status(Path root) {
        return status(root, null);
    }

    /** As {@link #status(Path)}, for {@code tenant}'s channels only when not null. */
    public static StatusReport status(Path root, String tenant) {
        return RootStatus.read(root, tenant, Instant.now());
    }

    /**
     * Re-hashes the current release of each channel of {@code root} (or of {@code channel} only, when not null:
     * {@code TENANT/CHANNEL} for a tenant's).
     */
    public static VerifyReport verify(Path root, String channel) {
        return verify(root, null, channel);
    }

    /** As {@link #verify(Path, String)}, within {@code tenant}'s channels only when {@code tenant} is not null. */
    public static VerifyReport verify(Path root, String tenant, String channel) {
        return CurrentVerifier.verify(root, tenant, channel);
    }

    /** Removes (or, with {@code dryRun}, lists) partial transfers of {@code root} untouched for {@code olderThan}. */
    public static GcReport gc(Path root, Duration olderThan, boolean dryRun) {
        return gc(root, null, olderThan, dryRun);
    }

    /** As {@link #gc(Path, Duration, boolean)}, for {@code tenant}'s channels only when not null. */
    public static GcReport gc(Path root, String tenant, Duration olderThan, boolean dryRun) {
        return AbandonedTransfers.collect(root, tenant, olderThan, dryRun, Instant.now());
    }

    /**
     * Checks the audit trail of receiver root {@code root} ({@code skiff audit verify}); {@code against} (null: none)
     * is a file of heads senders recorded ({@code audit_head} objects in JSON lines or one JSON document).
     */
    public static AuditReport verifyAudit(Path root, Path against) {
        return AuditVerifier.verify(auditDir(root), against);
    }

    /** The audit records of receiver root {@code root} for {@code channel} from {@code since} on (nulls: all), in order. */
    public static void auditEntries(Path root, String channel, Instant since, Consumer<AuditEntry> each) {
        AuditRecords.entries(auditDir(root), channel, since, each);
    }

    private static Path auditDir(Path root) {
        if (!Files.isDirectory(root)) {
            throw new UsageException("not a receiver root (no such directory): " + root);
        }
        Path dir = root.resolve(TenantStores.AUDIT_DIR);
        if (!Files.isDirectory(dir)) {
            throw new UsageException("no audit trail under " + root + " (" + dir + " does not exist)");
        }
        return dir;
    }

    /**
     * Pushes {@code manifest} through {@code topology}'s environments in order ({@code push --lifecycle}), on to the
     * next only when every target of the one before activated; {@code signed}: a statement made beforehand, or null.
     */
    public static PushResult pushLifecycle(Path source, Manifest manifest, SignedRelease signed, Topology topology, PushOptions options,
                                           PushListener listener) {
        return Lifecycle.push(source, manifest, signed, topology, options, listener);
    }

    /**
     * Switches {@code channel} of receiver root {@code root} back to retained release {@code toVersion} (null: the one
     * activated before the current), atomically, recorded as an operator's rollback ({@code skiff rollback}).
     */
    public static RollbackReport rollback(Path root, String channel, String toVersion) {
        return OperatorRollback.run(root, channel, toVersion);
    }

    /** Writes a new deployment CA and a first node identity into {@code dir} ({@code skiff keys init}); never overwrites. */
    public static IssuedIdentity initKeys(Path dir) {
        return DeploymentKeys.init(dir);
    }

    /** Writes identity {@code name}, signed by the CA in {@code caDir}, into {@code outDir} ({@code skiff keys issue}). */
    public static IssuedIdentity issueKeys(Path caDir, String name, Path outDir) {
        return DeploymentKeys.issue(caDir, name, outDir);
    }

    /**
     * Writes the key rotation statement {@code out} ({@code skiff keys rotate}): rotation {@code sequence} of
     * {@code scope} hands trust to {@code newKeys} (public key files, or private ones, which then sign too), with
     * {@code threshold} of them needed; {@code signKeys} (private key files of the current keys) sign it. Never overwrites.
     */
    public static KeyRotationFile rotateKeys(String scope, long sequence, int threshold, List<Path> newKeys, List<Path> signKeys, Path out) {
        return describe(out, RotationFiles.create(scope, sequence, threshold, newKeys, signKeys, out));
    }

    /** Adds the signatures of {@code signKeys} (private key files) to the rotation statement {@code file} ({@code skiff keys sign-rotation}). */
    public static KeyRotationFile signKeyRotation(Path file, List<Path> signKeys) {
        return describe(file, RotationFiles.sign(file, signKeys));
    }

    /** What the rotation statement {@code file} says and who signed it ({@code skiff keys show-rotation}). */
    public static KeyRotationFile readKeyRotation(Path file) {
        return describe(file, RotationFiles.read(file));
    }

    private static KeyRotationFile describe(Path file, SignedKeyRotation signed) {
        KeyRotation r = signed.rotation();
        return new KeyRotationFile(file, r.scope(), r.sequence(), r.threshold(), r.keyIds().stream().map(Sha256::hex).toList(),
                signed.signatures().stream().map(s -> s.keyId().hex()).toList(), RotationFiles.validByNewKeys(signed));
    }

    /** Writes a new publisher signing key pair into {@code dir} ({@code skiff keys gen-signing}); never overwrites. */
    public static SigningKeyFiles generateSigningKey(Path dir) {
        String keyId = SigningKeys.generate(dir).hex();
        return new SigningKeyFiles(dir.resolve(SigningKeys.PRIVATE_FILE), dir.resolve(SigningKeys.PUBLIC_FILE), keyId);
    }
}
