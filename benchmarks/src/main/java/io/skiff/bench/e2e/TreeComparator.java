package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that a destination tree is byte-for-byte the source: same relative paths, sizes and SHA-256
 * of every file, nothing missing, nothing extra. A benchmark figure of a wrong copy is worthless, so
 * the runner stops at the first difference.
 */
final class TreeComparator {
    private static final int MAX_LISTED = 10;

    private TreeComparator() {
    }

    /** Thrown when a destination differs from its source; the message lists the first differences. */
    static final class TreeMismatchException extends Exception {
        TreeMismatchException(String message) {
            super(message);
        }
    }

    static List<String> differences(TreeDigest expected, TreeDigest actual) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, TreeDigest.FileDigest> e : expected.files().entrySet()) {
            TreeDigest.FileDigest got = actual.files().get(e.getKey());
            TreeDigest.FileDigest want = e.getValue();
            if (got == null) {
                out.add("missing: " + e.getKey());
            } else if (got.size() != want.size()) {
                out.add("size differs: " + e.getKey() + " (" + got.size() + " bytes, expected " + want.size() + ")");
            } else if (!got.sha256().equals(want.sha256())) {
                out.add("content differs: " + e.getKey() + " (sha256 " + got.sha256() + ", expected " + want.sha256() + ")");
            }
        }
        for (String path : actual.files().keySet()) {
            if (!expected.files().containsKey(path)) {
                out.add("extra file: " + path);
            }
        }
        for (String path : actual.otherEntries()) {
            if (!expected.otherEntries().contains(path)) {
                out.add("extra non-regular entry: " + path);
            }
        }
        for (String path : expected.otherEntries()) {
            if (!actual.otherEntries().contains(path)) {
                out.add("missing non-regular entry: " + path);
            }
        }
        return out;
    }

    static void verify(TreeDigest expected, Path actualDir, String what) throws IOException, TreeMismatchException {
        List<String> diffs = differences(expected, TreeDigest.of(actualDir));
        if (!diffs.isEmpty()) {
            StringBuilder sb = new StringBuilder(what).append(": ").append(actualDir).append(" differs from the source in ")
                    .append(diffs.size()).append(diffs.size() == 1 ? " place" : " places");
            diffs.stream().limit(MAX_LISTED).forEach(d -> sb.append("\n  ").append(d));
            if (diffs.size() > MAX_LISTED) {
                sb.append("\n  ...");
            }
            throw new TreeMismatchException(sb.toString());
        }
    }
}
