package io.skiff.engine.delta;

import io.skiff.protocol.ChunkTable;
import io.skiff.protocol.Manifest;
import io.skiff.protocol.ManifestEntry;
import io.skiff.protocol.Sha256;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changes between two releases, from their manifests alone: files added, removed and changed,
 * and which chunks of the new release a receiver holding the old one would have to fetch (one per
 * distinct hash not found anywhere in the old release, as the receiver plans it).
 *
 * @param wanted ordinals of the new manifest's chunks that would cross the wire
 */
public record ReleaseDiff(List<String> added, List<String> removed, List<String> changed, int unchanged,
                          int chunksTotal, BitSet wanted, long bytesWanted) {

    public static ReleaseDiff between(Manifest base, Manifest next) {
        Map<String, Sha256> baseFiles = new HashMap<>();
        for (ManifestEntry e : base.entries()) {
            if (e.isFile()) {
                baseFiles.put(e.path(), e.sha256());
            }
        }
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        int unchanged = 0;
        Set<String> nextFiles = new HashSet<>();
        for (ManifestEntry e : next.entries()) {
            if (!e.isFile()) {
                continue;
            }
            nextFiles.add(e.path());
            Sha256 old = baseFiles.get(e.path());
            if (old == null) {
                added.add(e.path());
            } else if (!old.equals(e.sha256())) {
                changed.add(e.path());
            } else {
                unchanged++;
            }
        }
        List<String> removed = new ArrayList<>();
        for (String path : baseFiles.keySet()) {
            if (!nextFiles.contains(path)) {
                removed.add(path);
            }
        }
        removed.sort(Manifest.PATH_ORDER);

        Set<Sha256> held = new HashSet<>();
        for (int i = 0; i < base.chunks().count(); i++) {
            held.add(base.chunks().hash(i));
        }
        ChunkTable chunks = next.chunks();
        BitSet wanted = new BitSet(chunks.count());
        Set<Sha256> asked = new HashSet<>();
        long bytes = 0;
        for (int i = 0; i < chunks.count(); i++) {
            Sha256 hash = chunks.hash(i);
            if (!held.contains(hash) && asked.add(hash)) {
                wanted.set(i);
                bytes += chunks.length(i);
            }
        }
        return new ReleaseDiff(List.copyOf(added), List.copyOf(removed), List.copyOf(changed), unchanged,
                chunks.count(), wanted, bytes);
    }
}
