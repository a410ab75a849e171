package io.skiff.engine.store;

import io.skiff.engine.files.DurableFiles;
import io.skiff.protocol.ProtocolException;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedKeyRotation;
import io.skiff.protocol.StorageException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key rotations a receiver took, kept under its root as they arrived, one file per rotation:
 * <pre>
 * ROOT/trust/&lt;scope&gt;/&lt;sequence&gt;.rotation    a SignedKeyRotation (protocol encoding), 1, 2, ... per scope
 * </pre>
 * {@code <scope>} is the scope's channel glob with {@code *} written {@code %2A} and {@code ?} written
 * {@code %3F} (so "*" is {@code %2A}, "snomed-*" {@code snomed-%2A}); a scope that would not make a short
 * file name is {@code sha256-<hex of the scope>}. Each file is written durably before the rotation is used
 * ({@link DurableFiles}); loading checks only that the files are there, in order and decodable: whether the
 * chain verifies from the configured keys is the receiver's check at start. The name {@code trust} is
 * therefore no untenanted channel's and no tenant's.
 */
public final class TrustedRotations {
    /** The directory under a receiver root. */
    public static final String DIR = "trust";
    private static final Pattern FILE = Pattern.compile("([1-9][0-9]{0,9})\\.rotation");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_NAME = 128;

    private final Path dir;

    /** A rotation with the file it is kept in (for messages naming it). */
    public record Kept(Path file, SignedKeyRotation rotation) {
    }

    /** The rotations kept under receiver root {@code root}. */
    public TrustedRotations(Path root) {
        this.dir = root.toAbsolutePath().normalize().resolve(DIR);
    }

    public Path dir() {
        return dir;
    }

    /** Where rotation {@code sequence} of {@code scope} is kept. */
    public Path file(String scope, long sequence) {
        return dir.resolve(dirName(scope)).resolve(sequence + ".rotation");
    }

    /** The directory name of {@code scope}: readable for a channel glob, a hash for anything else. */
    static String dirName(String scope) {
        String name = scope.replace("*", "%2A").replace("?", "%3F");
        if (name.length() <= MAX_NAME && PLAIN.matcher(name.replace("%2A", "x").replace("%3F", "x")).matches()) {
            return name;
        }
        return "sha256-" + Sha256.digest(scope.getBytes(StandardCharsets.UTF_8)).hex();
    }

    /** Writes {@code signed} durably as rotation N of its scope (a crash leaves it whole or absent). */
    public void keep(SignedKeyRotation signed) {
        DurableFiles.write(file(signed.rotation().scope(), signed.rotation().sequence()), signed.encode());
    }

    /**
     * The rotations kept for {@code scope}, in sequence order from 1; empty when none.
     *
     * @throws StorageException naming the file, for one that cannot be read or decoded, is another scope's or
     *                          sequence's, or a sequence missing before a later one
     */
    public List<Kept> load(String scope) {
        Path scopeDir = dir.resolve(dirName(scope));
        List<Kept> kept = new ArrayList<>();
        for (Path file : numbered(scopeDir).values()) {
            long expected = kept.size() + 1;
            if (!file.getFileName().toString().equals(expected + ".rotation")) {
                throw new StorageException(file, "key rotation " + scopeDir.resolve(expected + ".rotation") + " is missing before "
                        + file.getFileName() + "; remove " + scopeDir + " to trust the configured keys again", null);
            }
            SignedKeyRotation rotation = read(file);
            if (!rotation.rotation().scope().equals(scope) || rotation.rotation().sequence() != expected) {
                throw new StorageException(file, file + " holds rotation " + rotation.rotation().sequence() + " of scope "
                        + rotation.rotation().scope() + ", not " + expected + " of " + scope, null);
            }
            kept.add(new Kept(file, rotation));
        }
        return kept;
    }

    /** Every scope's kept rotations, by the scope each directory's files name (an origin serves them); unreadable ones: an error. */
    public List<List<SignedKeyRotation>> loadAll() {
        List<List<SignedKeyRotation>> all = new ArrayList<>();
        try (DirectoryStream<Path> scopes = Files.newDirectoryStream(dir, d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS))) {
            for (Path scopeDir : scopes) {
                TreeMap<Long, Path> files = numbered(scopeDir);
                if (!files.isEmpty()) {
                    String scope = read(files.firstEntry().getValue()).rotation().scope();
                    if (dirName(scope).equals(scopeDir.getFileName().toString())) {
                        all.add(load(scope).stream().map(Kept::rotation).toList());
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new StorageException("list " + dir, e);
        }
        return all;
    }

    /** The {@code <n>.rotation} files of a scope's directory by n (temporary files of a write a crash cut are not among them). */
    private static TreeMap<Long, Path> numbered(Path scopeDir) {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(scopeDir)) {
            for (Path file : entries) {
                Matcher m = FILE.matcher(file.getFileName().toString());
                if (m.matches()) {
                    files.put(Long.parseLong(m.group(1)), file);
                }
            }
        } catch (NoSuchFileException e) {
            return files;
        } catch (IOException e) {
            throw new StorageException("list " + scopeDir, e);
        }
        return files;
    }

    private static SignedKeyRotation read(Path file) {
        try {
            return SignedKeyRotation.decode(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new StorageException("read", file, e);
        } catch (ProtocolException e) {
            throw new StorageException(file, file + " is not a key rotation: " + e.getMessage(), e);
        }
    }
}
