package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SkiffCommandTest {
    private final SkiffCommand skiff = new SkiffCommand(Path.of("/jdk/bin/java"), List.of("-Xmx256m"), Path.of("/repo/skiff.jar"));

    @Test
    void pushNamesTheSenderHistory() {
        assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "/corpus/v2", "--channel", "bench-x",
                        "--version", "v2", "--to", "127.0.0.1:7398", "--json", "--no-progress", "--history", "/work/skiff-history-update"),
                skiff.push(Path.of("/corpus/v2"), "bench-x", "v2", 7398, Optional.empty(), Path.of("/work/skiff-history-update")));
    }

    @Test
    void pushWithASavedManifest() {
        List<String> cmd = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.of(Path.of("/work/m")), Path.of("/work/h"));
        assertEquals(List.of("--history", "/work/h", "--manifest", "/work/m"), cmd.subList(cmd.size() - 4, cmd.size()));
    }

    @Test
    void pushToATopologyOrAList() {
        assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "/corpus/v1", "--channel", "c", "--version", "v1",
                        "--topology", "/work/t", "--no-relay", "--json", "--no-progress", "--history", "/work/h"),
                skiff.push(Path.of("/corpus/v1"), "c", "v1", List.of("--topology", "/work/t", "--no-relay"), Optional.empty(), Path.of("/work/h")));
        assertEquals(skiff.push(Path.of("/corpus/v1"), "c", "v1", 7001, Optional.empty(), Path.of("/work/h")),
                skiff.push(Path.of("/corpus/v1"), "c", "v1", List.of("--to", "127.0.0.1:7001"), Optional.empty(), Path.of("/work/h")));
        assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-jar", "/repo/skiff.jar", "push", "--help"), skiff.pushHelp());
    }

    @Test
    void pushWithRetries() {
        List<String> cmd = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.empty(), Path.of("/work/h"), 3, 0.2);
        assertEquals(List.of("--history", "/work/h", "--retries", "3", "--retry-wait", "0.2"), cmd.subList(cmd.size() - 6, cmd.size()));
        List<String> once = skiff.push(Path.of("/corpus/v1"), "c", "v1", 1, Optional.empty(), Path.of("/work/h"), 0, 1);
        assertEquals(List.of("--retries", "0", "--retry-wait", "1"), once.subList(once.size() - 4, once.size()));
    }
}
