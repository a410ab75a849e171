package io.skiff.bench.jmh;

import io.skiff.engine.security.ReleaseTrust;
import io.skiff.engine.security.SigningKeys;
import io.skiff.protocol.ReleaseStatement;
import io.skiff.protocol.Sha256;
import io.skiff.protocol.SignedRelease;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What signing costs per release, on the publisher and on every receiver (issue 19): Ed25519 through the
 * JDK's {@code Signature}, over a statement of ~100 bytes (the release id stands for the manifest, so
 * the cost does not grow with the release). The score is microseconds per operation.
 *
 * <ul>
 *   <li>{@link #signOneKey}: the publisher signs a statement with one key.</li>
 *   <li>{@link #checkOneOfOne}: a receiver decodes the signed release off the wire and checks it
 *       against one trusted key (threshold 1): one Ed25519 verification.</li>
 *   <li>{@link #checkTwoOfThree}: the same with three trusted keys, threshold 2, two signatures.</li>
 * </ul>
 *
 * <h2>How to run</h2>
 * <pre>
 * ./mvnw -B -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ReleaseSigningBenchmark -f 1 -wi 3 -i 5
 * </pre>
 *
 * <h2>Results</h2>
 * In docs/benchmarks.md, each with its date, machine and JDK.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReleaseSigningBenchmark {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private ReleaseStatement statement;
    private SigningKeys.Publisher first;
    private ReleaseTrust oneOfOne;
    private ReleaseTrust twoOfThree;
    private byte[] signedByFirst;
    private byte[] signedByTwo;

    @Setup
    public void keys() throws IOException {
        Path dir = Files.createTempDirectory("skiff-signing-bench");
        List<SigningKeys.Publisher> publishers = new ArrayList<>();
        List<PublicKey> trusted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path keyDir = dir.resolve("k" + i);
            SigningKeys.generate(keyDir);
            publishers.add(SigningKeys.readPrivate(keyDir.resolve(SigningKeys.PRIVATE_FILE)));
            trusted.add(SigningKeys.readPublic(keyDir.resolve(SigningKeys.PUBLIC_FILE)));
        }
        first = publishers.get(0);
        statement = new ReleaseStatement("icd10cm", "2027-01", Sha256.digest("manifest".getBytes(StandardCharsets.UTF_8)),
                NOW.toEpochMilli(), NOW.plusSeconds(30L * 86400).toEpochMilli(), false);
        oneOfOne = ReleaseTrust.forAllChannels(ReleaseTrust.KeySet.of(trusted.subList(0, 1), 1));
        twoOfThree = ReleaseTrust.forAllChannels(ReleaseTrust.KeySet.of(trusted, 2));
        signedByFirst = ReleaseTrust.sign(statement, List.of(first)).encode();
        signedByTwo = ReleaseTrust.sign(statement, publishers.subList(0, 2)).encode();
    }

    @Benchmark
    public SignedRelease signOneKey() {
        return ReleaseTrust.sign(statement, List.of(first));
    }

    @Benchmark
    public ReleaseTrust.Verdict checkOneOfOne() {
        return check(oneOfOne, signedByFirst);
    }

    @Benchmark
    public ReleaseTrust.Verdict checkTwoOfThree() {
        return check(twoOfThree, signedByTwo);
    }

    private ReleaseTrust.Verdict check(ReleaseTrust trust, byte[] wire) {
        ReleaseTrust.Verdict v = trust.check(statement.channel(), statement.version(), statement.releaseId(), SignedRelease.decode(wire),
                null, null, null, NOW);
        if (!v.accepted()) {
            throw new IllegalStateException(v.reason());
        }
        return v;
    }
}
