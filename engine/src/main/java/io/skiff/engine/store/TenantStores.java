package io.skiff.engine.store;

import io.skiff.engine.api.ReceiverConfig;
import io.skiff.engine.audit.AuditTrail;
import io.skiff.protocol.StorageException;
import io.skiff.protocol.UsageException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A receiver root's stores, one per tenant. Layout (the untenanted one is {@link ReleaseStore}'s, unchanged):
 * <pre>
 * ROOT/&lt;channel&gt;/...            an untenanted channel
 * ROOT/&lt;tenant&gt;/&lt;channel&gt;/...   a tenant's channel, laid out the same way
 * </pre>
 * What a directory under the root is follows from what it holds ({@link #isChannelDir}): a channel's directory
 * holds {@code current}, {@code releases}, {@code staging}, {@code manifests} or {@code activations.log}; a
 * tenant's holds at least one channel directory; anything else (an empty directory, say) is neither and is
 * ignored. A tenant may therefore not be named like an untenanted channel, nor a tenant's channel like one of
 * those entries ({@link ReleaseStore#channelDir} refuses it).
 */
public final class TenantStores {
    /** What a channel directory holds; a directory with none of these is not a channel's. */
    static final List<String> CHANNEL_ENTRIES = List.of("current", "releases", "staging", "manifests", "signatures", "activations.log");
    private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** The receiver's audit trail, at the root: {@code ROOT/audit}, shared by every tenant's store. */
    public static final String AUDIT_DIR = "audit";

    private final Path root;
    private final int retain;
    private final AuditTrail audit;
    private final ReleaseStore untenanted;
    private final ConcurrentHashMap<String, ReleaseStore> tenants = new ConcurrentHashMap<>();

    /** A store, with the tenant it belongs to (null: untenanted), as {@link #inspect} finds them. */
    public record Tenant(String name, ReleaseStore store) {
    }

    /**
     * Opens the root as {@link ReleaseStore#ReleaseStore(Path, int)} does, and the store of every tenant
     * directory already under it, so that each one's crash recovery runs now, at the receiver's start.
     */
    public TenantStores(Path root, int retain) {
        this.audit = AuditTrail.open(root.toAbsolutePath().normalize().resolve(AUDIT_DIR));
        this.untenanted = new ReleaseStore(root, retain, audit);
        this.root = untenanted.root();
        this.retain = retain;
        for (String tenant : tenantsUnder(this.root)) {
            forTenant(tenant);
        }
    }

    public Path root() {
        return root;
    }

    /** The receiver's audit trail. */
    public AuditTrail audit() {
        return audit;
    }

    public ReleaseStore untenanted() {
        return untenanted;
    }

    /**
     * The store of {@code tenant}'s channels, over {@code ROOT/<tenant>} (created on first use, then the same
     * instance every time); {@link #untenanted()} for null.
     *
     * @throws UsageException   when the name is not a tenant name
     * @throws StorageException when {@code ROOT/<tenant>} is an untenanted channel's directory, or cannot be created
     */
    public ReleaseStore forTenant(String tenant) {
        if (tenant == null) {
            return untenanted;
        }
        ReleaseStore store = tenants.get(tenant);
        return store != null ? store : tenants.computeIfAbsent(checkName(tenant), this::open);
    }

    private ReleaseStore open(String tenant) {
        Path dir = root.resolve(tenant);
        if (isChannelDir(dir)) {
            throw new StorageException(dir, dir + " is channel " + tenant + "'s directory, not tenant " + tenant + "'s", null);
        }
        return ReleaseStore.tenant(dir, tenant, retain, true, audit);
    }

    /** The tenant directories under the root now (those holding at least one channel), in name order. */
    public List<String> tenants() {
        return tenantsUnder(root);
    }

    /**
     * Bytes {@code tenant}'s channels hold on disk now: the apparent size of every regular file under
     * {@code ROOT/<tenant>} (releases, staging, manifests, journals, logs), links not followed, so each file
     * counts once whatever {@code current} points at. Streamed: memory does not grow with the tree. For null,
     * the untenanted channels' bytes. A file removed during the walk is not counted.
     */
    public long usedBytes(String tenant) {
        if (tenant == null) {
            long total = 0;
            for (String channel : untenanted.channels()) {
                total += bytesUnder(root.resolve(channel));
            }
            return total;
        }
        return bytesUnder(root.resolve(checkName(tenant)));
    }

    /**
     * The untenanted store of {@code root}, then one per tenant directory in name order, opened for
     * inspection only (as {@link ReleaseStore#inspect}: nothing created, no recovery).
     *
     * @param only just this tenant's store; null for all
     * @throws UsageException when {@code root} is not a directory, or {@code only} is not a tenant under it
     */
    public static List<Tenant> inspect(Path root, String only) {
        ReleaseStore untenanted = ReleaseStore.inspect(root);
        List<String> names = tenantsUnder(untenanted.root());
        if (only != null && !names.contains(checkName(only))) {
            throw new UsageException("no tenant " + only + " under " + untenanted.root());
        }
        List<Tenant> stores = new ArrayList<>();
        if (only == null) {
            stores.add(new Tenant(null, untenanted));
        }
        for (String tenant : only == null ? names : List.of(only)) {
            stores.add(new Tenant(tenant, ReleaseStore.tenant(untenanted.root().resolve(tenant), tenant, ReceiverConfig.DEFAULT_RETAIN, false, null)));
        }
        return stores;
    }

    /**
     * {@code tenant}'s store over {@code ROOT/<tenant>}, for reading only (an origin serving it): nothing is
     * created and no recovery runs, as {@link ReleaseStore#inspect}; the directory need not exist yet (its
     * channels then have no current release).
     *
     * @throws UsageException   when the name is not a tenant name
     * @throws StorageException when {@code ROOT/<tenant>} is an untenanted channel's directory
     */
    public static ReleaseStore inspectTenant(Path root, String tenant) {
        Path dir = root.toAbsolutePath().normalize().resolve(checkName(tenant));
        if (isChannelDir(dir)) {
            throw new StorageException(dir, dir + " is channel " + tenant + "'s directory, not tenant " + tenant + "'s", null);
        }
        return ReleaseStore.tenant(dir, tenant, ReceiverConfig.DEFAULT_RETAIN, false, null);
    }

    /**
     * Whether {@code dir} is a channel's directory: a directory (not a link) holding at least one of
     * {@code current}, {@code releases}, {@code staging}, {@code manifests}, {@code activations.log}.
     */
    public static boolean isChannelDir(Path dir) {
        return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                && CHANNEL_ENTRIES.stream().anyMatch(e -> Files.exists(dir.resolve(e), LinkOption.NOFOLLOW_LINKS));
    }

    /** Whether {@code dir} is a tenant's directory: not a channel's, a directory (not a link) holding at least one channel directory. */
    public static boolean isTenantDir(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || isChannelDir(dir)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TenantStores::isChannelDir)) {
            return entries.iterator().hasNext();
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new StorageException("list " + dir, e);
        }
    }

    /** @throws UsageException unless {@code tenant} is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit */
    public static String checkName(String tenant) {
        String reserved = reservedAtRoot(tenant);
        if (reserved != null) {
            throw new UsageException("invalid tenant name '" + tenant + "': ROOT/" + tenant + " holds the receiver's " + reserved);
        }
        if (!TENANT_NAME.matcher(tenant).matches()) {
            throw new UsageException("invalid tenant name '" + tenant + "': 1 to 64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        return tenant;
    }

    /** What the receiver keeps at {@code ROOT/<name>} (so no channel or tenant may be named so), or null. */
    static String reservedAtRoot(String name) {
        return switch (name) {
            case AUDIT_DIR -> "audit trail";
            case TrustedRotations.DIR -> "key rotations";
            default -> null;
        };
    }

    private static List<String> tenantsUnder(Path root) {
        List<String> tenants = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, TenantStores::isTenantDir)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (TENANT_NAME.matcher(name).matches()) {
                    tenants.add(name);
                }
            }
        } catch (IOException e) {
            throw new StorageException("list " + root, e);
        }
        tenants.sort(Comparator.naturalOrder());
        return tenants;
    }

    /** Apparent bytes of the regular files under {@code dir}, links not followed; 0 when it does not exist. */
    public static long bytesUnder(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // removed meanwhile (activated, pruned, collected)
                    }
                    throw new StorageException("read " + file, e);
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) {
                    if (e == null || e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw new StorageException("list " + d, e);
                }
            });
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new StorageException("read " + dir, e);
        }
        return total[0];
    }
}
