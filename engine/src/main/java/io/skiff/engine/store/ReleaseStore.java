package io.skiff.engine.store;

import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.audit.Actor;
import io.skiff.engine.audit.AuditEvent;
import io.skiff.engine.audit.AuditTrail;
import io.skiff.engine.files.DirectoryTrees;
import io.skiff.engine.files.DurableFiles;
import io.skiff.engine.manifest.LocalRelease;
import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestCodec;
import io.skiff.protocol.ManifestValidator;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SkiffException;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The receiver's releases on disk. Layout (a contract operators and tests rely on):
 * <pre>
 * ROOT/&lt;channel&gt;/current -&gt; releases/&lt;release-id&gt;   atomic symlink swap
 * ROOT/&lt;channel&gt;/releases/&lt;release-id&gt;/...         verified files, as published
 * ROOT/&lt;channel&gt;/staging/&lt;release-id&gt;/            in-flight, never served
 * ROOT/&lt;channel&gt;/manifests/&lt;release-id&gt;.manifest  canonical manifest of every release and staging
 * ROOT/&lt;channel&gt;/activations.log                   append-only audit trail of activations
 * ROOT/trust/&lt;scope&gt;/&lt;sequence&gt;.rotation         key rotations taken ({@link TrustedRotations}): no channel's name
 * </pre>
 * A tenant's store is one of these over {@code ROOT/<tenant>} ({@link TenantStores}); its channels may not
 * be named like the entries above, which would make its directory look like a channel's.
 * A release directory only ever appears under {@code releases/} by a rename of a staging tree that was
 * verified and fsynced; {@code current} only changes by renaming a fresh symlink over it.
 */
