package io.skiff.cli;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code skiff}: the top-level command. Subcommands are thin layers over the engine API. */
@Command(name = "skiff",
        mixinStandardHelpOptions = true,
        versionProvider = SkiffCommand.Version.class,
        description = "Verified, chunked, delta-aware distribution of large data-file releases.",
        subcommands = {
                PushCommand.class,
                ReceiveCommand.class,
                ServeCommand.class,
                ManifestCommand.class,
                DiffCommand.class,
                StatusCommand.class,
                VerifyCommand.class,
                GcCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class
        },
        footer = {"", "Exit codes:",
                "  0   success",
                "  2   usage error, or the source cannot be used",
                "  3   target unreachable, connection lost, or cannot listen",
                "  10  protocol violation;  11  manifest or path rejected",
                "  12  integrity failure (hash mismatch)",
                "  13  storage failure on the receiver;  14  release busy on another connection",
                "  70  internal error",
                "", "Run 'skiff COMMAND --help' for a command's options. Docs: docs/operations.md"})
public final class SkiffCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        configureLogging(args);
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; returns the exit code (used by tests in-process too). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SkiffCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SkiffException s) {
                commandLine.getErr().println("skiff: error: " + s.getMessage());
                return s.code().exitCode();
            }
            commandLine.getErr().println("skiff: internal error: " + e);
            e.printStackTrace(commandLine.getErr());
            return ErrorCode.INTERNAL.exitCode();
        });
        return cli.execute(args);
    }

    /** Operators of the daemon want its lifecycle lines; a pipeline calling push wants only warnings. */
    private static void configureLogging(String[] args) {
        String level = System.getenv("SKIFF_LOG_LEVEL");
        if (level == null) {
            level = args.length > 0 && (args[0].equals("receive") || args[0].equals("serve")) ? "info" : "warn";
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = SkiffCommand.class.getPackage().getImplementationVersion();
            return new String[]{"skiff " + (v == null ? "dev" : v)};
        }
    }
}
