package io.skiff.bench.e2e;

import io.skiff.corpus.CorpusRelease;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The corpus for each scenario the options choose, generated or reused from the corpus cache, each tree
 * hashed once for the correctness checks however many scenarios move it.
 */
final class Workloads {
    private final RunnerOptions options;
    private final PrintStream log;

    Workloads(RunnerOptions options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** The corpus for each chosen scenario, generated or reused, with its digest (computed once per tree). */
    List<Workload> all() throws IOException {
        CorpusCache cache = new CorpusCache(options.corpusDir(), log);
        Map<Path, TreeDigest> digests = new HashMap<>();
        List<Workload> out = new ArrayList<>();
        CorpusCache.CodeSetPair codeSet = null;
        for (Scenario s : options.scenarios()) {
            switch (s) {
                case RANDOM, TLS -> {
                    CorpusRelease r = cache.random(options.seed(), options.randomMb());
                    out.add(new Workload(s, r.dir(), digest(digests, r.dir()), Optional.empty()));
                }
                case FANOUT -> {
                    CorpusRelease v1 = options.fanoutMb() == options.sizeMb() && codeSet != null
                            ? codeSet.v1() : cache.codeSet(options.seed(), options.fanoutMb()).v1();
                    out.add(new Workload(s, v1.dir(), digest(digests, v1.dir()), Optional.empty()));
                }
                case CODESET, UPDATE, RESUME -> {
                    if (codeSet == null) {
                        codeSet = cache.codeSet(options.seed(), options.sizeMb());
                    }
                    CorpusRelease v1 = codeSet.v1();
                    CorpusRelease v2 = codeSet.v2();
                    // resume moves the codeset scenario's release, v1, to an empty destination.
                    out.add(s == Scenario.UPDATE
                            ? new Workload(s, v2.dir(), digest(digests, v2.dir()), Optional.of(v1.dir()))
                            : new Workload(s, v1.dir(), digest(digests, v1.dir()), Optional.empty()));
                }
            }
        }
        return out;
    }

    private TreeDigest digest(Map<Path, TreeDigest> digests, Path dir) throws IOException {
        TreeDigest d = digests.get(dir);
        if (d == null) {
            log.println("hashing " + dir + " (for the correctness checks; also warms the page cache)");
            d = TreeDigest.of(dir);
            digests.put(dir, d);
        }
        return d;
    }
}