public final class ReleaseStore {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseStore.class);
    static final String CURRENT = "current";

    private final Path root;
    private final int retain;
    /** The tenant whose channels these are; null: the untenanted store at a receiver's root. */
    private final String tenantName;
    private final boolean tenant;
    /** Where activations, prunes and removals are recorded; null: not recorded (a sender's history, an inspection). */
    private final AuditTrail audit;
    private final ConcurrentHashMap<String, Object> channelLocks = new ConcurrentHashMap<>();

    /** Opens (creating if needed) a root, and recovers from a crash mid-activation; records nothing in an audit trail. */
    public ReleaseStore(Path root, int retain) {
        this(root, retain, true, null, null);
    }

    /** The same, recording what it does in {@code audit} (a receiver's root: {@link TenantStores}). */
    public ReleaseStore(Path root, int retain, AuditTrail audit) {
        this(root, retain, true, null, audit);
    }

    private ReleaseStore(Path root, int retain, boolean owner, String tenantName, AuditTrail audit) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain=" + retain + " must be >= 1");
        }
        this.root = root.toAbsolutePath().normalize();
        this.retain = retain;
        this.tenantName = tenantName;
        this.tenant = tenantName != null;
        this.audit = audit;
        if (owner) {
            try {
                Files.createDirectories(this.root);
            } catch (IOException e) {
                throw new StorageException(this.root, "cannot create receiver root " + this.root + ": " + e.getMessage(), e);
            }
            StoreRecovery.recover(this);
        }
    }

    /**
     * Opens an existing root for inspection only (status, verify), safe while a receiver runs on it:
     * no directory is created and no crash recovery runs, which could race with a live activation.
     */
    public static ReleaseStore inspect(Path root) {
        if (!Files.isDirectory(root)) {
            throw new UsageException("not a receiver root (no such directory): " + root);
        }
        return new ReleaseStore(root, ReceiverConfig.DEFAULT_RETAIN, false, null, null);
    }

    /**
     * Opens an existing root for an operator's command that changes it ({@code skiff rollback}) while a receiver
     * may run on it: as {@link #inspect}, no recovery, but what it does is recorded in the root's audit trail.
     */
    public static ReleaseStore forOperator(Path root) {
        if (!Files.isDirectory(root)) {
            throw new UsageException("not a receiver root (no such directory): " + root);
        }
        return new ReleaseStore(root, ReceiverConfig.DEFAULT_RETAIN, false, null,
                AuditTrail.open(root.toAbsolutePath().normalize().resolve(TenantStores.AUDIT_DIR)));
    }

    /**
     * Tenant {@code name}'s store over {@code dir}: as the constructor, recording in {@code audit} (may be null),
     * or (not {@code owner}) as {@link #inspect}.
     */
    static ReleaseStore tenant(Path dir, String name, int retain, boolean owner, AuditTrail audit) {
        return new ReleaseStore(dir, retain, owner, name, audit);
    }

    public Path root() {
        return root;
    }

    public int retain() {
        return retain;
    }

    public Path channelDir(String channel) {
        ManifestValidator.checkPath(channel);
        if (channel.contains("/")) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "channel may not contain '/': " + channel);
        }
        String reserved = tenant ? null : TenantStores.reservedAtRoot(channel);
        if (reserved != null) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "a channel may not be named " + channel + " (the receiver's " + reserved + ")");
        }
        if (tenant && TenantStores.CHANNEL_ENTRIES.contains(channel)) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "a tenant's channel may not be named " + channel);
        }
        return root.resolve(channel);
    }

    public Path releaseDir(String channel, Sha256 id) {
        return channelDir(channel).resolve("releases").resolve(id.hex());
    }

    public Path stagingDir(String channel, Sha256 id) {
        return channelDir(channel).resolve("staging").resolve(id.hex());
    }

    public Path manifestFile(String channel, Sha256 id) {
        return channelDir(channel).resolve("manifests").resolve(id.hex() + ".manifest");
    }

    /** Object to synchronize on for anything that changes a channel's releases or {@code current}. */
    public Object channelLock(String channel) {
        return channelLocks.computeIfAbsent(channel, c -> new Object());
    }

    /** The channel directories under the root ({@link TenantStores#isChannelDir}; not tenants' directories), in name order. */
    public List<String> channels() {
        List<String> channels = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, TenantStores::isChannelDir)) {
            for (Path dir : dirs) {
                channels.add(dir.getFileName().toString());
            }
        } catch (IOException e) {
            throw new StorageException("list " + root, e);
        }
        channels.sort(Comparator.naturalOrder());
        return channels;
    }

    /** The release {@code current} points at, if any. */
    public Optional<Sha256> current(String channel) {
        Path link = channelDir(channel).resolve(CURRENT);
        try {
            Path target = Files.readSymbolicLink(link);
            return Optional.of(Sha256.parseHex(target.getFileName().toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            throw new StorageException(link, "unreadable link " + link + ": " + e.getMessage(), e);
        }
    }

    /** Activated releases still on disk, newest activation first. */
    public List<Sha256> releases(String channel) {
        Path dir = channelDir(channel).resolve("releases");
        List<Sha256> ids = listIds(dir);
        ids.sort(Comparator.comparing((Sha256 id) -> lastActivated(channel, id)).reversed());
        return ids;
    }

    /** Partial transfers waiting in {@code staging/}. */
    public List<Sha256> staging(String channel) {
        return listIds(channelDir(channel).resolve("staging"));
    }

    /**
     * Release {@code id} of {@code channel} as a delta base (its manifest and directory), if this store
     * still holds both; one whose manifest does not load is ignored, with a warning.
     */
    public Optional<LocalRelease> base(String channel, Sha256 id) {
        Path dir = releaseDir(channel, id);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try {
            return loadManifest(channel, id).map(m -> new LocalRelease(m, dir));
        } catch (SkiffException e) {
            LOG.warn("ignoring release {} of {} as a delta base: {}", id.shortHex(), channel, e.getMessage());
            return Optional.empty();
        }
    }

    public Optional<Manifest> loadManifest(String channel, Sha256 id) {
        Path file = manifestFile(channel, id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file); // bounded: written by us after validation against ProtocolLimits
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("read " + file, e);
        }
        Manifest manifest = ManifestCodec.decode(bytes);
        if (!manifest.releaseId().equals(id)) {
            throw new StorageException(file, "manifest file " + file + " does not hash to its name", null);
        }
        return Optional.of(manifest);
    }

    /** Writes the manifest durably (temp file, fsync, rename) unless it is there already. */
    public void saveManifest(Manifest manifest) {
        Path file = manifestFile(manifest.channel(), manifest.releaseId());
        if (Files.exists(file)) {
            return;
        }
        DurableFiles.write(file, manifest.canonicalBytes());
    }

    /**
     * Moves a verified, fsynced staging tree to {@code releases/} and points {@code current} at it:
     * a fresh symlink renamed over the old one, so a crash leaves either the old or the new target.
     */
    public void activate(Manifest manifest, String peer) {
        activate(manifest, peer, new Actor(peer, null));
    }

    /** The same, recording {@code actor} as who activated it in the audit trail. */
    public void activate(Manifest manifest, String peer, Actor actor) {
        String channel = manifest.channel();
        Sha256 id = manifest.releaseId();
        synchronized (channelLock(channel)) {
            Path channelDir = channelDir(channel);
            Path release = releaseDir(channel, id);
            Sha256 previous = current(channel).orElse(null);
            try {
                Files.createDirectories(release.getParent());
                // Re-activating a retained release: its old tree may have been edited since, the staged one was
                // just verified, so the staged one replaces it (the old one is not current: nothing reads it now).
                if (id.equals(current(channel).orElse(null))) {
                    DirectoryTrees.deleteRecursively(stagingDir(channel, id)); // activated meanwhile: the tree in use stays
                } else {
                    DirectoryTrees.deleteRecursively(release);
                    Files.move(stagingDir(channel, id), release, StandardCopyOption.ATOMIC_MOVE);
                    DirectoryTrees.fsync(release.getParent());
                    DirectoryTrees.fsync(stagingDir(channel, id).getParent());
                }
                pointCurrentAt(channelDir, id);
                Files.setLastModifiedTime(manifestFile(channel, id), FileTime.from(Instant.now()));
                appendAudit(channel, "activated release=" + id.hex() + " version=" + manifest.version()
                        + " files=" + manifest.fileCount() + " bytes=" + manifest.totalBytes() + " peer=" + peer);
                recordOrSwitchBack(AuditEvent.of("activate", actor, channel, manifest.version(), id.hex()).withBytes(manifest.totalBytes())
                        .withSigners(SignedReleases.load(this, channel, id).map(SignedReleases::keyIds).orElse(List.of())), manifest, previous);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StorageException(root, "filesystem under " + root + " cannot rename atomically", e);
            } catch (IOException e) {
                throw new StorageException("activate " + id.shortHex() + " in " + channelDir, e);
            }
            prune(channel);
        }
    }

    /**
     * An activation counts only once the audit trail shows it: when the record cannot be written (a full or broken
     * trail), the channel goes back to {@code previous} and the activation fails with STORAGE_FAILURE.
     */
    private void recordOrSwitchBack(AuditEvent activation, Manifest manifest, Sha256 previous) {
        try {
            record(activation);
        } catch (SkiffException e) {
            SwitchBack.run(this, manifest.channel(), manifest, previous, Actor.receiver(), "the audit trail could not record the activation", false);
            throw new StorageException(root, manifest.channel() + " " + manifest.version() + " was not activated: the audit trail could not "
                    + "record it (" + e.getMessage() + "); switched back", e);
        }
    }

    /** A fresh link to {@code releases/<id>} renamed over {@code current}, then the directory fsynced: a crash leaves one or the other. */
    static void pointCurrentAt(Path channelDir, Sha256 id) throws IOException {
        Path tmpLink = channelDir.resolve(CURRENT + ".tmp");
        Files.deleteIfExists(tmpLink);
        Files.createSymbolicLink(tmpLink, Path.of("releases", id.hex()));
        Files.move(tmpLink, channelDir.resolve(CURRENT), StandardCopyOption.ATOMIC_MOVE);
        DirectoryTrees.fsync(channelDir);
    }

    /**
     * Switches {@code channel} from {@code from} back to the retained release {@code to} (null: to no release at
     * all, {@code current} removed), atomically as an activation, and records it (see {@link SwitchBack}).
     */
    public void rollBack(String channel, Manifest from, Sha256 to, Actor actor, String reason) {
        SwitchBack.run(this, channel, from, to, actor, reason, true);
    }

    /** Keeps {@code current} and the most recently activated others, up to {@link #retain()} in all. */
    private void prune(String channel) {
        Optional<Sha256> current = current(channel);
        int others = 0;
        for (Sha256 id : releases(channel)) {
            if (current.isPresent() && current.get().equals(id) || ++others < retain) {
                continue;
            }
            try {
                // the manifest first: a crash in between leaves a directory no one offers as a base or copies
                // from (both need the manifest), which the next start removes
                Files.deleteIfExists(manifestFile(channel, id));
                DirectoryTrees.deleteRecursively(releaseDir(channel, id));
                Files.deleteIfExists(SignedReleases.file(this, channel, id));
                appendAudit(channel, "pruned release=" + id.hex());
                record(AuditEvent.of("prune", Actor.receiver(), channel, null, id.hex()));
            } catch (IOException e) {
                LOG.warn("could not prune release {} of {}: {}", id.shortHex(), channel, e.toString());
            }
        }
    }

    /**
     * Records {@code event} (of this store's tenant) in the receiver's audit trail, if this store has one.
     * A trail that cannot be written fails what it records: nothing happens that the trail does not show.
     */
    public void record(AuditEvent event) {
        if (audit != null) {
            audit.append(event.withTenant(tenantName));
        }
    }

    /** Appends {@code event} to the channel's activations log (see {@link ActivationsLog}). */
    public void appendAudit(String channel, String event) {
        ActivationsLog.of(channelDir(channel)).append(event);
    }

    private FileTime lastActivated(String channel, Sha256 id) {
        try {
            return Files.getLastModifiedTime(manifestFile(channel, id));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Names of sub-directories that are release ids. */
    private static List<Sha256> listIds(Path dir) {
        List<Sha256> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.length() == 2 * Sha256.BYTES && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    try {
                        ids.add(Sha256.parseHex(name));
                    } catch (IllegalArgumentException ignored) {
                        // not ours
                    }
                }
            }
        } catch (IOException e) {
            throw new StorageException("list " + dir, e);
        }
        return ids;
    }
}
