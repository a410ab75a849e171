package io.skiff.bench.jmh;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * One invocation of each {@link StagingWriteBenchmark} body on a small file, fixtures called in JMH's order,
 * so the benchmark cannot time a write that leaves wrong bytes or that quietly went through the page cache.
 */
class StagingWriteBenchmarkTest {
    private static final int FILE_MIB = 8; // two segments

    @TempDir
    Path tmp;

    private final StagingWriteBenchmark benchmark = new StagingWriteBenchmark();
    private final StagingWriteBenchmark.Source source = new StagingWriteBenchmark.Source();

    @BeforeEach
    void setUpSource() throws IOException {
        String fsType = Files.getFileStore(tmp).type();
        assumeFalse(fsType.equals("tmpfs") || fsType.equals("ramfs"), "the benchmark refuses " + fsType);
        source.fileMiB = FILE_MIB;
        source.setUp(tmp);
    }

    @AfterEach
    void tearDownSource() throws IOException {
        source.tearDown();
        assertFalse(Files.exists(source.dir), "the trial's directory is deleted");
    }

    @ParameterizedTest
    @CsvSource({"direct, 1, 2", "direct, 2, 2", "buffered, 1, 0", "buffered, 2, 0"})
    void shouldStageTheSourceByteForByteWhenWrittenSo(String mode, int writers, int segmentsDirect) throws Exception {
        StagingWriteBenchmark.Staging staging = new StagingWriteBenchmark.Staging();
        staging.mode = mode;
        staging.writers = writers;
        staging.setUpTrial(source);
        try {
            staging.setUpInvocation(source);
            int direct = benchmark.stage(source, staging);
            Path staged = staging.staging.dir().resolve(StagingWriteBenchmark.FILE_NAME);

            assertEquals(segmentsDirect, direct, "segments written with O_DIRECT");
            assertSameBytes(staged);
            staging.tearDownInvocation(source);
            assertFalse(Files.exists(staged), "the staged file is deleted after the invocation");
        } finally {
            staging.tearDownTrial();
        }
    }

    @Test
    void shouldWriteTheSourceByteForByteInTheDirectFloor() throws IOException {
        StagingWriteBenchmark.Floor floor = new StagingWriteBenchmark.Floor();
        floor.setUp(source);
        long size = benchmark.directFloor(source, floor);

        assertEquals(FILE_MIB * StagingWriteBenchmark.MIB, size);
        assertSameBytes(floor.file);
        floor.tearDown();
        assertFalse(Files.exists(floor.file), "the floor's file is deleted after the invocation");
    }

    private void assertSameBytes(Path written) throws IOException {
        ByteBuffer actual = ByteBuffer.wrap(Files.readAllBytes(written));
        assertEquals(source.bytes.capacity(), actual.capacity(), "size of " + written);
        assertEquals(-1, actual.mismatch(source.bytes.duplicate().clear()), "index of the first wrong byte in " + written);
    }
}
