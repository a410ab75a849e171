package io.skiff.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine a figure was measured on, as docs/benchmarks.md requires next to every figure. */
record MachineInfo(String nproc, String cpuModel, String memory, String kernel, String javaVersion, String rsyncVersion) {

    static MachineInfo probe(Path java, Path rsync) {
        return new MachineInfo(
                firstLine(List.of("nproc")),
                field(Path.of("/proc/cpuinfo"), "model name"),
                field(Path.of("/proc/meminfo"), "MemTotal"),
                firstLine(List.of("uname", "-sr")),
                firstLine(List.of(java.toString(), "-version")),
                firstLine(List.of(rsync.toString(), "--version")).replaceAll("\\s+", " "));
    }

    String oneLine() {
        return nproc + " CPUs (nproc), " + cpuModel + ", " + memory + " RAM, " + kernel + "; " + javaVersion + "; " + rsyncVersion;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nproc", nproc);
        m.put("cpu_model", cpuModel);
        m.put("memory", memory);
        m.put("kernel", kernel);
        m.put("java_version", javaVersion);
        m.put("rsync_version", rsyncVersion);
        return m;
    }

    private static String field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    /** First line of a command's output (java -version prints on stderr, hence merged streams). */
    private static String firstLine(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            String first = out.strip().split("\n", 2)[0].strip();
            return first.isEmpty() ? "unknown" : first;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
