package io.skiff.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module and package map of docs/architecture.md, checked on the main code of every module on
 * this test's class path (protocol, engine, the corpus, cli). The engine's packages are named by role;
 * the arrows run one way: {@code api} <- everything; {@code relay}, {@code follow} -> {@code receive},
 * {@code send}; {@code send}, {@code receive} -> {@code encode}, {@code store}/{@code history},
 * {@code transport}; nothing inside the engine uses the facade {@code io.skiff.engine.Skiff}.
 */
@AnalyzeClasses(packages = "io.skiff", importOptions = ArchitectureTest.MainCodeOnly.class)
class ArchitectureTest {

    /** Main classes only: not test classes, and not the engine's test jar that the CLI tests use. */
    static final class MainCodeOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule protocolIsTheWireFormatOnly = noClasses().that().resideInAPackage("io.skiff.protocol..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.engine..", "io.skiff.cli..", "io.skiff.bench..")
            .because("the wire and manifest formats are shared by every side and carry no policy");

    @ArchTest
    static final ArchRule protocolDoesNoFileIo = noClasses().that().resideInAPackage("io.skiff.protocol..")
            .should().dependOnClassesThat().belongToAnyOf(Files.class, FileSystems.class, FileSystem.class,
                    File.class, FileInputStream.class, FileOutputStream.class, FileReader.class, FileWriter.class,
                    RandomAccessFile.class, FileChannel.class, AsynchronousFileChannel.class)
            .because("decoders work on bytes handed to them; the engine owns the disk (a Path may travel in an"
                    + " exception as a value)");

    @ArchTest
    static final ArchRule engineKnowsNoCliOrBenchmarks = noClasses().that().resideInAPackage("io.skiff.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.cli..", "io.skiff.bench..", "io.skiff.corpus..")
            .because("the engine is a library; the CLI and the benchmarks drive it");

    @ArchTest
    static final ArchRule corpusIsStandalone = noClasses().that().resideInAPackage("io.skiff.corpus..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.engine..", "io.skiff.cli..", "io.skiff.bench..")
            .because("the generated releases are input to the engine, the demo and the benchmarks alike");

    @ArchTest
    static final ArchRule enginePackagesHaveNoCycles = slices().matching("io.skiff.engine.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule nothingInsideTheEngineUsesTheFacade = noClasses()
            .that().resideInAPackage("io.skiff.engine..").and().resideOutsideOfPackage("io.skiff.engine")
            .should().dependOnClassesThat().resideInAPackage("io.skiff.engine")
            .because("the facade wires the packages together (the relay and the follower into the receiver)");

    @ArchTest
    static final ArchRule apiDependsOnNoOtherEnginePackage = noClasses().that().resideInAPackage("io.skiff.engine.api..")
            .should().dependOnClassesThat(resideInAPackage("io.skiff.engine..").and(not(resideInAPackage("io.skiff.engine.api.."))))
            .because("options and results are values every package and the CLI share");

    @ArchTest
    static final ArchRule receiveKnowsNeitherRelayNorFollowNorSend = noClasses().that().resideInAPackage("io.skiff.engine.receive..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.engine.relay..", "io.skiff.engine.follow..",
                    "io.skiff.engine.send..")
            .because("the relay reaches a receive session through RelayForwarding, which the receive package owns");

    @ArchTest
    static final ArchRule securityKnowsNoTransferPackage = noClasses().that().resideInAPackage("io.skiff.engine.security..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.engine.send..", "io.skiff.engine.receive..",
                    "io.skiff.engine.relay..", "io.skiff.engine.follow..", "io.skiff.engine.store..", "io.skiff.engine.encode..")
            .because("keys, TLS contexts and grants are what the transfer packages consult, not the other way round");

    @ArchTest
    static final ArchRule auditKnowsOnlyFilesAndValues = noClasses().that().resideInAPackage("io.skiff.engine.audit..")
            .should().dependOnClassesThat(resideInAPackage("io.skiff.engine..")
                    .and(not(resideInAnyPackage("io.skiff.engine.audit..", "io.skiff.engine.api..", "io.skiff.engine.files.."))))
            .because("the trail records what the store and the sessions report; it knows files and JSON, not transfers");

    @ArchTest
    static final ArchRule storeIsTheReceiversDiskOnly = noClasses().that().resideInAPackage("io.skiff.engine.store..")
            .should().dependOnClassesThat().resideInAnyPackage("io.skiff.engine.receive..", "io.skiff.engine.send..",
                    "io.skiff.engine.relay..", "io.skiff.engine.follow..", "io.skiff.engine.encode..",
                    "io.skiff.engine.history..", "io.skiff.engine.transport..");

    @ArchTest
    static final ArchRule cliUsesOnlyTheDoor = noClasses().that().resideInAPackage("io.skiff.cli..")
            .should().dependOnClassesThat(resideInAPackage("io.skiff.engine..")
                    .and(not(resideInAnyPackage("io.skiff.engine", "io.skiff.engine.api"))))
            .orShould().dependOnClassesThat().resideInAPackage("io.skiff.protocol.frame..")
            .orShould().dependOnClassesThat().resideInAPackage("io.skiff.bench..")
            .because("io.skiff.engine.Skiff and its api types are the engine's one door; the demo uses the corpus generator");

    /** Main source files allowed past {@link #MAX_MAIN_LINES}, each with the reason. */
    private static final Map<String, String> LONG_FILES = Map.of();
    private static final int MAX_MAIN_LINES = 400;

    @Test
    void shouldKeepEveryMainSourceFileUnder400LinesUnlessNamedWithAReason() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(repo.resolve("pom.xml")) && Files.isDirectory(repo.resolve("engine")),
                "run from a module directory of the checkout, found " + repo);
        List<String> tooLong = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path file : (Iterable<Path>) files.filter(ArchitectureTest::isMainSource)::iterator) {
                checked++;
                String relative = repo.relativize(file).toString();
                long lines;
                try (Stream<String> s = Files.lines(file)) {
                    lines = s.count();
                }
                if (lines > MAX_MAIN_LINES && !LONG_FILES.containsKey(relative)) {
                    tooLong.add(relative + " (" + lines + " lines)");
                }
            }
        }
        assertTrue(checked > 100, "expected the project's main sources, found " + checked + " files under " + repo);
        assertEquals(List.of(), tooLong, "main source files over " + MAX_MAIN_LINES + " lines: split them, or name them in LONG_FILES with a reason");
    }

    private static boolean isMainSource(Path file) {
        String path = file.toString().replace(File.separatorChar, '/');
        return path.endsWith(".java") && path.contains("/src/main/java/") && !path.contains("/target/")
                && !path.contains("/.git/");
    }
}
