package io.skiff.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules every manifest obeys, whether built locally or decoded from a peer: safe relative paths
 * (no {@code ..}, no absolute paths, no empty or {@code .} segments, no backslashes or NUL), strictly
 * ascending (hence unique) paths, no entry below a file, chunk lengths within the chunking maximum and
 * summing to the file size, each file's digest equal to its {@link ChunkListDigest}, and every
 * {@link ProtocolLimits} limit.
 */
public final class ManifestValidator {
    private ManifestValidator() {
    }

    static void validate(Manifest m) {
        checkLabel("channel", m.channel());
        checkLabel("version", m.version());
        if (!m.channel().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID,
                    "channel=" + m.channel() + " must match [A-Za-z0-9][A-Za-z0-9._-]*");
        }
        List<ManifestEntry> entries = m.entries();
        if (entries.size() > ProtocolLimits.MAX_ENTRIES) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "entries=" + entries.size() + " exceeds " + ProtocolLimits.MAX_ENTRIES);
        }
        ChunkTable chunks = m.chunks();
        Set<String> files = new HashSet<>();
        String previous = null;
        int expectedFirst = 0;
        for (ManifestEntry e : entries) {
            checkPath(e.path());
            if (previous != null && Manifest.PATH_ORDER.compare(previous, e.path()) >= 0) {
                throw new ProtocolException(ErrorCode.PATH_INVALID, previous.equals(e.path())
                        ? "duplicate path: " + e.path() : "paths out of order: " + previous + ", " + e.path());
            }
            for (int slash = e.path().indexOf('/'); slash >= 0; slash = e.path().indexOf('/', slash + 1)) {
                if (files.contains(e.path().substring(0, slash))) {
                    throw new ProtocolException(ErrorCode.PATH_INVALID, "path below a file: " + e.path());
                }
            }
            if (e.firstChunk() != expectedFirst || e.chunkCount() < 0) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "chunk range out of order at " + e.path());
            }
            if (e.isFile()) {
                files.add(e.path());
                if (e.size() < 0 || e.size() > ProtocolLimits.MAX_FILE_BYTES || e.sha256() == null) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "invalid file size=" + e.size() + " at " + e.path());
                }
                long sum = 0;
                for (int c = e.firstChunk(); c < e.firstChunk() + e.chunkCount(); c++) {
                    int length = chunks.length(c);
                    if (length <= 0 || length > m.chunking().maxBytes()) {
                        throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "chunk length=" + length + " at " + e.path());
                    }
                    sum += length;
                }
                if (sum != e.size()) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID,
                            "chunks sum to " + sum + " but size=" + e.size() + " at " + e.path());
                }
                if (!ChunkListDigest.of(chunks, e.firstChunk(), e.chunkCount()).equals(e.sha256())) {
                    throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "file digest does not match its chunk list at " + e.path());
                }
            } else if (e.chunkCount() != 0 || e.size() != 0) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "directory with content: " + e.path());
            }
            expectedFirst += e.chunkCount();
            previous = e.path();
        }
        if (expectedFirst != chunks.count()) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, "chunk table has " + chunks.count()
                    + " chunks, entries reference " + expectedFirst);
        }
    }

    /** Rejects any path that could leave the release directory or that differs between platforms. */
    public static void checkPath(String path) {
        if (path.isEmpty()) {
            throw new ProtocolException(ErrorCode.PATH_INVALID, "empty path");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > ProtocolLimits.MAX_PATH_BYTES) {
            throw new ProtocolException(ErrorCode.PATH_INVALID, "path longer than " + ProtocolLimits.MAX_PATH_BYTES + " bytes");
        }
        if (path.startsWith("/")) {
            throw new ProtocolException(ErrorCode.PATH_INVALID, "absolute path: " + path);
        }
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            throw new ProtocolException(ErrorCode.PATH_INVALID, "backslash or NUL in path: " + path.replace('\0', '?'));
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new ProtocolException(ErrorCode.PATH_INVALID, "unsafe path segment '" + segment + "' in " + path);
            }
        }
    }

    private static void checkLabel(String name, String value) {
        if (value.isEmpty() || value.getBytes(StandardCharsets.UTF_8).length > ProtocolLimits.MAX_LABEL_BYTES) {
            throw new ProtocolException(ErrorCode.MANIFEST_INVALID, name + " must be 1.." + ProtocolLimits.MAX_LABEL_BYTES + " bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new ProtocolException(ErrorCode.MANIFEST_INVALID, name + " contains a control character");
            }
        }
    }
}
